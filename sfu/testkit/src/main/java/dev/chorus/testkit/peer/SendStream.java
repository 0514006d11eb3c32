package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The sending state of one published line: sequence number, RTP timestamp, VP8 picture id, a reused send
 * buffer and counters. Synthetic media only: a fixed Opus silence frame per 20 ms audio packet, and
 * caller-provided video frame bytes behind a VP8 header. Thread-safe (sends are serialised per stream);
 * keyframe requests may arrive from the transport's reader thread.
 */
public final class SendStream {
    /** Largest RTP payload we put in one packet; Chromium stays near 1200 bytes too. */
    static final int MAX_PAYLOAD = 1200;
    /** 48 kHz clock, 20 ms per packet. */
    public static final int AUDIO_TICKS_PER_PACKET = 960;
    /** 90 kHz clock at a nominal 30 frames per second. */
    public static final int VIDEO_TICKS_PER_FRAME = 3000;
    /** Opus DTX silence (TOC 0xF8: CELT FB 20 ms mono, one frame), what browsers send when muted. */
    private static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    private final String mid;
    private final byte[] midBytes;
    private final LocalTrack track;
    private final byte[] buf = new byte[12 + 4 + 4 * 5 + MAX_PAYLOAD + PacketBuffer.TAIL_ROOM];
    private final byte[] frameHeader = new byte[Vp8Packetizer.KEYFRAME_HEADER_LENGTH];

    private int payloadType;
    private int midExtensionId;
    private int seq;
    private long timestamp;
    private int pictureId;
    private boolean started;
    /** When set, every packet's payload ends with a {@link PayloadStamp} of this clock. */
    private volatile LongSupplier stampClock;

    /** A video encoder starts with a key frame; a PLI/FIR sets this again. */
    private final AtomicBoolean keyframePending = new AtomicBoolean(true);

    private final AtomicLong keyframeRequests = new AtomicLong();
    private volatile long packetsSent;
    private volatile long bytesSent;
    private volatile long framesSent;
    private volatile long keyframesSent;
    private volatile long sendFailures;

    SendStream(String mid, LocalTrack track, int payloadType) {
        if (mid.length() > RtpHeaderWriter.MAX_MID_LENGTH) {
            throw new IllegalArgumentException("mid too long for a one-byte header extension: " + mid);
        }
        this.mid = mid;
        this.midBytes = mid.getBytes(StandardCharsets.US_ASCII);
        this.track = track;
        this.payloadType = payloadType;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.seq = r.nextInt(0x10000);
        this.timestamp = r.nextLong(0x1_0000_0000L);
        this.pictureId = r.nextInt(0x8000);
    }

    /** Applies the answer: the payload type to send and the sdes:mid extension id (0 = do not send it). */
    synchronized void configure(int newPayloadType, int newMidExtensionId) {
        this.payloadType = newPayloadType;
        this.midExtensionId = newMidExtensionId;
    }

    /** Stamps every later packet with {@code clock} (see {@link PayloadStamp}); null stops stamping. */
    void stampClock(LongSupplier clock) {
        this.stampClock = clock;
    }

    /** Sends one 20 ms Opus packet; the marker bit is set on the first (start of a talkspurt). */
    synchronized boolean sendAudio(WebRtcTransport transport) {
        requireKind(MediaKind.AUDIO);
        if (started) {
            timestamp += AUDIO_TICKS_PER_PACKET;
        }
        int h = header(!started);
        started = true;
        System.arraycopy(OPUS_SILENCE, 0, buf, h, OPUS_SILENCE.length);
        int end = h + OPUS_SILENCE.length;
        LongSupplier clock = stampClock;
        if (clock != null) {
            end += PayloadStamp.write(buf, end, clock.getAsLong());
        }
        boolean ok = send(transport, end);
        framesSent++;
        return ok;
    }

