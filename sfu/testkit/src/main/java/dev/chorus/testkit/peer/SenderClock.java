package dev.chorus.testkit.peer;

import java.util.function.LongSupplier;

/**
 * One clock for everything a peer timestamps from wall time: simulcast layers' RTP timestamps and the NTP
 * time of their sender reports. Sharing it is what makes the layers' timestamps map to the same wall clock,
 * so an SFU that switches a subscriber between layers can keep the forwarded timestamps continuous.
 * Read-only after construction; safe from any thread.
 */
final class SenderClock {
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    private static final long NTP_UNIX_OFFSET_SECONDS = 2_208_988_800L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanos;
    private final long startNanos;
    private final long startUnixNanos;

    /**
     * @param nanos         a monotonic clock in nanoseconds (e.g. {@link System#nanoTime()})
     * @param unixMillisNow the wall time when {@code nanos} reads what it reads now
     */
    SenderClock(LongSupplier nanos, long unixMillisNow) {
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.startUnixNanos = unixMillisNow * 1_000_000L;
    }

    static SenderClock system() {
        return new SenderClock(System::nanoTime, System.currentTimeMillis());
    }

    long nanos() {
        return nanos.getAsLong();
    }

    /** Ticks of a {@code rate} Hz clock from the start to {@code nanos} (not wrapped to 32 bits). */
    long rtpTicks(long nanos, int rate) {
        long elapsed = nanos - startNanos;
        // Split, so that a long-running bot does not overflow elapsed * rate.
        return Math.floorDiv(elapsed, NANOS_PER_SECOND) * rate
                + Math.floorMod(elapsed, NANOS_PER_SECOND) * rate / NANOS_PER_SECOND;
    }

    /** The 64-bit NTP timestamp (seconds since 1900 in the high word) of {@code nanos}. */
    long ntp(long nanos) {
        long unix = startUnixNanos + (nanos - startNanos);
        long seconds = Math.floorDiv(unix, NANOS_PER_SECOND) + NTP_UNIX_OFFSET_SECONDS;
        long fraction = (Math.floorMod(unix, NANOS_PER_SECOND) << 32) / NANOS_PER_SECOND;
        return (seconds << 32) | fraction;
    }
}
