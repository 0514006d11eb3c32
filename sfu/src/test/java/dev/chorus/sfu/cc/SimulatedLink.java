package dev.chorus.sfu.cc;

import java.util.Random;

/**
 * A one-way path for fake-clock tests: a fixed propagation delay, a serialising bottleneck of
 * some rate with a drop-tail queue bounded in time, and seeded random loss. Given when a packet
 * leaves and how big it is, says when it arrives, or -1 when it is lost.
 */
public final class SimulatedLink {
    private final Random random;
    private long rateBps;
    private long queueLimitNanos;
    private long delayNanos;
    private double loss;
    private long busyUntilNanos;
    private long stallEveryNanos;
    private long stallNanos;

    public SimulatedLink(long seed) {
        this.random = new Random(seed);
        this.delayNanos = 20_000_000L;
        this.queueLimitNanos = 200_000_000L;
    }

    /** 0 = no bottleneck. */
    public SimulatedLink rate(long bps) {
        this.rateBps = bps;
        return this;
    }

    /** How long the bottleneck's drop-tail queue may be (200 ms unless set): a short one is a policer. */
    public SimulatedLink queueMillis(long millis) {
        this.queueLimitNanos = millis * 1_000_000L;
        return this;
    }

    public SimulatedLink loss(double ratio) {
        this.loss = ratio;
        return this;
    }

    public SimulatedLink delayMillis(long millis) {
        this.delayNanos = millis * 1_000_000L;
        return this;
    }

    /**
     * A receiver starved of CPU: every {@code everyMillis} it reads nothing for {@code millis}, then
     * stamps everything that came in meanwhile at once. Nothing is lost and the rate is kept.
     */
    public SimulatedLink stalls(long everyMillis, long millis) {
        this.stallEveryNanos = everyMillis * 1_000_000L;
        this.stallNanos = millis * 1_000_000L;
        return this;
    }

    /** Arrival time in nanoseconds, or -1 if the packet is lost (randomly or at a full queue). */
    public long send(long sentNanos, int bytes) {
        long departure = sentNanos;
        if (rateBps > 0) {
            long start = Math.max(sentNanos, busyUntilNanos);
            if (start - sentNanos > queueLimitNanos) {
                return -1;
            }
            departure = start + bytes * 8L * 1_000_000_000L / rateBps;
            busyUntilNanos = departure;
        }
        if (loss > 0 && random.nextDouble() < loss) {
            return -1;
        }
        long arrival = departure + delayNanos;
        if (stallEveryNanos > 0 && Math.floorMod(arrival, stallEveryNanos) < stallNanos) {
            arrival += stallNanos - Math.floorMod(arrival, stallEveryNanos);
        }
        return arrival;
    }
}
