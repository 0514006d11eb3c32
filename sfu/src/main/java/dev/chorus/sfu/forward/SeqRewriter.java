package dev.chorus.sfu.forward;

/**
 * Maps a producer's (extended) sequence numbers to one consumer's outgoing 16-bit sequence so
 * that packets the SFU drops for this consumer leave no hole, while holes the publisher's own
 * losses left stay, so the subscriber can still NACK them.
 *
 * <p>Model: {@code out = in - offset}. Each packet the SFU drops (newer than anything seen)
 * bumps the offset by one. Late packets must use the offset that was in effect at their
 * position, so the positions where the offset changed are kept as a short history of
 * <em>drop runs</em> (contiguous dropped inputs with no forwarded packet in between). A late
 * packet inside a drop run is one the SFU already skipped; one older than the history, or older
 * than the first forwarded packet, cannot be mapped safely. Both are refused (-1).
 *
 * <p>Inputs are the producer's unwrapped sequence numbers, so wraparound never reaches here.
 * A late packet the SFU drops can leave one hole; that only happens under reordering.
 */
final class SeqRewriter {
    static final int HISTORY = 32;

    private final int initialOut;
    private boolean started;
    private long offset;
    private long highestIn;
    /** Inputs at or below this cannot be mapped (before the first forward, or history evicted). */
    private long floorIn;

    private final long[] runStart = new long[HISTORY];
    private final long[] runEnd = new long[HISTORY];
    private final long[] offsetBefore = new long[HISTORY];
    private int runCount;
    private int newestRun = -1;
    private long dropsHidden;

    SeqRewriter(int initialOut) {
        this.initialOut = initialOut & 0xFFFF;
    }

    /**
     * Outgoing sequence number for forwarded input {@code extIn}, or -1 when it cannot be
     * mapped (then the caller drops it). The first forwarded packet gets the initial value.
     */
    int forward(long extIn) {
        if (!started) {
            started = true;
            offset = extIn - initialOut;
            highestIn = extIn;
            floorIn = extIn - 1;
            return initialOut;
        }
        if (extIn > highestIn) {
            highestIn = extIn;
            return (int) ((extIn - offset) & 0xFFFF);
        }
        if (extIn <= floorIn) {
            return -1;
        }
        long effective = offset;
        for (int i = 0, r = newestRun; i < runCount; i++, r = (r + HISTORY - 1) % HISTORY) {
            if (extIn > runEnd[r]) {
                break;
            }
            if (extIn >= runStart[r]) {
                return -1;
            }
            effective = offsetBefore[r];
        }
        return (int) ((extIn - effective) & 0xFFFF);
    }

    /** {@link #reverse} result: the subscriber names a number the SFU never sent (ahead of the newest). */
    static final long REVERSE_UNKNOWN = -1;
    /** {@link #reverse} result: older than the first forwarded packet or than the mapping history. */
    static final long REVERSE_TOO_OLD = -2;

    /**
     * The input (producer's extended sequence number) that was sent as outgoing number
     * {@code out} (16 bits, as a subscriber's NACK names it), or a negative {@code REVERSE_*}
     * code. The inverse of {@link #forward}: outgoing numbers are gap-free over the SFU's drops,
     * so walking the drop runs from newest to oldest restores the offset in effect back then.
     */
    long reverse(int out) {
        if (!started) {
            return REVERSE_UNKNOWN;
        }
        // Extended outgoing number of the newest input (sent, or the last one before a drop run).
        long highOut = highestIn - offset;
        long back = (highOut - out) & 0xFFFF;
        if (back >= 0x8000) {
            return REVERSE_UNKNOWN;
        }
        long outExt = highOut - back;
        long effective = offset;
        for (int i = 0, r = newestRun; i < runCount; i++, r = (r + HISTORY - 1) % HISTORY) {
            if (outExt + effective > runEnd[r]) {
                break;
            }
            effective = offsetBefore[r];
        }
        long in = outExt + effective;
        return in <= floorIn ? REVERSE_TOO_OLD : in;
    }

    /** Records that the SFU dropped input {@code extIn} for this consumer. */
    void drop(long extIn) {
        if (!started || extIn <= highestIn) {
            // Nothing sent yet (nothing to hide), or a late packet: it cannot shift packets already sent.
            return;
        }
        boolean extendsNewestRun = runCount > 0 && runEnd[newestRun] == highestIn && extIn == highestIn + 1;
        if (extendsNewestRun) {
            runEnd[newestRun] = extIn;
        } else {
            if (runCount == HISTORY) {
                int oldest = (newestRun + 1) % HISTORY;
                floorIn = Math.max(floorIn, runEnd[oldest]);
                runCount--;
            }
            newestRun = (newestRun + 1) % HISTORY;
            runStart[newestRun] = extIn;
            runEnd[newestRun] = extIn;
            offsetBefore[newestRun] = offset;
            runCount++;
        }
        offset++;
        highestIn = extIn;
        dropsHidden++;
    }

    boolean started() {
        return started;
    }

    /** The newest input forwarded or dropped, {@link Long#MIN_VALUE} before the first forward. */
    long highestIn() {
        return started ? highestIn : Long.MIN_VALUE;
    }

    /** Dropped packets whose sequence numbers were closed up. */
    long dropsHidden() {
        return dropsHidden;
    }

    /** Current input-to-output offset (mod 2^16 when applied). */
    long offset() {
        return offset;
    }
}
