package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What each VP8 temporal layer of one encoding costs and how many frames it adds: bytes and frames
 * per TID over consecutive windows of {@link #WINDOW_NANOS}, smoothed like {@code cc.RateMeter}. The
 * bandwidth allocation reads cumulative figures (TID 0 up to t) to price a (spatial, temporal)
 * step. Packets without a TID count as layer 0, so a stream without temporal layers has one layer
 * carrying everything. A frame is a new RTP timestamp on its layer, so a lost first packet does not
 * lose the frame. One call per forwardable packet, no allocation; worker-thread only.
 */
final class TemporalLayerRates {
    /** VP8's TID has two bits. */
    static final int MAX_LAYERS = 4;

    static final long WINDOW_NANOS = 500_000_000L;
    /** A layer without a frame for this long no longer counts (the publisher changed its pattern). */
    static final long LAYER_GONE_NANOS = 2_000_000_000L;

    private final long[] windowBytes = new long[MAX_LAYERS];
    private final long[] windowFrames = new long[MAX_LAYERS];
    private final double[] bps = new double[MAX_LAYERS];
    private final double[] fps = new double[MAX_LAYERS];
    private final long[] lastTimestamp = new long[MAX_LAYERS];
    private final long[] lastFrameNanos = {-1, -1, -1, -1};
    private final long[] frames = new long[MAX_LAYERS];
    private final long[] syncFrames = new long[MAX_LAYERS];
    private long windowStart = -1;
    private boolean measured;

    /** One forwardable packet of {@code bytes}, layer {@code tid} (-1: none), timestamp {@code ts}. */
    void add(int tid, boolean layerSync, long ts, int bytes, long nowNanos) {
        roll(nowNanos);
        int t = tid < 0 ? 0 : tid;
        windowBytes[t] += bytes;
        if (lastFrameNanos[t] < 0 || lastTimestamp[t] != ts) {
            lastTimestamp[t] = ts;
            lastFrameNanos[t] = nowNanos;
            windowFrames[t]++;
            frames[t]++;
            if (layerSync) {
                syncFrames[t]++;
            }
        }
    }

    /** Temporal layers arriving: the highest TID with a frame in the last two seconds, plus one (1 without any). */
    int layers(long nowNanos) {
        for (int t = MAX_LAYERS - 1; t > 0; t--) {
            if (lastFrameNanos[t] >= 0 && nowNanos - lastFrameNanos[t] < LAYER_GONE_NANOS) {
                return t + 1;
            }
        }
        return 1;
    }

    /** Bits per second of layers 0..{@code tid}, smoothed; 0 before the first full window. */
    long cumulativeBps(int tid, long nowNanos) {
        roll(nowNanos);
        double sum = 0;
        for (int t = 0; t <= Math.min(tid, MAX_LAYERS - 1); t++) {
            sum += bps[t];
        }
        return (long) sum;
    }

    /** Frames per second of layers 0..{@code tid}, smoothed; 0 before the first full window. */
    double cumulativeFps(int tid, long nowNanos) {
        roll(nowNanos);
        double sum = 0;
        for (int t = 0; t <= Math.min(tid, MAX_LAYERS - 1); t++) {
            sum += fps[t];
        }
        return sum;
    }

    /** True once a full window was measured. */
    boolean measured() {
        return measured;
    }

    private void roll(long nowNanos) {
        if (windowStart < 0) {
            windowStart = nowNanos;
            return;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        for (int t = 0; t < MAX_LAYERS; t++) {
            double rate = windowBytes[t] * 8.0 * 1e9 / elapsed;
            double frameRate = windowFrames[t] * 1e9 / elapsed;
            bps[t] = measured ? bps[t] + 0.5 * (rate - bps[t]) : rate;
            fps[t] = measured ? fps[t] + 0.5 * (frameRate - fps[t]) : frameRate;
            windowBytes[t] = 0;
            windowFrames[t] = 0;
        }
        measured = true;
        windowStart = nowNanos;
    }

    /** Per layer: its own (not cumulative) rate and frame rate, frames and layer-sync frames seen. */
    ArrayNode toJson(long nowNanos) {
        roll(nowNanos);
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int t = 0; t < layers(nowNanos); t++) {
            ObjectNode o = a.addObject();
            o.put("tid", t);
            o.put("bps", (long) bps[t]);
            o.put("fps", Math.round(fps[t] * 10) / 10.0);
            o.put("frames", frames[t]);
            o.put("syncFrames", syncFrames[t]);
        }
        return a;
    }
}
