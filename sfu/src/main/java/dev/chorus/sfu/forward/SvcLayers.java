package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Vp9Descriptor;

/**
 * The spatial layers inside one VP9 SVC encoding (RFC 9628), as the layer choice sees them: how many
 * there are (the scalability structure a keyframe carries, or the highest SID seen), each one's frame
 * size (from that structure), and what each spatial and temporal layer costs and how many frames it
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
     * One forwardable packet with descriptor {@code d}, stamped {@code ts}; true when the number of
     * layers or their sizes changed (the consumers choose their layers again).
     */
    boolean onPacket(Vp9Descriptor d, long ts, int bytes, long nowNanos) {
        int sid = Math.min(d.spatialId(), MAX_LAYERS - 1);
        rates[sid].add(Math.min(d.temporalId(), TemporalFilter.ALL), d.switchingUp(), ts, bytes, nowNanos);
        boolean changed = false;
        if (d.ssSpatialLayers() > 0) {
            structures++;
            int n = Math.min(d.ssSpatialLayers(), MAX_LAYERS);
            if (n != count) {
                count = n;
                changed = true;
            }
            for (int s = 0; s < n && d.ssHasSizes(); s++) {
                if (widths[s] != d.ssWidth(s) || heights[s] != d.ssHeight(s)) {
                    widths[s] = d.ssWidth(s);
                    heights[s] = d.ssHeight(s);
                    changed = true;
                }
            }
        } else if (sid >= count) {
            count = sid + 1; // a layer the last structure did not announce
            changed = true;
        }
        return changed;
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
