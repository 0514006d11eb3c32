package dev.chorus.sfu.worker;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.collect.MpmcArrayQueue;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One media thread that owns whole routers: everything a router touches runs here, so the
 * forwarding path needs no locks. Work arrives through one bounded lock-free queue that carries
 * both packets ({@link PacketBuffer}s routed to a {@link PacketHandler}) and control commands
 * ({@link Runnable}s), which keeps commands ordered with the packets around them.
 *
 * <p>Packets may use the queue only up to {@code capacity - commandReserve}; the reserve keeps
 * room for control commands (removing a consumer must not fail because media is flooding).
 * A packet that does not fit is released and counted as {@link DropReason#QUEUE_FULL}.
 *
 * <p>Tests do not start the thread: they call {@link #runOnce()} with a {@link ManualClock}.
 */
public final class MediaWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaWorker.class);
    private static final int BATCH = 256;
    private static final long MAX_PARK_NANOS = 1_000_000L;
    /** Handler failures logged in full; after these, only the 2^n-th (a bug repeats per packet). */
    private static final int LOGGED_FAILURES = 10;

    private final String name;
    private final Clock clock;
    private final PacketBufferPool pool;
    private final MpmcArrayQueue<Object> queue;
    private final int packetLimit;
    private final TimerQueue timers = new TimerQueue();
    /** Drops counted on the worker thread, rolled up from every router. */
    private final DropCounters drops = new DropCounters(null);
    /** Forwarding totals for metrics; worker thread only. */
    private final WorkerStats stats = new WorkerStats();
    /** Counted on submitting threads, hence atomic. */
    private final AtomicLong queueFullDrops = new AtomicLong();

    private final AtomicLong commandsRejected = new AtomicLong();
    private long packetsProcessed;
    private long commandsProcessed;
    private long commandFailures;
    private long handlerFailures;

    private volatile Thread thread;
    private volatile boolean running;
    /** Set while the worker is (about to be) parked, so submitters know to unpark it. */
    private volatile boolean parked;

    public MediaWorker(String name, Clock clock, PacketBufferPool pool, int queueCapacity, int commandReserve) {
        if (commandReserve < 1 || commandReserve >= queueCapacity) {
            throw new IllegalArgumentException("need 1 <= commandReserve < queueCapacity");
        }
        this.name = name;
        this.clock = clock;
        this.pool = pool;
        this.queue = new MpmcArrayQueue<>(queueCapacity);
        this.packetLimit = queue.capacity() - commandReserve;
    }

    public String name() {
        return name;
    }

    public Clock clock() {
        return clock;
    }

    public PacketBufferPool pool() {
        return pool;
    }

    /** Worker-thread only. */
    public TimerQueue timers() {
        return timers;
    }

    /** Worker-thread only: the roll-up parent for routers' drop counters. */
    public DropCounters drops() {
        return drops;
    }

    /** Worker-thread only: monotonic forwarding totals (read elsewhere through {@link #statsSnapshot()}). */
    public WorkerStats stats() {
        return stats;
    }

    /**
     * A copy of this worker's counters and drops, taken on the worker thread after everything queued
     * before it: the same path {@code /debug} uses, so reading never races the packet path.
     */
    public CompletableFuture<ForwardingStats> statsSnapshot() {
        return call(() -> {
            long[] d = drops.toArray();
            d[DropReason.QUEUE_FULL.ordinal()] += queueFullDrops.get();
            return new ForwardingStats(stats.snapshot(), d, queue.size());
        });
    }

    // ------------------------------------------------------------------ submission (any thread)

    /** Queues an RTP packet for {@code handler}; on a full queue releases it and returns false. */
    public boolean submitRtp(PacketHandler handler, PacketBuffer packet) {
        return submitPacket(handler, packet, PacketBuffer.Kind.RTP);
    }

    /** Queues an RTCP compound packet for {@code handler}; same contract as {@link #submitRtp}. */
    public boolean submitRtcp(PacketHandler handler, PacketBuffer packet) {
        return submitPacket(handler, packet, PacketBuffer.Kind.RTCP);
    }

    private boolean submitPacket(PacketHandler handler, PacketBuffer packet, PacketBuffer.Kind kind) {
        packet.setRouting(kind, handler);
        if (queue.size() >= packetLimit || !queue.offer(packet)) {
            queueFullDrops.incrementAndGet();
            pool.release(packet);
            return false;
        }
        wakeIfParked();
        return true;
    }

    /**
     * Queues a control command to run on the worker thread. Returns false only when even the
     * command reserve is full; the caller decides whether to retry.
     */
    public boolean submit(Runnable command) {
        if (!queue.offer(command)) {
            commandsRejected.incrementAndGet();
            return false;
        }
        wakeIfParked();
        return true;
    }

    /** Runs {@code action} on the worker and completes with its result (or its exception). */
    public <T> CompletableFuture<T> call(Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean queued = submit(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        if (!queued) {
            result.completeExceptionally(new IllegalStateException("worker " + name + " queue is full"));
        }
        return result;
    }

    private void wakeIfParked() {
        if (parked) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    // ------------------------------------------------------------------ the loop (worker thread)

    /**
     * One step of the loop: handles up to a batch of queued items, then every due timer.
     * Returns the number of items and timers handled (0 means idle).
     */
    public int runOnce() {
        int done = 0;
        for (; done < BATCH; done++) {
            Object item = queue.poll();
            if (item == null) {
                break;
            }
            dispatch(item);
        }
        return done + timers.runDue(clock.nowNanos());
    }

    /** Runs {@link #runOnce()} until nothing is queued (timers due now included). */
    public void runUntilIdle() {
        while (runOnce() > 0) {
            // keep going
        }
    }

    private void dispatch(Object item) {
        if (item instanceof PacketBuffer packet) {
            packetsProcessed++;
            PacketHandler handler = (PacketHandler) packet.target();
            try {
                if (packet.kind() == PacketBuffer.Kind.RTP) {
                    handler.handleRtp(packet);
                } else {
                    handler.handleRtcp(packet);
                }
            } catch (RuntimeException e) {
                // A bug on the packet path must cost that packet, not the thread every room on this
                // worker runs on (handlers release their packet in a finally block).
                drops.increment(DropReason.HANDLER_FAILED);
                if (handlerFailures++ < LOGGED_FAILURES || Long.bitCount(handlerFailures) == 1) {
                    LOG.error("[worker={}] packet handler {} failed ({} so far)", name, handler, handlerFailures, e);
                }
            }
        } else {
            commandsProcessed++;
            try {
                ((Runnable) item).run();
            } catch (RuntimeException e) {
                // A failing command must not kill the thread that carries every other room.
                commandFailures++;
                LOG.error("[worker={}] command failed", name, e);
            }
        }
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        Thread t = new Thread(this::loop, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop() {
        LOG.info("[worker={}] started", name);
        int idleSpins = 0;
        while (running) {
            if (runOnce() > 0) {
                idleSpins = 0;
                continue;
            }
            if (++idleSpins < 64) {
                Thread.onSpinWait();
                continue;
            }
            parked = true;
            if (queue.isEmpty()) {
                long untilTimer = timers.nextDeadlineNanos() - clock.nowNanos();
                LockSupport.parkNanos(Math.max(1, Math.min(untilTimer, MAX_PARK_NANOS)));
            }
            parked = false;
        }
        LOG.info("[worker={}] stopped", name);
    }

    /** True while the worker's own thread runs the loop (false in step-driven tests). */
    public boolean isRunning() {
        return running;
    }

    public boolean isWorkerThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Throws when called off this worker's thread while the worker runs (tests that step the worker
     * with {@link #runOnce()} from their own thread are exempt). Objects a worker owns take no locks,
     * so a call from another thread would race the packet path: fail loudly instead. Allocates
     * nothing unless it throws.
     *
     * @param owner what is being used, named in the exception
     */
    public void checkThread(Object owner) {
        if (running && Thread.currentThread() != thread) {
            throw new IllegalStateException(owner + " used off its worker thread " + name);
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Return whatever is still queued so the pool's accounting stays exact.
        for (Object item = queue.poll(); item != null; item = queue.poll()) {
            if (item instanceof PacketBuffer packet) {
                pool.release(packet);
            }
        }
    }

    public long queueFullDrops() {
        return queueFullDrops.get();
    }

    public int queueSize() {
        return queue.size();
    }

    /** Worker-thread only (submit a command to read it from elsewhere). */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.put("queueSize", queue.size());
        n.put("queueCapacity", queue.capacity());
        n.put("packetsProcessed", packetsProcessed);
        n.put("commandsProcessed", commandsProcessed);
        n.put("commandFailures", commandFailures);
        n.put("handlerFailures", handlerFailures);
        n.put("timerFailures", timers.failures());
        n.put("commandsRejected", commandsRejected.get());
        n.put("timers", timers.size());
        ObjectNode d = drops.toJson();
        if (queueFullDrops.get() != 0) {
            d.put(DropReason.QUEUE_FULL.name(), queueFullDrops.get());
        }
        n.set("drops", d);
        n.set("pool", pool.toJson());
        return n;
    }
}
