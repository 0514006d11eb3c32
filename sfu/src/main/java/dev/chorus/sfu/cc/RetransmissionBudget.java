package dev.chorus.sfu.cc;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How many bytes of retransmissions one subscriber's link can take: a token bucket filled at a
 * share of the bandwidth estimate, holding at most {@link #BURST_NANOS} of that rate.
 *
 * <p>Why: a link that loses packets because it is full gets NACKs for them, and answering every
 * NACK puts more into the same full queue, which loses more (a retransmission flood). libwebrtc
 * bounds retransmissions by a rate limiter at the target rate and counts them in the send rate;
 * this is the same idea with a smaller share, because the SFU also forwards the media that
 * caused the loss. Retransmissions over budget are refused (the receiver asks again, or its
 * decoder requests a keyframe). Worker-thread only; allocates nothing per call.
 */
public final class RetransmissionBudget {
    /** The bucket holds this much time at the budget's rate: room for a short burst of losses. */
    static final long BURST_NANOS = 500_000_000L;
    /** A probe's credit lasts as long as a packet stays in the retransmission buffer. */
    static final long PROBE_CREDIT_NANOS = 1_000_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int sharePercent;
    private double tokensBytes = -1;
    private long lastRefillNanos;
    private long allowedBytes;
    private long refused;
    private long refusedBytes;
    private long creditBytes;
    private long creditUntilNanos = Long.MIN_VALUE;
    private long creditedBytes;

    /** @param sharePercent share of the estimate retransmissions may use, 1..100 */
    public RetransmissionBudget(int sharePercent) {
        if (sharePercent < 1 || sharePercent > 100) {
            throw new IllegalArgumentException("retransmission share must be 1..100 %: " + sharePercent);
        }
        this.sharePercent = sharePercent;
    }

    /**
     * Whether a retransmission of {@code bytes} fits the budget at {@code estimateBps}; when it does
     * its bytes are taken from the budget, when not it is counted as refused.
     */
    public boolean tryTake(int bytes, long estimateBps, long nowNanos) {
        double rateBytesPerNano = (double) estimateBps * sharePercent / 100 / 8 / NANOS_PER_SECOND;
        double capacity = rateBytesPerNano * BURST_NANOS;
        if (tokensBytes < 0) {
            tokensBytes = capacity; // a full bucket to start: the first losses are not a flood
        } else {
            long dt = Math.max(0, nowNanos - lastRefillNanos);
            tokensBytes = Math.min(capacity, tokensBytes + rateBytesPerNano * dt);
        }
        lastRefillNanos = nowNanos;
        if (tokensBytes < bytes && nowNanos <= creditUntilNanos && creditBytes >= bytes) {
            creditBytes -= bytes;
            creditedBytes += bytes;
            allowedBytes += bytes;
            return true;
        }
        if (tokensBytes < bytes) {
            refused++;
            refusedBytes += bytes;
            return false;
        }
        tokensBytes -= bytes;
        allowedBytes += bytes;
        return true;
    }

    /**
     * A bandwidth probe just stopped sending {@code probeBytes} of padding on top of the media: for the next
     * {@link #PROBE_CREDIT_NANOS} that many bytes of repairs may go beyond the budget. A probe that finds the link
     * full loses media packets of its own making, at most what it added; refusing their repairs (the budget is
     * sized for a link's own losses) left a capped Firefox page waiting 3 s for a keyframe, at half its frame rate
     * (SimulcastFirefoxIT, 57 refusals in one run). The padding has stopped, so that room is free again.
     */
    public void creditProbe(long probeBytes, long nowNanos) {
        creditBytes = Math.max(0, probeBytes);
        creditUntilNanos = nowNanos + PROBE_CREDIT_NANOS;
    }

    public long refused() {
        return refused;
    }

    public void addJson(ObjectNode n) {
        ObjectNode b = n.putObject("retransmissionBudget");
        b.put("sharePercent", sharePercent);
        b.put("allowedBytes", allowedBytes);
        b.put("refused", refused);
        b.put("refusedBytes", refusedBytes);
        b.put("probeCreditUsedBytes", creditedBytes);
    }
}
