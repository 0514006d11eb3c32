package dev.chorus.sfu.record;

/**
 * Puts one publisher's NTP clock (its sender reports) on the server's clock, for all of its tracks alike: the offset
 * is taken once, from the first sender report of any of them, so the publisher's own audio/video alignment (one NTP
 * clock) is kept exactly, and different publishers line up to within that report's network delay. Writer-thread
 * only.
 */
final class ParticipantClock {
    private boolean known;
    private long offsetNanos;

    /** A sender report that arrived at {@code arrivalNanos} (server clock) said it was {@code ntp}. */
    void onSenderReport(long ntp, long arrivalNanos) {
        if (!known) {
            known = true;
            offsetNanos = arrivalNanos - ntpToNanos(ntp);
        }
    }

    boolean known() {
        return known;
    }

    /** The server-clock time of publisher NTP time {@code ntpNanos} (see {@link #ntpToNanos}). */
    long serverNanos(long ntpNanos) {
        return ntpNanos + offsetNanos;
    }

    /** A 32.32 NTP timestamp in nanoseconds since 1900 (fits a long until 2192). */
    static long ntpToNanos(long ntp) {
        long seconds = ntp >>> 32;
        long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * 1_000_000_000L + ((fraction * 1_000_000_000L) >>> 32);
    }
}
