package dev.chorus.sfu.rtp;

/**
 * Extends 16-bit RTP sequence numbers to a monotonic {@code long} count across wraps.
 *
 * <p>Each value is placed within half the number space of the previous one, so reordered and
 * late packets land at their true position (possibly below values already returned). The
 * first value seen unwraps to itself; a packet that precedes it can yield a negative number.
 * Not thread-safe: one instance per stream, owned by the stream's worker.
 */
public final class SeqUnwrapper {
    private long last;
    private boolean started;

    /** Unwraps {@code seq} and makes it the reference for the next call. */
    public long unwrap(int seq) {
        last = peek(seq);
        started = true;
        return last;
    }

    /** Unwraps {@code seq} without changing the reference. */
    public long peek(int seq) {
        if (!started) {
            return seq & 0xFFFF;
        }
        return last + RtpSeq.delta(seq, (int) last);
    }

    public boolean hasStarted() {
        return started;
    }

    /** The last value returned by {@link #unwrap}; meaningless before the first call. */
    public long last() {
        return last;
    }

    public void reset() {
        started = false;
        last = 0;
    }
}
