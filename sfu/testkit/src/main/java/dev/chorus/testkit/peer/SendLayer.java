package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One RTP stream of a published line: the line's only stream, or one simulcast layer. A browser encodes each
 * simulcast layer as an independent stream, so each has its own SSRC, random sequence number, timestamp base
 * and VP8 picture id, its own temporal layer pattern and its own key frames: a PLI for one layer's SSRC
 * makes only that layer send a key frame. A simulcast layer also keeps its last {@link #HISTORY} packets
 * to resend on RTX when the SFU NACKs them. The send state changes only under the lock of the owning
 * {@link SendStream}; the getters are safe from any thread.
 */
public final class SendLayer {
    /** Packets kept for retransmission: at 30 fps a second or more of a layer's frames of a few packets. */
    static final int HISTORY = 128;

    private final int index;
    private final Optional<String> rid;
    private final byte[] ridBytes;
    private final long ssrc;
    private final OptionalLong rtxSsrc;
    private final long timestampBase;

    private volatile int seq;
    /** The current frame's timestamp, not wrapped to 32 bits. */
    private volatile long timestamp;

    private boolean started;
    private int pictureId;
    private int tl0PicIdx;
    private int temporalId;
    private long framesSinceKeyframe;
    /** Whether the current frame gets the Y bit above the base layer (see {@link #setLayerSync}). */
    private boolean syncFrame;
    /** Upper temporal layers that had a frame since the last TL0 frame. */
    private final boolean[] seenSinceBase = new boolean[4];
    /** Mark the first TL1 and TL2 frame after each TL0 frame with Y, as an encoder that knows does. */
    private volatile boolean layerSync;

    /** Payloads of the packets sent last, by sequence number modulo HISTORY; null for no history. */
    private final byte[][] history;

    private final int[] historySeq;
    private final int[] historyLength;
    private final long[] historyTimestamp;
    private final boolean[] historyMarker;
    private int rtxSeq;

    /** A video encoder starts with a key frame; a PLI/FIR sets this again, and so does turning the layer on. */
    private final AtomicBoolean keyframePending = new AtomicBoolean(true);

    /** False while the layer is turned off ({@link #setActive(boolean)}): it sends nothing. */
    private volatile boolean active = true;

    private final AtomicLong keyframeRequests = new AtomicLong();
    private volatile long packetsSent;
    private volatile long bytesSent;
    private volatile long payloadBytesSent;
    private volatile long framesSent;
    private volatile long keyframesSent;
    private volatile long nackedPackets;
    private volatile long rtxPacketsSent;

    /** {@code rid} null for a plain line; {@code rtxSsrc} 0 for none; {@code keepHistory} to answer NACKs. */
    SendLayer(int index, String rid, long ssrc, long rtxSsrc, boolean keepHistory) {
        this.index = index;
        this.rid = Optional.ofNullable(rid);
        this.ridBytes = rid == null ? new byte[0] : rid.getBytes(StandardCharsets.US_ASCII);
        this.ssrc = ssrc;
        this.rtxSsrc = rtxSsrc == 0 ? OptionalLong.empty() : OptionalLong.of(rtxSsrc);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.seq = r.nextInt(0x10000);
        this.timestampBase = r.nextLong(0x1_0000_0000L);
        this.timestamp = timestampBase;
        this.pictureId = r.nextInt(0x8000);
        this.tl0PicIdx = r.nextInt(0x100);
        this.rtxSeq = r.nextInt(0x10000);
        int slots = keepHistory && rtxSsrc != 0 ? HISTORY : 0;
        this.history = slots == 0 ? null : new byte[slots][];
        this.historySeq = new int[slots];
        this.historyLength = new int[slots];
        this.historyTimestamp = new long[slots];
        this.historyMarker = new boolean[slots];
        Arrays.fill(historySeq, -1);
    }

    // ---------------------------------------------------------------- send state (owner's lock)

    int nextSequenceNumber() {
        seq = (seq + 1) & 0xFFFF;
        return seq;
    }

    boolean started() {
        return started;
    }

    /** The first timestamp; a simulcast layer's timestamps are this + 90 kHz time since the peer started. */
    long timestampBase() {
        return timestampBase;
    }

    long timestamp() {
        return timestamp;
    }

    byte[] ridBytes() {
        return ridBytes;
    }

    void startAudioPacket(long ts) {
        timestamp = ts;
        started = true;
    }

    /**
     * Starts a video frame at {@code ts}; returns true if it is to be a key frame ({@code keyframe}, the
     * layer's first frame, or one requested since). A key frame restarts the temporal pattern, so it is
     * always a base layer frame, as an encoder makes it.
     */
    boolean startVideoFrame(long ts, boolean keyframe) {
        boolean key = keyframePending.getAndSet(false) || keyframe;
        timestamp = ts;
        started = true;
        if (key) {
            framesSinceKeyframe = 0;
        }
        temporalId = Vp8Packetizer.temporalId(framesSinceKeyframe++);
        if (temporalId == 0) {
            tl0PicIdx = (tl0PicIdx + 1) & 0xFF;
            Arrays.fill(seenSinceBase, false);
            syncFrame = false;
        } else {
            // In the 0, 2, 1, 2 pattern the first frame of a layer after a TL0 frame references that TL0
            // frame only; the later TL2 frame also references the TL1 and TL2 frames before it.
            syncFrame = layerSync && !seenSinceBase[temporalId];
            seenSinceBase[temporalId] = true;
        }
        return key;
    }

    /** The VP8 descriptor of the current frame's next packet; with {@code layered} TL0PICIDX and TID too. */
    int writeDescriptor(byte[] b, int off, boolean startOfFrame, boolean layered) {
        return layered
                ? Vp8Packetizer.writeLayeredDescriptor(
                        b, off, startOfFrame, pictureId, tl0PicIdx, temporalId, syncFrame)
                : Vp8Packetizer.writeDescriptor(b, off, startOfFrame, pictureId);
    }

    void packetSent(int length, int payloadLength) {
        packetsSent++;
        bytesSent += length;
        payloadBytesSent += payloadLength;
    }

    void frameSent(boolean keyframe) {
        pictureId = (pictureId + 1) & 0x7FFF;
        framesSent++;
        if (keyframe) {
            keyframesSent++;
        }
    }

    /** Keeps the payload {@code b[off, off+len)} of the packet just numbered, for a later RTX. */
    void remember(byte[] b, int off, int len, boolean marker) {
        if (history == null) {
            return;
        }
        int slot = seq % HISTORY;
        if (history[slot] == null) {
            history[slot] = new byte[SendStream.MAX_PAYLOAD];
        }
        System.arraycopy(b, off, history[slot], 0, len);
        historySeq[slot] = seq;
        historyLength[slot] = len;
        historyTimestamp[slot] = timestamp;
        historyMarker[slot] = marker;
    }

    /** The history slot of packet {@code seq}, or -1 if it is not (any longer) kept; counts the request. */
    int nacked(int seq) {
        nackedPackets++;
        int slot = seq % HISTORY;
        return history != null && historySeq[slot] == seq ? slot : -1;
    }

    byte[] historyPayload(int slot) {
        return history[slot];
    }

    int historyLength(int slot) {
        return historyLength[slot];
    }

    long historyTimestamp(int slot) {
        return historyTimestamp[slot];
    }

    boolean historyMarker(int slot) {
        return historyMarker[slot];
    }

    int nextRtxSequenceNumber() {
        rtxSeq = (rtxSeq + 1) & 0xFFFF;
        return rtxSeq;
    }

    void rtxSent() {
        rtxPacketsSent++;
    }

    /** A PLI or FIR for this layer's SSRC: its next video frame is a key frame. */
    void requestKeyframe() {
        keyframeRequests.incrementAndGet();
        keyframePending.set(true);
    }

    /**
     * Turns this simulcast layer off or on, as a browser does with an encoding's {@code active} flag, or by
     * itself when CPU or bandwidth runs short (Chromium drops its top layers first). While off the layer
     * sends no frames and no sender reports; the other layers go on. Turned on again, its first frame is a
     * key frame (the encoder restarts the stream); sequence numbers, picture ids and TL0PICIDX go on from
     * where they stopped, and timestamps from the peer's clock, so they jump by the time the layer was off.
     * Any thread; it takes effect at the line's next frame.
     *
     * @throws IllegalStateException on a plain (not simulcast) line, which has no layers to turn off
     */
    public void setActive(boolean on) {
        if (rid.isEmpty()) {
            throw new IllegalStateException("only a simulcast layer can be turned off; this line has one stream");
        }
        if (on && !active) {
            // Before the flag, so the first frame sent after turning on is sure to see it.
            keyframePending.set(true);
        }
        active = on;
    }

    /**
     * Sets the layer-sync bit (Y) on the first TL1 and the first TL2 frame after each TL0 frame, the
     * frames an SFU may add those layers at; off (the default), only TL0 frames carry Y, and an SFU
     * that dropped an upper layer can only take it back at a key frame. Any thread; from the next frame.
     */
    public void setLayerSync(boolean on) {
        layerSync = on;
    }

    /** False while the layer is turned off; a plain line's stream is always active. */
    public boolean active() {
        return active;
    }

    // ---------------------------------------------------------------- state

    /** Position on the line, 0 = lowest layer (0 for a plain line). */
    public int index() {
        return index;
    }

    /** The layer's rid; empty on a plain line. */
    public Optional<String> rid() {
        return rid;
    }

    public long ssrc() {
        return ssrc;
    }

    public OptionalLong rtxSsrc() {
        return rtxSsrc;
    }

    /** PLI/FIR received for this layer's SSRC. */
    public long keyframeRequests() {
        return keyframeRequests.get();
    }

    /** True when the next video frame will be sent as a key frame. */
    public boolean keyframePending() {
        return keyframePending.get();
    }

    public long packetsSent() {
        return packetsSent;
    }

    /** RTP packet bytes, headers included. */
    public long bytesSent() {
        return bytesSent;
    }

    /** RTP payload bytes, what a sender report counts. */
    public long payloadBytesSent() {
        return payloadBytesSent;
    }

    /** Audio packets or video frames. */
    public long framesSent() {
        return framesSent;
    }

    public long keyframesSent() {
        return keyframesSent;
    }

    /** Sequence numbers the SFU NACKed on this layer's SSRC. */
    public long nackedPackets() {
        return nackedPackets;
    }

    /** Packets resent on the RTX SSRC. */
    public long rtxPacketsSent() {
        return rtxPacketsSent;
    }

    /** Sequence number of the last packet written (valid once something was sent). */
    public int lastSequenceNumber() {
        return seq;
    }

    public long lastTimestamp() {
        return timestamp & 0xFFFF_FFFFL;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("index", index);
        rid.ifPresent(r -> o.put("rid", r));
        o.put("active", active);
        o.put("ssrc", ssrc);
        rtxSsrc.ifPresent(r -> o.put("rtxSsrc", r));
        o.put("packetsSent", packetsSent);
        o.put("bytesSent", bytesSent);
        o.put("framesSent", framesSent);
        o.put("keyframesSent", keyframesSent);
        o.put("keyframeRequests", keyframeRequests.get());
        o.put("nackedPackets", nackedPackets);
        o.put("rtxPacketsSent", rtxPacketsSent);
        return o;
    }
}
