package dev.chorus.testkit.netsim;

import java.util.SplittableRandom;

/**
 * One direction of a simulated link: pure logic, no sockets, no clock of its own. For each packet the caller
 * passes its arrival time (nanoseconds on any monotonic clock) and size; {@link #offer} says whether the packet is
 * dropped (and why) or when it is to be delivered ({@link #deliveryNanos()}).
 *
 * <p>Model, in order: loss (Gilbert-Elliott two-state chain: a "bad" state in which every packet is lost and a
 * "good" state in which none is; the chain leaves the bad state with probability 1/meanBurstLength per packet and
 * enters it with the probability that yields the configured long-run loss rate; a mean burst of 1 or less means
 * independent losses), then the serialising link when a rate is set (departure = max(arrival, previous departure)
 * + size*8/rate; drop-tail when the packet would wait in the queue longer than queueMillis), then the propagation
 * delay plus uniform jitter, then reordering (a packet is held back an extra max(delay+jitter, 20 ms)).
 * Packets that are neither jittered nor held keep their order even across parameter changes.
 *
 * <p>Randomness comes from a seeded generator, so a given seed and input give the same outcome. Not thread-safe:
 * one thread offers packets; {@link #setImpairment} may be called from any thread and applies to packets offered
 * after it.
 */
public final class ImpairedLink {

    /** What happened to an offered packet. */
    public enum Outcome {
        /** To be delivered at {@link ImpairedLink#deliveryNanos()}. */
        DELIVER,
        /** Lost by the loss model. */
        LOSS,
        /** Dropped because the rate-limited link's queue was full. */
        QUEUE_FULL
    }

    /** Minimum extra hold of a reordered packet, so reordering happens even without delay. */
    static final long MIN_REORDER_HOLD_NANOS = 20_000_000L;

    private final SplittableRandom random;
    private volatile Impairment impairment;

    // Derived from the impairment last seen by offer().
    private Impairment applied;
    private double enterBad; // P(good -> bad) per packet
    private double leaveBad; // P(bad -> good) per packet
    private boolean bernoulli;

    private boolean bad;
    private long lastDepartureNanos;
    private boolean linkBusy;
    private long lastOrderedDeliveryNanos;
    private boolean anyOrdered;
    private long deliveryNanos;

    private long offered;
    private long delivered;
    private long droppedLoss;
    private long droppedQueue;

    public ImpairedLink(Impairment impairment, long seed) {
        this.random = new SplittableRandom(seed);
        this.impairment = impairment == null ? Impairment.NONE : impairment;
    }

    /** Applies to packets offered after this call. */
    public void setImpairment(Impairment impairment) {
        this.impairment = impairment == null ? Impairment.NONE : impairment;
    }

    public Impairment impairment() {
        return impairment;
    }

    /**
     * Decides the fate of one packet.
     *
     * @param arrivalNanos when the packet arrived (non-decreasing across calls)
     * @param sizeBytes    its size on the wire (payload bytes; used by the rate cap)
     */
    public Outcome offer(long arrivalNanos, int sizeBytes) {
        Impairment imp = impairment;
        if (imp != applied) {
            apply(imp);
        }
        offered++;
        if (lost(imp)) {
            droppedLoss++;
            return Outcome.LOSS;
        }
        long t = arrivalNanos;
        if (imp.rateKbps() > 0) {
            long start = linkBusy && lastDepartureNanos - arrivalNanos > 0 ? lastDepartureNanos : arrivalNanos;
            if (start - arrivalNanos > imp.queueMillis() * 1_000_000L) {
                droppedQueue++;
                return Outcome.QUEUE_FULL;
            }
            long serialise = Math.max(0, sizeBytes) * 8_000_000L / imp.rateKbps();
            t = start + serialise;
            lastDepartureNanos = t;
            linkBusy = true;
        } else {
            linkBusy = false;
        }
        t += imp.delayMillis() * 1_000_000L;
        boolean ordered = true;
        if (imp.jitterMillis() > 0) {
            t += random.nextLong(imp.jitterMillis() * 1_000_000L + 1);
            ordered = false;
        }
        if (imp.reorderRate() > 0 && random.nextDouble() < imp.reorderRate()) {
            t += Math.max((imp.delayMillis() + imp.jitterMillis()) * 1_000_000L, MIN_REORDER_HOLD_NANOS);
            ordered = false;
        }
        if (ordered) {
            if (anyOrdered && t - lastOrderedDeliveryNanos < 0) {
                t = lastOrderedDeliveryNanos; // e.g. the delay was lowered: never overtake an earlier packet
            }
            lastOrderedDeliveryNanos = t;
            anyOrdered = true;
        }
        deliveryNanos = t;
        delivered++;
        return Outcome.DELIVER;
    }

    /** Delivery time of the last packet {@link #offer} accepted. */
    public long deliveryNanos() {
        return deliveryNanos;
    }

    private boolean lost(Impairment imp) {
        double loss = imp.lossRate();
        if (loss <= 0) {
            bad = false;
            return false;
        }
        if (loss >= 1) {
            bad = true;
            return true;
        }
        if (bernoulli) {
            bad = random.nextDouble() < loss;
        } else if (bad) {
            bad = random.nextDouble() >= leaveBad;
        } else {
            bad = random.nextDouble() < enterBad;
        }
        return bad;
    }

    private void apply(Impairment imp) {
        applied = imp;
        double loss = imp.lossRate();
        bernoulli = imp.meanBurstLength() <= 1;
        if (!bernoulli && loss > 0 && loss < 1) {
            leaveBad = 1.0 / imp.meanBurstLength();
            // stationary P(bad) = enter / (enter + leave) = loss
            enterBad = Math.min(1.0, loss * leaveBad / (1 - loss));
        }
    }

    public long offered() {
        return offered;
    }

    public long accepted() {
        return delivered;
    }

    public long droppedLoss() {
        return droppedLoss;
    }

    public long droppedQueue() {
        return droppedQueue;
    }
}
