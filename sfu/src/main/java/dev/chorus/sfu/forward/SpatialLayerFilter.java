package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Vp9Descriptor;
import dev.chorus.sfu.rtp.RtpPacket;

/**
 * Drops an SVC stream's upper spatial layers for one consumer (VP9, RFC 9628: SID; AV1: the spatial id of
 * the Dependency Descriptor's frame template). Decides per picture,
 * at the first packet seen of it (all spatial layers of a picture share its RTP timestamp), which SIDs
 * to forward, and every packet of the picture follows:
 *
 * <ul>
 *   <li>down to the target at any picture: in k-SVC ({@code L3T3_KEY}) a lower layer never references
 *       an upper one;
 *   <li>up only at a keyframe: an upper layer's frames reference that layer's earlier frames, which
 *       the subscriber never got; at a keyframe every layer starts afresh (the {@link Consumer} asks
 *       for one when the target goes up).
 * </ul>
 *
 * Temporal layers are the {@link TemporalFilter}'s (a picture's TID is the same on every layer). The
 * dropped packets' numbers are closed up by the consumer; the marker bit, which the publisher sets on
 * the last packet of the picture's top layer, is moved to the last packet of the highest layer
 * forwarded ({@link #mark}), so the receiver knows the picture is complete. A short history of
 * pictures answers for late packets and resends. Worker-thread only; no allocation per packet.
 */
final class SpatialLayerFilter {
    static final int PICTURES = 64;

    private final Vp9Descriptor scratch = new Vp9Descriptor();
    private int current = -1;
    private boolean havePicture;
    private long pictureTimestamp;
    private int pictureCap;

    private final long[] historyTimestamp = new long[PICTURES];
    private final int[] historyCap = new int[PICTURES];
    private int historyCount;
    private int historyNewest = -1;

    private long packetsDropped;
    private long switchesUp;
    private long switchesDown;
    private long markersMoved;
    private long lastSwitchNanos = -1;

    /** The highest SID forwarded now, -1 before the first picture. */
    int current() {
        return current;
    }

    /**
     * Whether to forward {@code in}, a packet of spatial layer {@code sid} that starts a keyframe or
     * not, towards spatial layer {@code target}; {@code newer}: it is newer in sequence than anything
     * before it (a late packet follows the decision its picture got).
     */
    boolean accept(RtpPacket in, int sid, boolean keyframe, int target, boolean newer, long nowNanos) {
        long ts = in.timestamp();
        if (!havePicture || ts != pictureTimestamp) {
            if (!newer && havePicture) {
                boolean forward = sid <= capOf(ts);
                if (!forward) {
                    packetsDropped++;
                }
                return forward;
            }
            newPicture(ts, keyframe, target, nowNanos);
        }
        if (sid <= pictureCap) {
            return true;
        }
        packetsDropped++;
        return false;
    }

    private void newPicture(long ts, boolean keyframe, int target, long nowNanos) {
        if (current < 0 || (keyframe && target != current)) {
            if (current >= 0) {
                countSwitch(target, nowNanos);
            }
            current = target;
        } else if (target < current) {
            countSwitch(target, nowNanos);
            current = target;
        }
        havePicture = true;
        pictureTimestamp = ts;
        pictureCap = current;
        historyNewest = (historyNewest + 1) % PICTURES;
        historyCount = Math.min(PICTURES, historyCount + 1);
        historyTimestamp[historyNewest] = ts;
        historyCap[historyNewest] = current;
    }

    private void countSwitch(int target, long nowNanos) {
        if (target > current) {
            switchesUp++;
        } else {
            switchesDown++;
        }
        lastSwitchNanos = nowNanos;
    }

    /** The highest SID forwarded of the picture stamped {@code ts}; the current one when it is too old to tell. */
    private int capOf(long ts) {
        for (int i = 0, s = historyNewest; i < historyCount; i++, s = (s + PICTURES - 1) % PICTURES) {
            if (historyTimestamp[s] == ts) {
                return historyCap[s];
            }
        }
        return current;
    }

    /**
     * Sets the marker bit of a copy about to be sent ({@code payloadSkip}: bytes before the VP9 payload,
     * 2 in an RTX packet) on the last packet of the highest spatial layer forwarded of its picture; a
     * packet the publisher marked keeps it (a picture without its top layers ends there). Call before the
     * timestamp is rewritten.
     */
    void mark(RtpPacket out, int payloadSkip) {
        int len = out.payloadLength() - payloadSkip;
        if (len <= 0 || !scratch.parse(out.buffer(), out.payloadOffset() + payloadSkip, len)) {
            return;
        }
        mark(out, scratch.endsFrame(), scratch.spatialId());
    }

    /**
     * As {@link #mark(RtpPacket, int)} for a packet of spatial layer {@code sid} that ends its layer's frame or
     * not, read by the caller (AV1: from its Dependency Descriptor).
     */
    void mark(RtpPacket out, boolean endsFrame, int sid) {
        // The publisher's marker ends the picture whatever its layers; else the end of the top layer forwarded does.
        boolean last = out.marker() || (endsFrame && sid == capOf(out.timestamp()));
        if (last != out.marker()) {
            out.setMarker(last);
            markersMoved++;
        }
    }

    void addJson(ObjectNode n) {
        ObjectNode s = n.putObject("spatial");
        s.put("current", current);
        s.put("packetsDropped", packetsDropped);
        s.put("switchesUp", switchesUp);
        s.put("switchesDown", switchesDown);
        s.put("markersMoved", markersMoved);
        s.put("lastSwitchNanos", lastSwitchNanos);
    }
}
