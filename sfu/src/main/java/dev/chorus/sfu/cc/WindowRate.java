package dev.chorus.sfu.cc;

/**
 * A rate over the last second of some timeline (arrival or send times): entries of (end time,
 * bytes) added in time order, each covering the span since the previous entry's end.
 * Allocation-free; worker-thread only.
 */
final class WindowRate {
    private static final int ENTRIES = 64;
    private static final long WINDOW_US = 1_000_000L;
    private static final long MIN_SPAN_US = 200_000L;

    private final long[] endUs = new long[ENTRIES];
    private final long[] bytes = new long[ENTRIES];
    private int next;
    private int count;
    private long bps = -1;

    /** Adds {@code n} bytes ending at {@code timeUs}; returns the updated rate (or -1 while the span is short). */
    long add(long timeUs, long n) {
        endUs[next] = timeUs;
        bytes[next] = n;
        next = (next + 1) % ENTRIES;
        count = Math.min(count + 1, ENTRIES);
        long sum = 0;
        long oldestStart = timeUs;
        // An entry's span starts where the previous one ended, so the oldest entry only bounds the window.
        for (int k = 1; k < count; k++) {
            int i = Math.floorMod(next - k, ENTRIES);
            int prev = Math.floorMod(next - k - 1, ENTRIES);
            if (timeUs - endUs[prev] > WINDOW_US) {
                break;
            }
            sum += bytes[i];
            oldestStart = endUs[prev];
        }
        long span = timeUs - oldestStart;
        if (span >= MIN_SPAN_US) {
            bps = sum * 8 * 1_000_000L / span;
        }
        return bps;
    }
}
