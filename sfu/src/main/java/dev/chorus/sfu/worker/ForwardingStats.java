package dev.chorus.sfu.worker;

import dev.chorus.sfu.drop.DropReason;

/**
 * A copy of the forwarding counters of one or more workers, taken on their own threads (see
 * {@link MediaWorker#statsSnapshot()}), so any thread may read it. Immutable by convention: the arrays
 * are never changed after construction.
 *
 * @param counters by {@link WorkerStats.Counter#ordinal()}
 * @param drops    by {@link DropReason#ordinal()}, queue-full drops counted by submitters included
 * @param queued   packets and commands waiting in the workers' queues when the copy was taken
 */
public record ForwardingStats(long[] counters, long[] drops, long queued) {

    public ForwardingStats {
        if (counters.length != WorkerStats.Counter.values().length || drops.length != DropReason.values().length) {
            throw new IllegalArgumentException("counter arrays do not match the enums");
        }
    }

    /** All zero: the sum of no workers. */
    public static ForwardingStats empty() {
        return new ForwardingStats(
                new long[WorkerStats.Counter.values().length], new long[DropReason.values().length], 0);
    }

    public long get(WorkerStats.Counter counter) {
        return counters[counter.ordinal()];
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** The element-wise sum of two copies (several workers' totals). */
    public ForwardingStats plus(ForwardingStats other) {
        long[] c = counters.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += other.counters[i];
        }
        long[] d = drops.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] += other.drops[i];
        }
        return new ForwardingStats(c, d, queued + other.queued);
    }
}
