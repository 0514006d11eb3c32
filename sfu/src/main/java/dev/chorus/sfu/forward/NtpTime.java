package dev.chorus.sfu.forward;

/** Conversions between nanosecond durations and RTCP's time units. */
final class NtpTime {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NtpTime() {}

    /** A non-negative duration as a 32.32 fixed-point NTP delta. */
    static long nanosToNtp(long nanos) {
        long seconds = nanos / NANOS_PER_SECOND;
        long remainder = nanos % NANOS_PER_SECOND;
        return (seconds << 32) + (remainder << 32) / NANOS_PER_SECOND;
    }

    /** A non-negative duration in 1/65536 s (the DLSR unit), saturating at 32 bits. */
    static long nanosToDlsr(long nanos) {
        long seconds = nanos / NANOS_PER_SECOND;
        long remainder = nanos % NANOS_PER_SECOND;
        long units = (seconds << 16) + (remainder << 16) / NANOS_PER_SECOND;
        return Math.min(units, 0xFFFF_FFFFL);
    }

    /** A non-negative duration in RTP clock ticks at {@code clockRate} Hz (overflow-safe). */
    static long nanosToRtp(long nanos, int clockRate) {
        long seconds = nanos / NANOS_PER_SECOND;
        long remainder = nanos % NANOS_PER_SECOND;
        return seconds * clockRate + remainder * clockRate / NANOS_PER_SECOND;
    }
}
