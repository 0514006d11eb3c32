package dev.chorus.sfu.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MpmcArrayQueueTest {
    @Test
    void capacityRoundsUpToPowerOfTwo() {
        assertEquals(2, new MpmcArrayQueue<>(1).capacity());
        assertEquals(8, new MpmcArrayQueue<>(5).capacity());
        assertEquals(1024, new MpmcArrayQueue<>(1024).capacity());
    }

    @Test
    void fifoAndFullAndEmpty() {
        MpmcArrayQueue<Integer> q = new MpmcArrayQueue<>(4);
        assertNull(q.poll());
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(i));
        }
        assertFalse(q.offer(99), "full queue refuses");
        assertEquals(4, q.size());
        for (int round = 0; round < 10; round++) {
            // keep wrapping around the ring
            assertEquals(round, q.poll());
            assertTrue(q.offer(round + 4));
        }
        for (int i = 10; i < 14; i++) {
            assertEquals(i, q.poll());
        }
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }

    /**
     * Two producer threads, one consumer: nothing lost, nothing duplicated, and each producer's
     * items arrive in the order it offered them. The queue is small so both "full" and "empty"
     * are hit constantly.
     */
    @Test
    @Timeout(60)
    void twoProducersOneConsumer() throws Exception {
        int perProducer = 200_000;
        MpmcArrayQueue<Long> q = new MpmcArrayQueue<>(64);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] producers = new Thread[2];
        for (int p = 0; p < 2; p++) {
            long tag = (long) p << 32;
            producers[p] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    Long item = tag | i;
                    while (!q.offer(item)) {
                        Thread.yield(); // not a busy spin: with more threads than cores a spinner starves the one it
                        // waits for
                    }
                }
            });
            producers[p].start();
        }
        start.countDown();
        long[] next = new long[2];
        int received = 0;
        while (received < 2 * perProducer) {
            Long item = q.poll();
            if (item == null) {
                Thread.yield(); // not a busy spin: with more threads than cores a spinner starves the one it waits for
                continue;
            }
            int producer = (int) (item >>> 32);
            long seq = item & 0xFFFF_FFFFL;
            assertEquals(next[producer], seq, "per-producer order");
            next[producer]++;
            received++;
        }
        for (Thread t : producers) {
            t.join();
        }
        assertNull(q.poll());
        assertEquals(perProducer, next[0]);
        assertEquals(perProducer, next[1]);
    }
}
