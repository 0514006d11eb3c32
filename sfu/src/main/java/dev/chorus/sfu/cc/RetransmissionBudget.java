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

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int sharePercent;
    /** May be negative: a debt that {@link #tryOverdraw} ran up. */
    private double tokensBytes;

    private boolean started;
    private long lastRefillNanos;
    private long allowedBytes;
    private long refused;
    private long refusedBytes;
    private long overdrawn;

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
        return take(bytes, estimateBps, nowNanos, 0);
    }

    /**
     * Like {@link #tryTake}, but the bucket may go into debt by up to one full bucket: for a retransmission the
     * receiver cannot do without. A lost packet of a keyframe freezes the video until it arrives, and the other way
     * out, a new keyframe after the receiver's PLI, costs the link the whole frame again. The debt is paid back
     * before any other retransmission fits.
     */
    public boolean tryOverdraw(int bytes, long estimateBps, long nowNanos) {
        boolean ok = take(bytes, estimateBps, nowNanos, capacityBytes(estimateBps));
        if (ok && tokensBytes < 0) {
            overdrawn++; // it went through on credit
        }
        return ok;
    }

    private boolean take(int bytes, long estimateBps, long nowNanos, double debtAllowed) {
        double rateBytesPerNano = (double) estimateBps * sharePercent / 100 / 8 / NANOS_PER_SECOND;
        double capacity = capacityBytes(estimateBps);
        if (!started) {
            started = true;
            tokensBytes = capacity; // a full bucket to start: the first losses are not a flood
        } else {
            long dt = Math.max(0, nowNanos - lastRefillNanos);
            tokensBytes = Math.min(capacity, tokensBytes + rateBytesPerNano * dt);
        }
        lastRefillNanos = nowNanos;
        if (tokensBytes - bytes < -debtAllowed) {
            refused++;
            refusedBytes += bytes;
            return false;
        }
        tokensBytes -= bytes;
        allowedBytes += bytes;
        return true;
    }

    private double capacityBytes(long estimateBps) {
        return (double) estimateBps * sharePercent / 100 / 8 / NANOS_PER_SECOND * BURST_NANOS;
    }

    public long refused() {
        return refused;
    }

    /** Retransmissions let through on credit ({@link #tryOverdraw}). */
    public long overdrawn() {
        return overdrawn;
    }

    public void addJson(ObjectNode n) {
        ObjectNode b = n.putObject("retransmissionBudget");
        b.put("sharePercent", sharePercent);
        b.put("allowedBytes", allowedBytes);
        b.put("refused", refused);
        b.put("refusedBytes", refusedBytes);
        b.put("overdrawn", overdrawn);
    }
}
