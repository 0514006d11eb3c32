package dev.chorus.signaling.room;

/**
 * A token bucket on an injected nanosecond clock, so rate limits are testable: a socket's messages
 * ({@code SignalingSession}) and a room's viewer chat ({@link Room}).
 */
public final class TokenBucket {

    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastRefillNanos;

    public TokenBucket(int perSecond, int burst, long nowNanos) {
        this((double) perSecond, burst, nowNanos);
    }

    /** A rate below one per second too (0.5: one every 2 s). */
    public TokenBucket(double perSecond, int burst, long nowNanos) {
        this.capacity = burst;
        this.tokensPerNano = perSecond / 1e9;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
    }

    public boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            lastRefillNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
