package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The bounded pool that runs DTLS handshakes (each blocks its thread in Bouncy Castle for the whole exchange).
 * At most {@link TransportConfig#dtlsThreads()} run at once; up to {@link TransportConfig#dtlsQueue()} more wait
 * in FIFO order; beyond that a handshake is refused at once with {@link DtlsFailure#HANDSHAKE_QUEUE_FULL}.
 *
 * <p>The time a handshake waits for a thread counts against its timeout: it runs with what is left of it, and one
 * whose time ran out while waiting is refused with {@link DtlsFailure#HANDSHAKE_TIMEOUT} without running. So every
 * handshake ends (connected or a named failure) within its timeout of being submitted, however long the queue: the
 * ones ahead of it in the queue were submitted earlier and end earlier. A waiting thread takes new work before a
 * new thread starts, and idle threads exit after 2 s, so a quiet server holds none.
 */
final class DtlsHandshakeExecutor implements AutoCloseable {
    /** One handshake to run. */
    interface Handshake {
        /** Runs it on a DTLS thread within {@code timeoutMillis} (what is left after waiting; at least 1). */
        void run(int timeoutMillis);

        /** It will not run (queue full, timed out waiting, executor closed); {@code reason} starts with the name. */
        void failed(DtlsFailure failure, String reason);
    }

    private static final long IDLE_EXIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int threads;
    private final ArrayBlockingQueue<Queued> queue;
    private final ThreadFactory threadFactory;
    private final LongSupplier nanoClock;
    /** Threads started and not yet exited, and how many of them wait for work. */
    private final AtomicInteger alive = new AtomicInteger();

    private final AtomicInteger idle = new AtomicInteger();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final LongAdder started = new LongAdder();
    private final LongAdder refusedQueueFull = new LongAdder();
    private final LongAdder expiredWaiting = new LongAdder();

    DtlsHandshakeExecutor(int threads, int queueCapacity, ThreadFactory threadFactory, LongSupplier nanoClock) {
        this.threads = threads;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.threadFactory = threadFactory;
        this.nanoClock = nanoClock;
    }

    /** Queues {@code h} with {@code timeoutNanos} to complete, or refuses it at once (then counted). Any thread. */
    void submit(long timeoutNanos, Handshake h) {
        if (closed) {
            h.failed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: the DTLS executor is closed");
            return;
        }
        if (!queue.offer(new Queued(h, nanoClock.getAsLong(), timeoutNanos))) {
            refusedQueueFull.increment();
            h.failed(
                    DtlsFailure.HANDSHAKE_QUEUE_FULL,
                    "HANDSHAKE_QUEUE_FULL: " + threads + " handshake(s) running and " + queue.size() + " waiting");
            return;
        }
        // Idle threads take the queued handshakes; a new thread starts only for what they cannot take (a pool
        // that starts one thread per task up to its size would renew its threads after every quiet spell).
        if (queue.size() > idle.get()) {
            startThreadIfRoom();
        }
    }

    private void startThreadIfRoom() {
        for (int n = alive.get(); n < threads; n = alive.get()) {
            if (alive.compareAndSet(n, n + 1)) {
                Thread t = threadFactory.newThread(this::work);
                t.start();
                return;
            }
        }
    }

    /** A DTLS thread: runs queued handshakes in order, exits after 2 s without work. */
    private void work() {
        running.add(Thread.currentThread());
        try {
            while (!closed) {
                Queued q;
                idle.incrementAndGet();
                try {
                    q = queue.poll(IDLE_EXIT_NANOS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    idle.decrementAndGet();
                }
                if (q == null) {
                    return;
                }
                q.run();
            }
        } finally {
            running.remove(Thread.currentThread());
            alive.decrementAndGet();
            // A handshake queued while this thread was leaving (it saw this thread idle) still gets a thread.
            if (!closed && queue.size() > idle.get()) {
                startThreadIfRoom();
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
                handshake.failed(
                        DtlsFailure.HANDSHAKE_TIMEOUT,
                        "HANDSHAKE_TIMEOUT: waited " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for a DTLS thread");
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
        o.put("running", Math.max(0, alive.get() - idle.get()));
        o.put("waiting", queue.size());
        o.put("queueCapacity", queue.size() + queue.remainingCapacity());
        o.put("started", started.sum());
        ObjectNode refused = o.putObject("refused");
        refused.put(DtlsFailure.HANDSHAKE_QUEUE_FULL.name(), refusedQueueFull.sum());
        refused.put(DtlsFailure.HANDSHAKE_TIMEOUT.name(), expiredWaiting.sum());
        return o;
    }

    /** Interrupts running handshakes (their transports are closed first) and refuses the waiting ones. */
    @Override
    public void close() {
        closed = true;
        running.forEach(Thread::interrupt);
        for (Queued q = queue.poll(); q != null; q = queue.poll()) {
            q.handshake.failed(DtlsFailure.PROTOCOL_ERROR, "PROTOCOL_ERROR: the DTLS executor is closed");
        }
    }
}
