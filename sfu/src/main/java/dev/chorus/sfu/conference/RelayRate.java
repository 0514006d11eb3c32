package dev.chorus.sfu.conference;

import dev.chorus.sfu.worker.Clock;

/** A token bucket: {@code perSecond} messages a second, in bursts of twice that. One thread. */
final class RelayRate {
    private final double perSecond;
    private final Clock clock;
    private double tokens;
    private long refilledAt;

    RelayRate(double perSecond, Clock clock) {
        this.perSecond = perSecond;
        this.clock = clock;
        this.tokens = 2 * perSecond;
        this.refilledAt = clock.nowNanos();
    }

    /** Takes one message's token; false when the sender is over the rate. */
    boolean take() {
        long now = clock.nowNanos();
        tokens = Math.min(2 * perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
        refilledAt = now;
        if (tokens >= 1) {
            tokens--;
            return true;
        }
        return false;
    }

    double perSecond() {
        return perSecond;
    }
}
