package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.FrameDependencyStructure;
import dev.chorus.sfu.codec.Vp9Descriptor;

/**
 * The spatial layers inside one SVC encoding, VP9 (RFC 9628) or AV1 (its Dependency Descriptor), as the
 * layer choice sees them: how many there are (the structure a keyframe carries: VP9's scalability structure,
 * AV1's template structure; or the highest spatial layer seen), each one's frame size (from that structure), and what each spatial and temporal layer costs and how many frames it
 * adds (a {@link TemporalLayerRates} per SID). Forwarding spatial layer s at temporal layer t costs the
 * sum of layers 0..s at TIDs 0..t: every upper spatial frame comes on top of the ones below it. One
 * call per forwardable packet, no allocation; worker-thread only.
 */
final class SvcLayers {
    /** SIDs measured; Chromium sends up to three spatial layers. */
    static final int MAX_LAYERS = 4;

    private final TemporalLayerRates[] rates = new TemporalLayerRates[MAX_LAYERS];
    private final int[] widths = new int[MAX_LAYERS];
    private final int[] heights = new int[MAX_LAYERS];
    private int count = 1;
    private long structures;

    SvcLayers() {
        for (int i = 0; i < MAX_LAYERS; i++) {
            rates[i] = new TemporalLayerRates();
        }
    }

    /**
     * One forwardable packet of spatial layer {@code sid} and temporal layer {@code tid} (-1: none; {@code
     * switchingUp}: a switch-up point of it), stamped {@code ts}; true when the number of layers changed (a
     * layer no structure announced: the consumers choose their layers again).
     */
    boolean onPacket(int sid, int tid, boolean switchingUp, long ts, int bytes, long nowNanos) {
        int s = Math.min(sid, MAX_LAYERS - 1);
        rates[s].add(Math.min(tid, TemporalFilter.ALL), switchingUp, ts, bytes, nowNanos);
        if (s >= count) {
            count = s + 1;
            return true;
        }
        return false;
    }

    /** A VP9 keyframe's scalability structure ({@code d} has one); true when the layers or their sizes changed. */
    boolean onStructure(Vp9Descriptor d) {
        boolean changed = layerCount(d.ssSpatialLayers());
        for (int s = 0; s < count && d.ssHasSizes(); s++) {
            changed |= size(s, d.ssWidth(s), d.ssHeight(s));
        }
        return changed;
    }

    /** An AV1 key frame's template structure; true when the layers or their sizes changed. */
    boolean onStructure(FrameDependencyStructure st) {
        boolean changed = layerCount(st.spatialLayers());
        for (int s = 0; s < count && st.hasResolutions(); s++) {
            changed |= size(s, st.width(s), st.height(s));
        }
        return changed;
    }

    private boolean layerCount(int layers) {
        structures++;
        int n = Math.max(1, Math.min(layers, MAX_LAYERS));
        if (n == count) {
            return false;
        }
        count = n;
        return true;
    }

    private boolean size(int s, int width, int height) {
        if (widths[s] == width && heights[s] == height) {
            return false;
        }
        widths[s] = width;
        heights[s] = height;
        return true;
    }

    /** Spatial layers in the encoding (1 until a packet said otherwise). */
    int count() {
        return count;
    }

    /** Width of spatial layer {@code s}, 0 while unknown. */
    int width(int s) {
        return s < count ? widths[s] : 0;
    }

    /** Height of spatial layer {@code s}, 0 while unknown. */
    int height(int s) {
        return s < count ? heights[s] : 0;
    }

    /** The lowest spatial layer whose frames cover {@code width} x {@code height}, or the top one. */
    int layerForSize(int width, int height) {
        for (int s = 0; s < count - 1; s++) {
            if (widths[s] > 0 && widths[s] >= width && heights[s] >= height) {
                return s;
            }
        }
        return count - 1;
    }

    /** Temporal layers arriving on spatial layer {@code s}. */
    int temporalLayers(int s, long nowNanos) {
        return rates[Math.min(s, MAX_LAYERS - 1)].layers(nowNanos);
    }

    /** Frames per second of spatial layer {@code s} at TIDs 0..{@code tid}. */
    double frameRate(int s, int tid, long nowNanos) {
        return rates[Math.min(s, MAX_LAYERS - 1)].cumulativeFps(tid, nowNanos);
    }

    /** What forwarding spatial layers 0..{@code s} at TIDs 0..{@code tid} costs, smoothed. */
    long bitrateBps(int s, int tid, long nowNanos) {
        long bps = 0;
        for (int i = 0; i <= Math.min(s, MAX_LAYERS - 1); i++) {
            bps += rates[i].cumulativeBps(tid, nowNanos);
        }
        return bps;
    }

    void addJson(ObjectNode n, long nowNanos) {
        ObjectNode svc = n.putObject("svc");
        svc.put("spatialLayers", count);
        svc.put("scalabilityStructures", structures);
        ArrayNode layers = svc.putArray("layers");
        for (int s = 0; s < count; s++) {
            ObjectNode l = layers.addObject();
            l.put("width", widths[s]);
            l.put("height", heights[s]);
            l.put("bps", bitrateBps(s, TemporalFilter.ALL, nowNanos) - (s == 0 ? 0 : bitrateBps(s - 1, 3, nowNanos)));
            l.put("fps", Math.round(frameRate(s, TemporalFilter.ALL, nowNanos) * 10) / 10.0);
            l.put("temporalLayers", temporalLayers(s, nowNanos));
        }
    }
}
