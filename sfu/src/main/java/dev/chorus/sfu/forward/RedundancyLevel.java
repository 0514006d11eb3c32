package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How many earlier Opus frames the RED packets to one subscriber repeat, from the loss its receiver reports show
 * on this stream (RFC 3550 fraction lost, before RED repairs anything). A new subscriber gets the most
 * ({@code max}, {@code chorus.media.audio-red-redundancy}): nothing is known of its link yet. Reports of
 * {@link #RAISE_LOSS_256} or more restore the most at once; only after {@link #CLEAN_NANOS} of reports under
 * {@link #LOWER_LOSS_256} does it step down to one frame, what the browser itself repeats, which still carries
 * the frames the SFU recovered from the publisher. Worker-thread only; allocation-free.
 */
final class RedundancyLevel {
    /** 2 % in RFC 3550's fraction-lost units (1/256). */
    static final int RAISE_LOSS_256 = 5;
    /** 1 % in the same units. */
    static final int LOWER_LOSS_256 = 3;
    /** Clean reports for this long before the level steps down. */
    static final long CLEAN_NANOS = 10_000_000_000L;

    private final int max;
    private int current;
    /** Since when the reports have been clean, -1 while they are not (or before any). */
    private long cleanSinceNanos = -1;

    private long raises;
    private long lowerings;
    private int lastFractionLost = -1;

    RedundancyLevel(int max) {
        if (max < 1 || max > RouterConfig.MAX_AUDIO_REDUNDANCY) {
            throw new IllegalArgumentException("redundancy must be 1.." + RouterConfig.MAX_AUDIO_REDUNDANCY);
        }
        this.max = max;
        this.current = max;
    }

    /** Earlier frames to repeat in the next RED packet. */
    int current() {
        return current;
    }

    /** A report block about this stream from the subscriber: {@code fractionLost} 0..255 (RFC 3550). */
    void onReport(int fractionLost, long nowNanos) {
        lastFractionLost = fractionLost;
        if (fractionLost >= RAISE_LOSS_256) {
            cleanSinceNanos = -1;
            if (current != max) {
                current = max;
                raises++;
            }
        } else if (fractionLost >= LOWER_LOSS_256) {
            cleanSinceNanos = -1; // between the two: neither raised nor clean
        } else if (cleanSinceNanos < 0) {
            cleanSinceNanos = nowNanos;
        } else if (current > 1 && nowNanos - cleanSinceNanos >= CLEAN_NANOS) {
            current = 1;
            lowerings++;
        }
    }

    void addJson(ObjectNode n) {
        n.put("redundancy", current);
        n.put("redundancyMax", max);
        n.put("redundancyRaises", raises);
        n.put("redundancyLowerings", lowerings);
        n.put("reportedFractionLost", lastFractionLost);
    }
}
