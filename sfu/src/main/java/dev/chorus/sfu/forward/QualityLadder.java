package dev.chorus.sfu.forward;

/**
 * The steps a subscriber's bandwidth allocation climbs for one video: (spatial layer, temporal
 * layers) pairs, packed in an int as {@code spatial * 4 + temporal} so that a higher code is a
 * better picture. Temporal {@link TemporalFilter#ALL} (3) is a spatial layer with all its frames;
 * 0..2 keep TIDs up to that value. The ladder of a producer, lowest first:
 *
 * <ul>
 *   <li>the lowest spatial layer at each of its frame rates (7.5, 15, 30 fps with Chromium's three
 *       temporal layers): under a cap the last video standing keeps moving, just slower;
 *   <li>each higher spatial layer below {@link #FULL_RATE_FROM_HEIGHT} only at frame rates of at
 *       least {@link #MIN_UPPER_FPS}, and at its full rate: a small picture at 15 fps is worth more
 *       than a smaller one at 30, but not at 7.5 fps (it looks like a slide show); layers of 360p
 *       and up at their full rate only.
 * </ul>
 *
 * So a subscriber whose link shrinks first halves the frame rate of its layer, then falls to the
 * layer below at full rate, and so on; one that grows climbs the same steps back. A stream without
 * temporal layers has one step per spatial layer, as before. Frame rates are measured per layer
 * ({@link TemporalLayerRates}); a rate not measured yet does not qualify a step. Computed when
 * allocating (a few times a second), never per packet. Worker-thread only.
 */
final class QualityLadder {
    /** Frames per second below which a spatial layer above the lowest is not worth forwarding. */
    static final double MIN_UPPER_FPS = 12.0;
    /**
     * Layers this tall or taller are forwarded at their full frame rate only (as Jitsi Videobridge
     * does above its preferred 360p): a subscriber showing 360p or more watches faces and motion,
     * and the layer below at full rate serves it better than a stuttering larger picture.
     */
    static final int FULL_RATE_FROM_HEIGHT = 360;

    private static final int STRIDE = 4;

    private QualityLadder() {}

    static int of(int spatial, int temporal) {
        return spatial * STRIDE + temporal;
    }

    static int spatial(int rung) {
        return rung / STRIDE;
    }

    static int temporal(int rung) {
        return rung % STRIDE;
    }

    /** A spatial layer with every temporal layer. */
    static int top(int spatial) {
        return of(spatial, TemporalFilter.ALL);
    }

    /** The lowest step of {@code producer}'s ladder. */
    static int first(Producer producer, long nowNanos) {
        return next(producer, -1, nowNanos);
    }

    /** The step after {@code rung}, or -1 above the top. */
    static int next(Producer producer, int rung, long nowNanos) {
        int last = top(producer.spatialLayerCount() - 1);
        for (int r = rung + 1; r <= last; r++) {
            if (isStep(producer, r, nowNanos)) {
                return r;
            }
        }
        return -1;
    }

    private static boolean isStep(Producer producer, int rung, long nowNanos) {
        int t = temporal(rung);
        if (t == TemporalFilter.ALL) {
            return true;
        }
        int s = spatial(rung);
        SvcLayers svc = producer.svc();
        if (svc != null) {
            if (t >= svc.temporalLayers(s, nowNanos) - 1) {
                return false;
            }
            return s == 0 || (svc.height(s) < FULL_RATE_FROM_HEIGHT && svc.frameRate(s, t, nowNanos) >= MIN_UPPER_FPS);
        }
        RtpReceiveStream stream = producer.stream(s);
        if (t >= stream.temporalLayers(nowNanos) - 1) {
            return false; // the layer's top frame rate is its ALL step
        }
        return s == 0 || (stream.height() < FULL_RATE_FROM_HEIGHT && stream.frameRate(t, nowNanos) >= MIN_UPPER_FPS);
    }

    /** What forwarding {@code rung} of the producer costs, smoothed (SVC: its spatial layer and every one below). */
    static long bitrateBps(Producer producer, int rung, long nowNanos) {
        SvcLayers svc = producer.svc();
        if (svc != null) {
            return svc.bitrateBps(spatial(rung), temporal(rung), nowNanos);
        }
        return producer.stream(spatial(rung)).forwardableBitrateBps(temporal(rung), nowNanos);
    }

    /** "1/all", "0/T1": for logs and /debug. */
    static String name(int rung) {
        if (rung < 0) {
            return "paused";
        }
        return spatial(rung) + (temporal(rung) == TemporalFilter.ALL ? "/all" : "/T" + temporal(rung));
    }
}
