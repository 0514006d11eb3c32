package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Counters for one SSRC the peer receives. Written only by the transport's reader thread (hence plain
 * increments of volatile fields), read from any thread.
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

    ReceiveStats(long ssrc) {
        this.ssrc = ssrc;
    }

    /** Reader thread only. {@code length} is the decrypted RTP packet length, header included. */
    void record(int length, int seq, long timestamp, int payloadType, boolean marker, boolean keyframeStart) {
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
        return o;
    }
}
