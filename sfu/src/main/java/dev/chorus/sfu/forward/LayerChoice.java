package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Which spatial layer one consumer should forward (a simulcast encoding, or a layer inside a VP9 SVC
 * encoding: {@link Producer#spatialLayerCount()}): the lower of what the subscriber wants
 * (the lowest layer that covers the size it shows the video at, or the top one) and what its
 * bandwidth allows, moved to the nearest layer the publisher actually sends; and how many of that
 * layer's VP8 temporal layers (the bandwidth step is a {@link QualityLadder} rung). Decides only;
 * the {@link Consumer} asks for the keyframe and switches, its {@link TemporalFilter} drops frames.
 * Preference and bandwidth cap are kept as asked and clamped when read: an SVC producer learns how
 * many layers it has from its first keyframe, after its consumers exist. Worker-thread only.
 */
final class LayerChoice {
    private final Producer producer;
    /** Highest layer the subscriber wants (its tiles' size), unclamped; the top layer unless told otherwise. */
    private int preferred = Integer.MAX_VALUE;
    /** Highest layer the subscriber's bandwidth allocation allows, unclamped. */
    private int bandwidth = Integer.MAX_VALUE;
    /** ... and the highest temporal layer of that layer ({@link TemporalFilter#ALL}: all of them). */
    private int bandwidthTemporal = TemporalFilter.ALL;
    /** The layer to forward. */
    private int target;
    /** The size the subscriber shows this video at, 0 x 0 when it did not say. */
    private int viewWidth;

    private int viewHeight;
    /** The subscriber reported a size for this video (0 x 0 then means: not shown). */
    private boolean viewReported;

    LayerChoice(Producer producer, long nowNanos) {
        this.producer = producer;
        int top = producer.spatialLayerCount() - 1;
        this.target = top == 0 ? 0 : producer.activeLayerAtMost(top, nowNanos);
    }

    int target() {
        return target;
    }

    int preferred() {
        return clamp(preferred);
    }

    int bandwidth() {
        return clamp(bandwidth);
    }

    /** The layer preference and bandwidth allow, whether it arrives or not. */
    int wanted() {
        return clamp(Math.min(preferred, bandwidth));
    }

    /** Sets the preferred layer (clamped); true when the target changed. */
    boolean prefer(int layer, long nowNanos) {
        preferred = Math.max(0, layer);
        return retarget(nowNanos);
    }

    /** Sets the bandwidth cap, a {@link QualityLadder} rung (clamped); true when the target layer changed. */
    boolean capForBandwidth(int rung, long nowNanos) {
        bandwidth = Math.max(0, QualityLadder.spatial(rung));
        bandwidthTemporal = QualityLadder.temporal(rung);
        return retarget(nowNanos);
    }

    /** The bandwidth cap as a {@link QualityLadder} rung. */
    int bandwidthRung() {
        return QualityLadder.of(bandwidth(), bandwidthTemporal);
    }

    /**
     * The highest TID to forward of spatial layer {@code spatial} (the one being forwarded): all of a
     * layer below the bandwidth cap's and the cap's own on that layer. A layer above the cap is being
     * left for a lower one at that layer's next keyframe; until then it stops at once ({@link
     * TemporalFilter#NONE}), base layer included: the cap fell because the subscriber's link queued up,
     * and what the old layer still sends keeps that queue full, so the lower layer's keyframe loses
     * packets in it and the subscriber freezes until it asks for a keyframe itself (3 s in Firefox).
     * Stopping costs a freeze of about one keyframe request's round trip instead. With no lower layer
     * to go to, the layer keeps its base layer.
     */
    int temporalCap(int spatial) {
        int cap = bandwidth();
        if (spatial < cap) {
            return TemporalFilter.ALL;
        }
        if (spatial == cap) {
            return bandwidthTemporal;
        }
        return target >= spatial ? 0 : TemporalFilter.NONE;
    }

    /**
     * The subscriber shows the video at {@code width} x {@code height} device pixels (0 x 0: not
     * at all): the preferred layer becomes the lowest that covers it, the top one for 0 x 0.
     * True when the target changed.
     */
    boolean view(int width, int height, long nowNanos) {
        viewWidth = Math.max(0, width);
        viewHeight = Math.max(0, height);
        viewReported = true;
        if (viewWidth == 0 && viewHeight == 0) {
            preferred = Integer.MAX_VALUE;
            return retarget(nowNanos);
        }
        return layerSizesChanged(nowNanos);
    }

    /** How many device pixels the subscriber shows the video on; 0 until it says. */
    long viewArea() {
        return (long) viewWidth * viewHeight;
    }

    /** The subscriber said it does not show this video. */
    boolean hiddenByView() {
        return viewReported && viewWidth == 0 && viewHeight == 0;
    }

    /** The layers' sizes changed: a view-sized preference is chosen again. True when the target changed. */
    boolean layerSizesChanged(long nowNanos) {
        if (producer.spatialLayerCount() > 1 && (viewWidth > 0 || viewHeight > 0)) {
            preferred = producer.layerForSize(viewWidth, viewHeight);
        }
        return retarget(nowNanos);
    }

    /**
     * Re-picks the target: the wanted layer, or the nearest one the publisher sends (below it if
     * any, else above: a lone top layer beats no video). True when it changed.
     */
    boolean retarget(long nowNanos) {
        int t = producer.spatialLayerCount() == 1 ? 0 : producer.activeLayerAtMost(wanted(), nowNanos);
        if (t == target) {
            return false;
        }
        target = t;
        return true;
    }

    private int clamp(int layer) {
        return Math.max(0, Math.min(producer.spatialLayerCount() - 1, layer));
    }

    void addJson(ObjectNode n) {
        n.put("viewWidth", viewWidth);
        n.put("viewHeight", viewHeight);
        n.put("preferredLayer", preferred());
        n.put("bandwidthLayer", bandwidth());
        n.put("bandwidthStep", QualityLadder.name(bandwidthRung()));
        n.put("targetLayer", target);
    }
}
