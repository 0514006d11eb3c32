package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded DTLS executor with stand-in handshakes that block on latches and a hand-moved clock: nothing here
 * depends on how fast the machine is.
 */
class DtlsHandshakeExecutorTest {
    static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger threadCount = new AtomicInteger();
    private DtlsHandshakeExecutor executor;

    private DtlsHandshakeExecutor executor(int threads, int queue) {
        executor = new DtlsHandshakeExecutor(
                threads,
                queue,
                r -> {
                    Thread t = new Thread(r, "test-dtls-" + threadCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                now::get);
        return executor;
    }

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    /** Records what happened to it; blocks in {@code run} until released when asked to. */
    static final class Probe implements DtlsHandshakeExecutor.Handshake {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release;
        final CompletableFuture<Integer> ranWithTimeout = new CompletableFuture<>();
        final CompletableFuture<String> failed = new CompletableFuture<>();
        volatile DtlsFailure failure;
        volatile boolean interrupted;

        Probe(boolean blocks) {
            release = new CountDownLatch(blocks ? 1 : 0);
        }

        @Override
        public void run(int timeoutMillis) {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
            ranWithTimeout.complete(timeoutMillis);
        }

        @Override
        public void failed(DtlsFailure f, String reason) {
            failure = f;
            failed.complete(reason);
        }

        void awaitStarted() throws InterruptedException {
            assertTrue(started.await(5, TimeUnit.SECONDS), "handshake started");
        }
    }

    @Test
    void oneThreadRunsOneHandshakeAndTheNextWaitsItsTurn() throws Exception {
        DtlsHandshakeExecutor e = executor(1, 4);
        Probe first = new Probe(true);
        Probe second = new Probe(false);
        e.submit(TEN_SECONDS, first);
        first.awaitStarted();
        e.submit(TEN_SECONDS, second);
        // The only thread is held by the first handshake, so the second cannot have started.
        assertEquals(1, second.started.getCount(), "second waits while the first runs");
        assertEquals(1, e.toJson().get("waiting").asInt());
        assertEquals(1, threadCount.get(), "never more threads than dtlsThreads");

        first.release.countDown();
        assertEquals(10_000, second.ranWithTimeout.get(5, TimeUnit.SECONDS), "no time passed: the whole timeout");
        assertEquals(10_000, first.ranWithTimeout.get(5, TimeUnit.SECONDS));
        assertFalse(second.failed.isDone());
        assertEquals(2, e.toJson().get("started").asLong());
        assertEquals(1, threadCount.get());
    }

    @Test
    void aFullQueueRefusesTheHandshakeAtOnceWithANamedFailureAndCountsIt() throws Exception {
        DtlsHandshakeExecutor e = executor(1, 1);
        Probe running = new Probe(true);
        Probe waiting = new Probe(false);
        Probe refused = new Probe(false);
        e.submit(TEN_SECONDS, running);
        running.awaitStarted();
        e.submit(TEN_SECONDS, waiting);
        e.submit(TEN_SECONDS, refused);

        assertTrue(refused.failed.isDone(), "refused on the submitting thread, not later");
        assertEquals(DtlsFailure.HANDSHAKE_QUEUE_FULL, refused.failure);
        assertTrue(refused.failed.get().startsWith("HANDSHAKE_QUEUE_FULL"), refused.failed.get());
        assertEquals(1, refused.started.getCount(), "a refused handshake never runs");
        assertEquals(1, e.refusedQueueFull());
        assertEquals(1, e.toJson().get("refused").get("HANDSHAKE_QUEUE_FULL").asLong());

        running.release.countDown();
        waiting.ranWithTimeout.get(5, TimeUnit.SECONDS);
        assertFalse(waiting.failed.isDone(), "the queued one still ran");
        assertEquals(1, e.refusedQueueFull());
    }

    @Test
    void timeSpentWaitingCountsAgainstTheTimeoutAndAnExpiredHandshakeNeverRuns() throws Exception {
        DtlsHandshakeExecutor e = executor(1, 4);
        Probe running = new Probe(true);
        Probe patient = new Probe(false);
        Probe hurried = new Probe(false);
        e.submit(TEN_SECONDS, running);
        running.awaitStarted();
        e.submit(TEN_SECONDS, patient);
        e.submit(TimeUnit.SECONDS.toNanos(2), hurried);

        now.set(TimeUnit.SECONDS.toNanos(3)); // three seconds pass while both wait
        running.release.countDown();

        assertEquals(7_000, patient.ranWithTimeout.get(5, TimeUnit.SECONDS), "runs with what is left");
        String reason = hurried.failed.get(5, TimeUnit.SECONDS);
        assertEquals(DtlsFailure.HANDSHAKE_TIMEOUT, hurried.failure);
        assertEquals("HANDSHAKE_TIMEOUT: waited 3000 ms for a DTLS thread", reason);
        assertEquals(1, hurried.started.getCount(), "an expired handshake never runs");
        assertEquals(1, e.expiredWaiting());
        assertEquals(1, e.toJson().get("refused").get("HANDSHAKE_TIMEOUT").asLong());
        assertEquals(0, e.refusedQueueFull());
    }

    @Test
    void closingInterruptsTheRunningHandshakeAndRefusesTheWaitingAndLaterOnes() throws Exception {
        DtlsHandshakeExecutor e = executor(1, 4);
        Probe running = new Probe(true);
        Probe waiting = new Probe(false);
        e.submit(TEN_SECONDS, running);
        running.awaitStarted();
        e.submit(TEN_SECONDS, waiting);

        e.close();
        assertTrue(waiting.failed.isDone(), "a waiting handshake is told, not forgotten");
        assertEquals(DtlsFailure.PROTOCOL_ERROR, waiting.failure);
        running.ranWithTimeout.get(5, TimeUnit.SECONDS);
        assertTrue(running.interrupted, "the running handshake is interrupted");

        Probe late = new Probe(false);
        e.submit(TEN_SECONDS, late);
        assertEquals(DtlsFailure.PROTOCOL_ERROR, late.failure);
        assertEquals(0, e.refusedQueueFull(), "closing is not a full queue");
    }
}
