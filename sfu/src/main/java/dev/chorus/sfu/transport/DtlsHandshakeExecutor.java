package dev.chorus.sfu.transport;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The bounded pool that runs DTLS handshakes (each blocks its thread in Bouncy Castle for the whole exchange).
 * At most {@link TransportConfig#dtlsThreads()} run at once; up to {@link TransportConfig#dtlsQueue()} more wait
 * in FIFO order; beyond that a handshake is refused at once with {@link DtlsFailure#HANDSHAKE_QUEUE_FULL}.
 *
 * <p>The time a handshake waits for a thread counts against its timeout: it runs with what is left of it, and one
 * whose time ran out while waiting is refused with {@link DtlsFailure#HANDSHAKE_TIMEOUT} without running. So every
 * handshake ends (connected or a named failure) within its timeout of being submitted, however long the queue: the
 * ones ahead of it in the queue were submitted earlier and end earlier. Idle threads exit after 2 s.
 */
final class DtlsHandshakeExecutor implements AutoCloseable {
    /** One handshake to run. */
    interface Handshake {
        /** Runs it on a DTLS thread within {@code timeoutMillis} (what is left after waiting; at least 1). */
        void run(int timeoutMillis);

        /** It will not run (queue full, timed out waiting, executor closed); {@code reason} starts with the name. */
        void failed(DtlsFailure failure, String reason);
    }

    private final ThreadPoolExecutor pool;
    private final LongSupplier nanoClock;
    private final int threads;
    private final LongAdder started = new LongAdder();
    private final LongAdder refusedQueueFull = new LongAdder();
    private final LongAdder expiredWaiting = new LongAdder();

    DtlsHandshakeExecutor(int threads, int queueCapacity, ThreadFactory threadFactory, LongSupplier nanoClock) {
        this.threads = threads;
        this.nanoClock = nanoClock;
        this.pool = new ThreadPoolExecutor(threads, threads, 2, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), threadFactory);
        pool.allowCoreThreadTimeOut(true);
    }

    /** Queues {@code h} with {@code timeoutNanos} to complete, or refuses it at once (then counted). Any thread. */
    void submit(long timeoutNanos, Handshake h) {
        long submitted = nanoClock.getAsLong();
        try {
            pool.execute(new Queued(h, submitted, timeoutNanos));
        } catch (RejectedExecutionException e) {
            if (pool.isShutdown()) {
                h.failed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: the DTLS executor is closed");
            } else {
                refusedQueueFull.increment();
                h.failed(DtlsFailure.HANDSHAKE_QUEUE_FULL, "HANDSHAKE_QUEUE_FULL: " + threads
                        + " handshake(s) running and " + pool.getQueue().size() + " waiting");
            }
        }
    }

    /** A handshake in the queue, with when it was submitted. */
    private final class Queued implements Runnable {
        final Handshake handshake;
        final long submitted;
        final long timeoutNanos;

        Queued(Handshake handshake, long submitted, long timeoutNanos) {
            this.handshake = handshake;
            this.submitted = submitted;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public void run() {
            long waited = nanoClock.getAsLong() - submitted;
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos - waited);
            if (leftMillis < 1) {
                expiredWaiting.increment();
                handshake.failed(DtlsFailure.HANDSHAKE_TIMEOUT, "HANDSHAKE_TIMEOUT: waited "
                        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for a DTLS thread");
                return;
            }
            started.increment();
            handshake.run((int) Math.min(Integer.MAX_VALUE, leftMillis));
        }
    }

    /** Handshakes refused because the queue was full. */
    long refusedQueueFull() {
        return refusedQueueFull.sum();
    }

    /** Handshakes whose timeout ran out while they waited for a thread. */
    long expiredWaiting() {
        return expiredWaiting.sum();
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("threads", threads);
        o.put("running", pool.getActiveCount());
        o.put("waiting", pool.getQueue().size());
        o.put("queueCapacity", pool.getQueue().size() + pool.getQueue().remainingCapacity());
        o.put("started", started.sum());
        ObjectNode refused = o.putObject("refused");
        refused.put(DtlsFailure.HANDSHAKE_QUEUE_FULL.name(), refusedQueueFull.sum());
        refused.put(DtlsFailure.HANDSHAKE_TIMEOUT.name(), expiredWaiting.sum());
        return o;
    }

    /** Interrupts running handshakes (their transports are closed first) and refuses the waiting ones. */
    @Override
    public void close() {
        for (Runnable r : pool.shutdownNow()) {
            ((Queued) r).handshake.failed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: the DTLS executor is closed");
        }
    }
}
