package dev.chorus.sfu.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MediaWorkerTest {
    /** Records what it handled, in order, and releases buffers like a real handler. */
    static class RecordingHandler implements PacketHandler {
        final PacketBufferPool pool;
        final List<String> log;

        RecordingHandler(PacketBufferPool pool, List<String> log) {
            this.pool = pool;
            this.log = log;
        }

        @Override
        public void handleRtp(PacketBuffer packet) {
            log.add("rtp" + packet.array()[packet.offset()]);
            pool.release(packet);
        }

        @Override
        public void handleRtcp(PacketBuffer packet) {
            log.add("rtcp" + packet.array()[packet.offset()]);
            pool.release(packet);
        }
    }

    private static PacketBuffer packet(PacketBufferPool pool, int marker) {
        PacketBuffer b = pool.acquire();
        b.copyFrom(new byte[] {(byte) marker}, 0, 1);
        return b;
    }

    @Test
    void fullQueueDropsPacketsButKeepsRoomForCommands() {
        PacketBufferPool pool = new PacketBufferPool(64, 64, true);
        MediaWorker worker = new MediaWorker("w", new ManualClock(), pool, 8, 2);
        List<String> log = new ArrayList<>();
        RecordingHandler handler = new RecordingHandler(pool, log);
        int accepted = 0;
        for (int i = 0; i < 10; i++) {
            if (worker.submitRtp(handler, packet(pool, i))) {
                accepted++;
            }
        }
        assertEquals(6, accepted, "packets may use capacity minus the command reserve");
        assertEquals(4, worker.queueFullDrops());
        assertEquals(6, pool.outstanding(), "dropped packets went straight back to the pool");
        assertTrue(worker.submit(() -> log.add("cmd1")));
        assertTrue(worker.submit(() -> log.add("cmd2")));
        assertFalse(worker.submit(() -> log.add("cmd3")), "even the reserve is full now");
        worker.runUntilIdle();
        assertEquals(List.of("rtp0", "rtp1", "rtp2", "rtp3", "rtp4", "rtp5", "cmd1", "cmd2"), log);
        assertEquals(0, pool.outstanding());
        assertEquals(4, worker.toJson().get("drops").get("QUEUE_FULL").asLong());
    }

    @Test
    void commandsStayOrderedWithPacketsAndTimersRunOnTheirDeadline() {
        PacketBufferPool pool = new PacketBufferPool(8, 8, true);
        ManualClock clock = new ManualClock(0);
        MediaWorker worker = new MediaWorker("w", clock, pool, 16, 4);
        List<String> log = new ArrayList<>();
        RecordingHandler handler = new RecordingHandler(pool, log);
        worker.submitRtp(handler, packet(pool, 1));
        worker.submit(() -> log.add("cmd"));
        worker.submitRtcp(handler, packet(pool, 2));
        worker.timers().schedule(new Timer("t", now -> log.add("timer@" + now)), 5_000_000);
        worker.runUntilIdle();
        assertEquals(List.of("rtp1", "cmd", "rtcp2"), log);
        clock.advanceMillis(5);
        worker.runOnce();
        assertEquals("timer@5000000", log.get(3));
    }

    @Test
    void failingCommandDoesNotStopTheWorker() {
        PacketBufferPool pool = new PacketBufferPool(8, 8, true);
        MediaWorker worker = new MediaWorker("w", new ManualClock(), pool, 16, 4);
        worker.submit(() -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<Integer> answer = worker.call(() -> 42);
        worker.runUntilIdle();
        assertEquals(42, answer.join());
        assertEquals(1, worker.toJson().get("commandFailures").asLong());
    }

    @Test
    @Timeout(30)
    void aThrowingPacketHandlerOrTimerCostsItsPacketNotTheWorkerThread() throws Exception {
        PacketBufferPool pool = new PacketBufferPool(8, 8, true);
        try (MediaWorker worker = new MediaWorker("threaded", Clock.SYSTEM, pool, 64, 4)) {
            worker.start();
            List<String> log = new ArrayList<>();
            PacketHandler broken = new RecordingHandler(pool, log) {
                @Override
                public void handleRtp(PacketBuffer packet) {
                    try {
                        throw new ArrayIndexOutOfBoundsException("a bug on the packet path");
                    } finally {
                        pool.release(packet);
                    }
                }
            };
            assertTrue(worker.submitRtp(broken, packet(pool, 1)));
            assertTrue(worker.submitRtcp(broken, packet(pool, 2)));
            CompletableFuture<Void> scheduled = worker.call(() -> {
                worker.timers()
                        .schedule(
                                new Timer("broken", now -> {
                                    throw new IllegalStateException("a bug in a timer");
                                }),
                                0);
                worker.timers().schedule(new Timer("healthy", now -> log.add("timer")), 1);
                return null;
            });
            scheduled.get(20, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (worker.call(() -> log.contains("timer")).get(20, TimeUnit.SECONDS) == Boolean.FALSE) {
                assertTrue(System.nanoTime() < deadline, "the healthy timer never ran");
                Thread.sleep(5);
            }
            var json = worker.call(worker::toJson).get(20, TimeUnit.SECONDS);
            assertEquals(1, json.get("handlerFailures").asLong());
            assertEquals(1, json.get("drops").get("HANDLER_FAILED").asLong());
            assertEquals(1, json.get("timerFailures").asLong());
            assertEquals(List.of("rtcp2", "timer"), log, "the RTCP after the failed packet was handled");
        }
        assertEquals(0, pool.outstanding());
    }

    @Test
    @Timeout(30)
    void threadedWorkerRunsCommandsFromOtherThreads() throws Exception {
        PacketBufferPool pool = new PacketBufferPool(64, 64, true);
        try (MediaWorker worker = new MediaWorker("threaded", Clock.SYSTEM, pool, 1024, 16)) {
            worker.start();
            List<String> log = new ArrayList<>();
            RecordingHandler handler = new RecordingHandler(pool, log);
            for (int i = 0; i < 100; i++) {
                PacketBuffer b;
                while ((b = pool.acquire()) == null) {
                    Thread.onSpinWait(); // the worker releases as it goes
                }
                b.copyFrom(new byte[] {(byte) i}, 0, 1);
                while (!worker.submitRtp(handler, b)) {
                    b = pool.acquire();
                    while (b == null) {
                        Thread.onSpinWait();
                        b = pool.acquire();
                    }
                    b.copyFrom(new byte[] {(byte) i}, 0, 1);
                }
            }
            int size = worker.call(log::size).get(20, TimeUnit.SECONDS);
            assertEquals(100, size);
            assertTrue(worker.call(worker::isWorkerThread).get(20, TimeUnit.SECONDS));
        }
        assertEquals(0, pool.outstanding());
    }
}
