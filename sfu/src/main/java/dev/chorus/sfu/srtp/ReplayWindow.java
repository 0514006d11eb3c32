package dev.chorus.sfu.srtp;

/**
 * The highest index seen on one stream and a 64-entry window of the indexes just below it (RFC 3711 §3.3.2). For SRTP
 * the index is the 48-bit ROC || SEQ, and {@link #estimate} turns a 16-bit sequence number into it (RFC 3711 §3.3.1,
 * Appendix A); for SRTCP it is the 31-bit SRTCP index. {@link #check} before authenticating, {@link #accept} after.
 */
final class ReplayWindow {
    static final int SIZE = 64;

    static final int FRESH = 0;
    static final int REPLAYED = 1;
    static final int TOO_OLD = 2;

    private boolean started;
    private long highest;
    /** Bit d set: index {@code highest - d} was accepted. */
    private long seen;

    /** Where to start ROC estimation for a stream that has not been seen yet (a receiver's first packet, ROC 0). */
    long estimate(int seq) {
        if (!started) {
            return seq;
        }
        long roc = highest >>> 16;
        int last = (int) (highest & 0xFFFF);
        long v;
        if (last < 32768) {
            v = seq - last > 32768 ? roc - 1 : roc;
        } else {
            v = last - 32768 > seq ? roc + 1 : roc;
        }
        return v < 0 ? -1 : (v << 16) | seq;
    }

    int check(long index) {
        if (!started || index > highest) {
            return FRESH;
        }
        long d = highest - index;
        if (d >= SIZE) {
            return TOO_OLD;
        }
        return ((seen >>> d) & 1) != 0 ? REPLAYED : FRESH;
    }

    void accept(long index) {
        if (!started) {
            started = true;
            highest = index;
            seen = 1;
        } else if (index > highest) {
            long shift = index - highest;
            seen = shift >= SIZE ? 1 : (seen << shift) | 1;
            highest = index;
        } else if (highest - index < SIZE) {
            seen |= 1L << (highest - index);
        }
    }

    long highest() {
        return highest;
    }

    boolean started() {
        return started;
    }
}
