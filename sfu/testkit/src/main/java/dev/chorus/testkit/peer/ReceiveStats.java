package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Counters for one SSRC the peer receives. Written only by the transport's reader thread (hence plain
 * increments of volatile fields), read from any thread.
 *
 * <p>Besides volume they say whether the stream is seamless, which is what an SFU that switches a subscriber
 * between simulcast layers has to keep it: on one SSRC the sequence numbers, timestamps, VP8 picture ids and
 * TL0PICIDX must run on as if one encoder sent them all. Each break is counted where a receiver would see it
 * (a reordered packet counts too), and the longest time between two complete frames is what a viewer would
 * see frozen. The layer comes from the sender's {@link PayloadStamp}, which the SFU leaves alone.
 */
public final class ReceiveStats {
    private final long ssrc;
    private volatile long packets;
    private volatile long bytes;
    private volatile int lastSequenceNumber = -1;
    private volatile long lastTimestamp = -1;
    private volatile int lastPayloadType = -1;
    private volatile long keyframes;
    private volatile long markers;

    private volatile long sequenceGaps;
    private volatile long timestampBackwards;
    private volatile int lastLayer = -1;
    private volatile long layerChanges;
    private volatile long pictureIdGaps;
    private volatile long tl0PicIdxBackwards;
    private volatile long completeFrames;
    private volatile long longestFreezeNanos;

    // VP8 frame in progress (reader thread only): frames are told apart by picture id, else by timestamp.
    private int framePictureId = -1;
    private long frameTimestamp = -1;
    private boolean frameStarted;
    private boolean frameInOrder;
    private boolean frameDone;
    private int lastTl0PicIdx = -1;
    private long lastCompleteNanos;

    ReceiveStats(long ssrc) {
        this.ssrc = ssrc;
    }

    /**
     * Reader thread only. {@code length} is the decrypted RTP packet length, header included; {@code vp8} the
     * packet's descriptor (null when not VP8 or unreadable), {@code layer} its stamped simulcast layer (-1:
     * none) and {@code nanos} when it arrived.
     */
    void record(
            int length,
            int seq,
            long timestamp,
            int payloadType,
            boolean marker,
            boolean keyframeStart,
            long nanos,
            Vp8Descriptor vp8,
            int layer) {
        int previousSeq = lastSequenceNumber;
        boolean inOrder = previousSeq < 0 || seq == ((previousSeq + 1) & 0xFFFF);
        if (!inOrder) {
            sequenceGaps++;
        }
        if (lastTimestamp >= 0 && (int) (timestamp - lastTimestamp) < 0) {
            timestampBackwards++;
        }
        packets++;
        bytes += length;
        lastSequenceNumber = seq;
        lastTimestamp = timestamp;
        lastPayloadType = payloadType;
        if (marker) {
            markers++;
        }
        if (keyframeStart) {
            keyframes++;
        }
        if (layer >= 0) {
            if (lastLayer >= 0 && layer != lastLayer) {
                layerChanges++;
            }
            lastLayer = layer;
        }
        if (vp8 != null) {
            frame(nanos, timestamp, marker, inOrder, vp8);
        }
    }

    private void frame(long nanos, long timestamp, boolean marker, boolean inOrder, Vp8Descriptor vp8) {
        int pictureId = vp8.pictureId();
        boolean newFrame = pictureId >= 0 ? pictureId != framePictureId : timestamp != frameTimestamp;
        if (newFrame) {
            if (pictureId >= 0 && framePictureId >= 0 && pictureId != ((framePictureId + 1) & vp8.pictureIdMask())) {
                pictureIdGaps++;
            }
            int tl0 = vp8.tl0PicIdx();
            if (tl0 >= 0) {
                if (lastTl0PicIdx >= 0 && ((tl0 - lastTl0PicIdx) & 0xFF) > 0x80) {
                    tl0PicIdxBackwards++;
                }
                lastTl0PicIdx = tl0;
            }
            framePictureId = pictureId;
            frameTimestamp = timestamp;
            frameStarted = vp8.startOfFrame();
            frameInOrder = true;
            frameDone = false;
        } else if (!inOrder) {
            frameInOrder = false;
        }
        if (marker && !frameDone) {
            frameDone = true;
            if (frameStarted && frameInOrder) {
                if (completeFrames > 0) {
                    longestFreezeNanos = Math.max(longestFreezeNanos, nanos - lastCompleteNanos);
                }
                lastCompleteNanos = nanos;
                completeFrames++;
            }
        }
    }

    public long ssrc() {
        return ssrc;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    /** -1 before the first packet. */
    public int lastSequenceNumber() {
        return lastSequenceNumber;
    }

    /** -1 before the first packet. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    public int lastPayloadType() {
        return lastPayloadType;
    }

    /** Packets that start a VP8 key frame (only counted on a negotiated VP8 payload type). */
    public long keyframes() {
        return keyframes;
    }

    /** Packets with the marker bit: ends of video frames. */
    public long markers() {
        return markers;
    }

    /** Packets whose sequence number is not the previous packet's + 1 (a loss, a reorder or a jump). */
    public long sequenceGaps() {
        return sequenceGaps;
    }

    /** Packets whose RTP timestamp is before the previous packet's (32-bit wraparound aware). */
    public long timestampBackwards() {
        return timestampBackwards;
    }

    /** The simulcast layer (0 = lowest) of the last packet with a layer stamp; -1 before any. */
    public int lastLayer() {
        return lastLayer;
    }

    /** Times the stamped layer differed from the packet before's: the SFU switched this stream's layer. */
    public long layerChanges() {
        return layerChanges;
    }

    /** VP8 frames whose picture id is not the previous frame's + 1 (modulo 2^15, or 2^7 for short ids). */
    public long pictureIdGaps() {
        return pictureIdGaps;
    }

    /** VP8 frames whose TL0PICIDX is behind the previous frame's (8-bit wraparound aware). */
    public long tl0PicIdxBackwards() {
        return tl0PicIdxBackwards;
    }

    /** VP8 frames received whole: from the packet with S=1 to the marker, every sequence number in order. */
    public long completeFrames() {
        return completeFrames;
    }

    /** The longest time between two complete VP8 frames, in milliseconds (0 before the second). */
    public long longestFreezeMillis() {
        return longestFreezeNanos / 1_000_000L;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ssrc", ssrc);
        o.put("packets", packets);
        o.put("bytes", bytes);
        o.put("lastSeq", lastSequenceNumber);
        o.put("lastTimestamp", lastTimestamp);
        o.put("lastPayloadType", lastPayloadType);
        o.put("keyframes", keyframes);
        o.put("markers", markers);
        o.put("sequenceGaps", sequenceGaps);
        o.put("timestampBackwards", timestampBackwards);
        o.put("lastLayer", lastLayer);
        o.put("layerChanges", layerChanges);
        o.put("pictureIdGaps", pictureIdGaps);
        o.put("tl0PicIdxBackwards", tl0PicIdxBackwards);
        o.put("completeFrames", completeFrames);
        o.put("longestFreezeMs", longestFreezeMillis());
        return o;
    }
}
