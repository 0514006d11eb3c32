package dev.chorus.sfu.worker;

/**
 * Monotonic time source for media logic. Injected everywhere so tests drive time by hand
 * ({@link ManualClock}) instead of sleeping.
 */
@FunctionalInterface
public interface Clock {
    /** Monotonic nanoseconds; only differences are meaningful. */
    long nowNanos();

    Clock SYSTEM = System::nanoTime;
}
