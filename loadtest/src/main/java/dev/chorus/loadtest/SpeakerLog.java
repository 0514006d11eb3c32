package dev.chorus.loadtest;

/**
 * The {@code speaker} messages one bot received: when (nanoTime) and whom each named, the first
 * {@link #CAPACITY} kept, later ones only counted. Written by the bot's event loop, read after the run.
 */
final class SpeakerLog {
    static final int CAPACITY = 1024;

    private final long[] nanos = new long[CAPACITY];
    private final String[] ids = new String[CAPACITY];
    private volatile int events;

    void add(long atNanos, String id) {
        int n = events;
        if (n < CAPACITY) {
            nanos[n] = atNanos;
            ids[n] = id;
        }
        events = n + 1;
    }

    /** Messages received so far (also those past {@link #CAPACITY}). */
    int events() {
        return events;
    }

    /** When {@code id} was first named at or after {@code fromNanos} and before {@code toNanos}, or -1. */
    long first(String id, long fromNanos, long toNanos) {
        int n = Math.min(events, CAPACITY);
        for (int i = 0; i < n; i++) {
            if (nanos[i] >= fromNanos && nanos[i] < toNanos && id.equals(ids[i])) {
                return nanos[i];
            }
        }
        return -1;
    }
}
