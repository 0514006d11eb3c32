package dev.chorus.sfu.worker;

/** A clock that moves only when told to: deterministic tests of timers, rates and jitter. */
public final class ManualClock implements Clock {
    private long now;

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    public ManualClock() {
        this(1_000_000_000L);
    }

    @Override
    public long nowNanos() {
        return now;
    }

    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time runs forward");
        }
        now += nanos;
    }

    public void advanceMillis(long millis) {
        advanceNanos(millis * 1_000_000L);
    }
}