    /**
     * Sends one video frame: a VP8 frame header (key frame if {@code keyframe} or if one was requested)
     * followed by {@code frame}, split into packets of at most {@link #MAX_PAYLOAD} bytes with the marker
     * bit on the last. All packets of the frame share one timestamp, +{@link #VIDEO_TICKS_PER_FRAME} per
     * frame. Returns true when every packet was handed to the transport.
     */
    synchronized boolean sendVideoFrame(WebRtcTransport transport, byte[] frame, boolean keyframe) {
        requireKind(MediaKind.VIDEO);
        boolean key = keyframePending.getAndSet(false) || keyframe;
        if (started) {
            timestamp += VIDEO_TICKS_PER_FRAME;
        }
        started = true;
        int headerLength = Vp8Packetizer.writeFrameHeader(frameHeader, 0, key, frame.length);
        int total = headerLength + frame.length;
        LongSupplier clock = stampClock;
        int chunk = MAX_PAYLOAD - Vp8Packetizer.DESCRIPTOR_LENGTH - (clock != null ? PayloadStamp.LENGTH : 0);
        boolean ok = true;
        for (int pos = 0; pos < total; pos += chunk) {
            int n = Math.min(chunk, total - pos);
            boolean last = pos + n == total;
            int h = header(last);
            int p = h + Vp8Packetizer.writeDescriptor(buf, h, pos == 0, pictureId);
            copyFrameRange(frameHeader, headerLength, frame, pos, n, buf, p);
            int end = p + n;
            if (clock != null) {
                end += PayloadStamp.write(buf, end, clock.getAsLong());
            }
            ok &= send(transport, end);
        }
        pictureId = (pictureId + 1) & 0x7FFF;
        framesSent++;
        if (key) {
            keyframesSent++;
        }
        return ok;
    }

    /** Copies bytes [pos, pos+n) of the concatenation head[0..headLength) + body into dst[at..]. */
    private static void copyFrameRange(byte[] head, int headLength, byte[] body, int pos, int n, byte[] dst, int at) {
        int fromHead = Math.max(0, Math.min(n, headLength - pos));
        if (fromHead > 0) {
            System.arraycopy(head, pos, dst, at, fromHead);
        }
        if (n > fromHead) {
            System.arraycopy(body, pos + fromHead - headLength, dst, at + fromHead, n - fromHead);
        }
    }

    private int header(boolean marker) {
        seq = (seq + 1) & 0xFFFF;
        return RtpHeaderWriter.write(buf, marker, payloadType, seq, timestamp, track.ssrc(), midExtensionId, midBytes);
    }

    private boolean send(WebRtcTransport transport, int length) {
        // sendRtp encrypts buf in place; the next packet rewrites header and payload from scratch.
        if (transport.sendRtp(buf, 0, length)) {
            packetsSent++;
            bytesSent += length;
            return true;
        }
        sendFailures++;
        return false;
    }

    private void requireKind(MediaKind kind) {
        if (track.kind() != kind) {
            throw new IllegalStateException(
                    "line " + mid + " publishes " + track.kind().token() + ", not " + kind.token());
        }
    }

    /** A PLI or FIR for our SSRC: the next video frame is a key frame. */
    void requestKeyframe() {
        keyframeRequests.incrementAndGet();
        keyframePending.set(true);
    }

    public String mid() {
        return mid;
    }

    public LocalTrack track() {
        return track;
    }

    /** PLI/FIR received for this stream's SSRC. */
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

    public long bytesSent() {
        return bytesSent;
    }

    /** Audio packets or video frames. */
    public long framesSent() {
        return framesSent;
    }

    public long keyframesSent() {
        return keyframesSent;
    }

    public long sendFailures() {
        return sendFailures;
    }

    /** Sequence number of the last packet written (valid once something was sent). */
    public synchronized int lastSequenceNumber() {
        return seq;
    }

    public synchronized long lastTimestamp() {
        return timestamp & 0xFFFF_FFFFL;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("mid", mid);
        o.put("kind", track.kind().token());
        o.put("ssrc", track.ssrc());
        track.rtxSsrc().ifPresent(r -> o.put("rtxSsrc", r));
        o.put("packetsSent", packetsSent);
        o.put("bytesSent", bytesSent);
        o.put("framesSent", framesSent);
        o.put("keyframesSent", keyframesSent);
        o.put("sendFailures", sendFailures);
        o.put("keyframeRequests", keyframeRequests.get());
        return o;
    }
}
