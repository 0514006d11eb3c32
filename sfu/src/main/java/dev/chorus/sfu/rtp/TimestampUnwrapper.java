package dev.chorus.sfu.rtp;

/**
 * Extends 32-bit RTP timestamps to a monotonic {@code long} across wraps, in the stream's
 * clock-rate units. Same placement rule as {@link SeqUnwrapper}: each value lands within half
 * the 32-bit space of the previous one; the first value unwraps to itself.
 */
public final class TimestampUnwrapper {
    private long last;
    private boolean started;

    /** Unwraps {@code timestamp} (low 32 bits used) and makes it the new reference. */
    public long unwrap(long timestamp) {
        last = peek(timestamp);
        started = true;
        return last;
    }

    /** Unwraps {@code timestamp} without changing the reference. */
    public long peek(long timestamp) {
        if (!started) {
            return timestamp & 0xFFFF_FFFFL;
        }
        return last + RtpSeq.timestampDelta(timestamp, last);
    }

    public boolean hasStarted() {
        return started;
    }

    public long last() {
        return last;
    }

    public void reset() {
        started = false;
        last = 0;
    }
}
