package dev.chorus.testkit.peer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.rtcp.SdesWriter;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The sending state of one published line: its RTP stream, or one per simulcast layer ({@link SendLayer}),
 * a reused send buffer and counters. Synthetic media only: a fixed Opus silence frame per 20 ms audio packet,
 * and caller-provided video frame bytes behind a VP8 header. Thread-safe (sends are serialised per line);
 * keyframe requests may arrive from the transport's reader thread.
 *
 * <p>A plain video line advances its timestamp by {@link #VIDEO_TICKS_PER_FRAME} per frame and sends no
 * RTCP. A simulcast line sends each frame on every layer, lowest first, timestamps each layer from the peer's
 * {@link SenderClock} (its base + 90 kHz time since the start, the same instant on every layer) and sends
 * a sender report per layer about once a second, as Chromium does; an SFU needs both to keep the timestamps
 * it forwards continuous when it switches a subscriber from one layer to another. A simulcast layer also
 * answers the SFU's NACKs on its RTX SSRC (RFC 4588, with the mid and repaired-rid extensions) from its
 * recent packets; a plain line does not retransmit.
 */
public final class SendStream {
    /** Largest RTP payload we put in one packet; Chromium stays near 1200 bytes too. */
    static final int MAX_PAYLOAD = 1200;
    /** 48 kHz clock, 20 ms per packet. */
    public static final int AUDIO_TICKS_PER_PACKET = 960;
    /** 90 kHz clock at a nominal 30 frames per second. */
    public static final int VIDEO_TICKS_PER_FRAME = 3000;

    static final int VIDEO_CLOCK_RATE = 90_000;
    /** Sender reports on a simulcast line: about one a second, as browsers send them. */
    static final long SENDER_REPORT_INTERVAL_NANOS = 1_000_000_000L;
    /** Opus DTX silence (TOC 0xF8: CELT FB 20 ms mono, one frame), what browsers send when muted. */
    private static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    private final String mid;
    private final byte[] midBytes;
    private final LocalTrack track;
    private final List<SendLayer> layers;
    private final PacketEgress out;
    private final SenderClock clock;
    private final byte[] cname;
    /** Room for an RTX packet: header, original sequence number, payload. */
    private final byte[] buf = new byte[RtpHeaderWriter.MAX_LENGTH + 2 + MAX_PAYLOAD + PacketBuffer.TAIL_ROOM];

    private final byte[] rtcpBuf;
    private final byte[] frameHeader = new byte[Vp8Packetizer.KEYFRAME_HEADER_LENGTH];

    private int payloadType;
    private int rtxPayloadType = -1;
    private int midExtensionId;
    private int ridExtensionId;
    private int repairedRidExtensionId;
    private int audioLevelExtensionId;
    /** Transport-wide sequence numbers on media packets (see {@link #sendTransportCc}); 0: none. */
    private volatile int transportCcExtensionId;

    private int transportSeq;
    /** The audio level element's one byte (RFC 6464: voice flag, then the level as -dBov); reused. */
    private final byte[] audioLevelByte = new byte[1];
    /** What later audio packets say about their sound: 0..127 as -dBov (127: silence). */
    private volatile int audioLevel = 127;

    private long lastReportNanos;
    private boolean reported;
    /** Picture size written into key frame headers: the top layer's; each layer below halves it. */
    private int frameWidth = Vp8Packetizer.WIDTH;

    private int frameHeight = Vp8Packetizer.HEIGHT;
    /** When set, every packet's payload ends with a {@link PayloadStamp} of this clock. */
    private volatile LongSupplier stampClock;

    private volatile long sendFailures;
    private volatile long senderReportsSent;

    /**
     * @param out   where packets go (the peer's transport)
     * @param clock the peer's clock for simulcast timestamps and sender reports
     * @param cname the RTCP CNAME of the sender reports
     */
    SendStream(String mid, LocalTrack track, int payloadType, PacketEgress out, SenderClock clock, String cname) {
        if (mid.length() > RtpHeaderWriter.MAX_ELEMENT_LENGTH) {
            throw new IllegalArgumentException("mid too long for a one-byte header extension: " + mid);
        }
        this.mid = mid;
        this.midBytes = mid.getBytes(StandardCharsets.US_ASCII);
        this.track = track;
        this.payloadType = payloadType;
        this.out = out;
        this.clock = clock;
        this.cname = cname.getBytes(StandardCharsets.US_ASCII);
        this.rtcpBuf =
                new byte[SenderReportWriter.length(0) + SdesWriter.length(this.cname.length) + PacketBuffer.TAIL_ROOM];
        List<SendLayer> ls = new ArrayList<>();
        if (track.simulcast()) {
            for (SimulcastLayer l : track.layers()) {
                ls.add(new SendLayer(ls.size(), l.rid(), l.ssrc(), l.rtxSsrc(), true));
            }
        } else {
            ls.add(new SendLayer(0, null, track.ssrc(), track.rtxSsrc().orElse(0), false));
        }
        this.layers = List.copyOf(ls);
    }

    /**
     * Applies the answer: the payload types to send media and RTX with (-1: no RTX) and the ids of the
     * sdes:mid, rid and repaired-rid header extensions (0 = not accepted, do not send it).
     */
    synchronized void configure(int newPayloadType, int newRtxPayloadType, int midId, int ridId, int repairedRidId) {
        configure(newPayloadType, newRtxPayloadType, midId, ridId, repairedRidId, 0);
    }

    /** Applies what the answer says about this line (its payload type present). */
    void configure(RemoteLine line) {
        configure(
                line.payloadType().getAsInt(),
                line.rtxPayloadType().orElse(-1),
                line.midExtensionId().orElse(0),
                line.ridExtensionId().orElse(0),
                line.repairedRidExtensionId().orElse(0),
                line.audioLevelExtensionId().orElse(0));
    }

    /** As {@link #configure(int, int, int, int, int)}, with the accepted audio level extension's id (0: none). */
    synchronized void configure(
            int newPayloadType, int newRtxPayloadType, int midId, int ridId, int repairedRidId, int audioLevelId) {
        this.payloadType = newPayloadType;
        this.rtxPayloadType = newRtxPayloadType;
        this.midExtensionId = midId;
        this.ridExtensionId = ridId;
        this.repairedRidExtensionId = repairedRidId;
        this.audioLevelExtensionId = audioLevelId;
    }

    /**
     * The sound level later audio packets carry in the audio level header extension (RFC 6464), as a browser
     * measures its microphone: {@code level} is -dBov, 0 (loudest) to 127 (silence); the voice-activity flag
     * is set above -127 dBov. Sent only if the answer accepted the extension. Any thread.
     */
    public void audioLevel(int level) {
        this.audioLevel = Math.max(0, Math.min(127, level));
    }

    /**
     * Lets one 20 ms audio packet's time pass without sending it, as Opus DTX does in silence: the next packet's
     * timestamp is one packet later, its sequence number the next one.
     */
    public synchronized void skipAudio() {
        requireKind(MediaKind.AUDIO);
        SendLayer l = layers.get(0);
        if (l.started()) {
            l.startAudioPacket(l.timestamp() + AUDIO_TICKS_PER_PACKET);
        }
    }

    /**
     * The picture size later key frames announce in their VP8 frame header: the line's, or on a simulcast
     * line the top layer's, each layer below announcing half the width and half the height of the one above
     * (as Chromium scales them). {@link Vp8Packetizer#WIDTH} x {@link Vp8Packetizer#HEIGHT} until set. An SFU
     * reads the layers' sizes from these headers to pick the layer that covers a subscriber's view.
     */
    synchronized void frameSize(int width, int height) {
        this.frameWidth = width;
        this.frameHeight = height;
    }

    /** Stamps every later packet with {@code clock} (see {@link PayloadStamp}); null stops stamping. */
    void stampClock(LongSupplier clock) {
        this.stampClock = clock;
    }

    /** Sends one 20 ms Opus packet; the marker bit is set on the first (start of a talkspurt). */
    public synchronized boolean sendAudio() {
        requireKind(MediaKind.AUDIO);
        SendLayer l = layers.get(0);
        boolean first = !l.started();
        l.startAudioPacket(first ? l.timestamp() : l.timestamp() + AUDIO_TICKS_PER_PACKET);
        int level = audioLevel;
        audioLevelByte[0] = (byte) ((level < 127 ? 0x80 : 0) | level);
        int h = header(l, first, audioLevelExtensionId, audioLevelByte);
        System.arraycopy(OPUS_SILENCE, 0, buf, h, OPUS_SILENCE.length);
        int end = h + OPUS_SILENCE.length;
        LongSupplier stamp = stampClock;
        if (stamp != null) {
            end += PayloadStamp.write(buf, end, stamp.getAsLong());
        }
        boolean ok = send(l, h, end, true);
        l.frameSent(false);
        return ok;
    }

    /**
     * Sends one video frame: a VP8 frame header (key frame if {@code keyframe}, on a layer's first frame, or
     * if one was requested for the layer) followed by {@code frame}, split into packets of at most
     * {@link #MAX_PAYLOAD} bytes with the marker bit on the last. All packets of a frame share one timestamp.
     * On a simulcast line the frame goes out on every active layer (see {@link SendLayer#setActive(boolean)}),
     * the top one with all of {@code frame}, each one below with a quarter of the bytes of the one above (at
     * least one). Returns true when every packet was handed to the transport.
     */
    synchronized boolean sendVideoFrame(byte[] frame, boolean keyframe) {
        requireKind(MediaKind.VIDEO);
        if (!track.simulcast()) {
            SendLayer l = layers.get(0);
            long ts = l.started() ? l.timestamp() + VIDEO_TICKS_PER_FRAME : l.timestamp();
            return sendFrame(l, frame, frame.length, keyframe, ts, 0);
        }
        long now = clock.nanos();
        long ticks = clock.rtpTicks(now, VIDEO_CLOCK_RATE);
        int top = layers.size() - 1;
        boolean ok = true;
        for (SendLayer l : layers) {
            if (!l.active()) {
                continue;
            }
            int down = top - l.index();
            // Two frames within one 90 kHz tick would look like one frame; every layer bumps alike.
            long ts = Math.max(l.timestampBase() + ticks, l.started() ? l.timestamp() + 1 : 0);
            ok &= sendFrame(l, frame, layerBytes(frame.length, down), keyframe, ts, down);
        }
        if (!reported || now - lastReportNanos >= SENDER_REPORT_INTERVAL_NANOS) {
            sendSenderReports(now);
        }
        return ok;
    }

    /** Frame bytes of a layer {@code down} layers below the top: a quarter per layer, at least one. */
    static int layerBytes(int topBytes, int down) {
        if (down == 0 || topBytes == 0) {
            return topBytes;
        }
        return down >= 16 ? 1 : Math.max(1, topBytes >> (2 * down));
    }

    private boolean sendFrame(SendLayer l, byte[] frame, int length, boolean keyframe, long ts, int down) {
        boolean key = l.startVideoFrame(ts, keyframe);
        boolean layered = track.simulcast();
        int headerLength =
                Vp8Packetizer.writeFrameHeader(frameHeader, 0, key, length, frameWidth >> down, frameHeight >> down);
        int total = headerLength + length;
        LongSupplier stamp = stampClock;
        int trailer = (layered ? PayloadStamp.LAYER_LENGTH : 0) + (stamp != null ? PayloadStamp.LENGTH : 0);
        int descriptor = layered ? Vp8Packetizer.LAYERED_DESCRIPTOR_LENGTH : Vp8Packetizer.DESCRIPTOR_LENGTH;
        int chunk = MAX_PAYLOAD - descriptor - trailer;
        boolean ok = true;
        for (int pos = 0; pos < total; pos += chunk) {
            int n = Math.min(chunk, total - pos);
            boolean last = pos + n == total;
            int h = header(l, last);
            int p = h + l.writeDescriptor(buf, h, pos == 0, layered);
            copyFrameRange(frameHeader, headerLength, frame, pos, n, buf, p);
            int end = p + n;
            if (layered) {
                end += PayloadStamp.writeLayer(buf, end, l.index());
            }
            if (stamp != null) {
                end += PayloadStamp.write(buf, end, stamp.getAsLong());
            }
            ok &= send(l, h, end, last);
        }
        l.frameSent(key);
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

    private int header(SendLayer l, boolean marker) {
        return header(l, marker, ridExtensionId, l.ridBytes());
    }

    /**
     * Puts a transport-wide sequence number (extension id {@code extensionId}, as offered; 0 stops) on every
     * later media packet of this line, as browsers do so the SFU can estimate its subscribers' bandwidth
     * from their transport-cc feedback. The counter is this line's (a browser's is per transport: the same
     * with one sending line). Off by default. Any thread.
     */
    public void sendTransportCc(int extensionId) {
        transportCcExtensionId = extensionId;
    }

    /** The header of the layer's next packet: mid, then {@code second} (a rid, or an audio level). */
    private int header(SendLayer l, boolean marker, int secondId, byte[] second) {
        int h = headerWithout(l, marker, secondId, second);
        int tcc = transportCcExtensionId;
        return tcc == 0 ? h : RtpHeaderWriter.appendTransportCc(buf, h, tcc, transportSeq++);
    }

    private int headerWithout(SendLayer l, boolean marker, int secondId, byte[] second) {
        return RtpHeaderWriter.write(
                buf,
                marker,
                payloadType,
                l.nextSequenceNumber(),
                l.timestamp(),
                l.ssrc(),
                midExtensionId,
                midBytes,
                secondId,
                second);
    }

    private boolean send(SendLayer l, int headerLength, int length, boolean marker) {
        l.remember(buf, headerLength, length - headerLength, marker);
        // sendRtp encrypts buf in place; the next packet rewrites header and payload from scratch.
        if (out.sendRtp(buf, 0, length)) {
            l.packetSent(length, length - headerLength);
            return true;
        }
        sendFailures++;
        return false;
    }

    /**
     * Resends packet {@code seq} of the layer with SSRC {@code ssrc} on its RTX stream: RTX payload type, RTX
     * SSRC and sequence, the original timestamp and marker, the original sequence number in front of the
     * payload, and mid + repaired-rid instead of mid + rid. False if the packet is no longer kept, the line
     * does not retransmit, or the answer gave no RTX payload type.
     */
    synchronized boolean retransmit(long ssrc, int seq) {
        SendLayer l = layerBySsrc(ssrc);
        if (l == null) {
            return false;
        }
        int slot = l.nacked(seq);
        if (slot < 0 || rtxPayloadType < 0 || l.rtxSsrc().isEmpty()) {
            return false;
        }
        int h = RtpHeaderWriter.write(
                buf,
                l.historyMarker(slot),
                rtxPayloadType,
                l.nextRtxSequenceNumber(),
                l.historyTimestamp(slot),
                l.rtxSsrc().getAsLong(),
                midExtensionId,
                midBytes,
                repairedRidExtensionId,
                l.ridBytes());
        buf[h] = (byte) (seq >> 8);
        buf[h + 1] = (byte) seq;
        int n = l.historyLength(slot);
        System.arraycopy(l.historyPayload(slot), 0, buf, h + 2, n);
        if (out.sendRtp(buf, 0, h + 2 + n)) {
            l.rtxSent();
            return true;
        }
        sendFailures++;
        return false;
    }

    /**
     * An SR (no report blocks) + SDES CNAME per active layer that has sent something, all with the NTP time
     * of {@code now} and each layer's RTP time of that instant.
     */
    private void sendSenderReports(long now) {
        long ntp = clock.ntp(now);
        long ticks = clock.rtpTicks(now, VIDEO_CLOCK_RATE);
        int limit = rtcpBuf.length - PacketBuffer.TAIL_ROOM;
        for (SendLayer l : layers) {
            if (l.packetsSent() == 0 || !l.active()) {
                continue;
            }
            int n = SenderReportWriter.write(
                    rtcpBuf,
                    0,
                    limit,
                    l.ssrc(),
                    ntp,
                    (l.timestampBase() + ticks) & 0xFFFF_FFFFL,
                    l.packetsSent(),
                    l.payloadBytesSent(),
                    null,
                    0);
            int sdes = n < 0 ? -1 : SdesWriter.writeCname(rtcpBuf, n, limit, l.ssrc(), cname, 0, cname.length);
            if (sdes > 0 && out.sendRtcp(rtcpBuf, 0, n + sdes)) {
                senderReportsSent++;
            }
        }
        lastReportNanos = now;
        reported = true;
    }

    private void requireKind(MediaKind kind) {
        if (track.kind() != kind) {
            throw new IllegalStateException(
                    "line " + mid + " publishes " + track.kind().token() + ", not " + kind.token());
        }
    }

    /** A PLI or FIR for {@code ssrc}: that layer's next video frame is a key frame. False if not ours. */
    boolean requestKeyframe(long ssrc) {
        SendLayer l = layerBySsrc(ssrc);
        if (l != null) {
            l.requestKeyframe();
        }
        return l != null;
    }

    private SendLayer layerBySsrc(long ssrc) {
        for (SendLayer l : layers) {
            if (l.ssrc() == ssrc) {
                return l;
            }
        }
        return null;
    }

    public String mid() {
        return mid;
    }

    public LocalTrack track() {
        return track;
    }

    /** The line's RTP streams: one, or the simulcast layers lowest first. */
    public List<SendLayer> layers() {
        return layers;
    }

    /** {@link SendLayer#setLayerSync} on every layer of this line. */
    public void setLayerSync(boolean on) {
        layers.forEach(l -> l.setLayerSync(on));
    }

    public SendLayer layer(int index) {
        return layers.get(index);
    }

    /** PLI/FIR received for this line's SSRCs. */
    public long keyframeRequests() {
        return layers.stream().mapToLong(SendLayer::keyframeRequests).sum();
    }

    /** True when the next video frame will be sent as a key frame (on some layer). */
    public boolean keyframePending() {
        return layers.stream().anyMatch(SendLayer::keyframePending);
    }

    /** Summed over layers, as are the other counts. */
    public long packetsSent() {
        return layers.stream().mapToLong(SendLayer::packetsSent).sum();
    }

    public long bytesSent() {
        return layers.stream().mapToLong(SendLayer::bytesSent).sum();
    }

    /** Audio packets or video frames (a simulcast frame counts once per layer). */
    public long framesSent() {
        return layers.stream().mapToLong(SendLayer::framesSent).sum();
    }

    public long keyframesSent() {
        return layers.stream().mapToLong(SendLayer::keyframesSent).sum();
    }

    public long sendFailures() {
        return sendFailures;
    }

    /** Sender reports sent (one per layer and report time; plain lines send none). */
    public long senderReportsSent() {
        return senderReportsSent;
    }

    /** Sequence number of the last packet written on the first (lowest) layer. */
    public int lastSequenceNumber() {
        return layers.get(0).lastSequenceNumber();
    }

    /** Timestamp of the last packet written on the first (lowest) layer. */
    public long lastTimestamp() {
        return layers.get(0).lastTimestamp();
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("mid", mid);
        o.put("kind", track.kind().token());
        o.put("ssrc", track.ssrc());
        track.rtxSsrc().ifPresent(r -> o.put("rtxSsrc", r));
        o.put("packetsSent", packetsSent());
        o.put("bytesSent", bytesSent());
        o.put("framesSent", framesSent());
        o.put("keyframesSent", keyframesSent());
        o.put("sendFailures", sendFailures);
        o.put("keyframeRequests", keyframeRequests());
        if (track.simulcast()) {
            o.put("senderReportsSent", senderReportsSent);
            ArrayNode ls = o.putArray("layers");
            layers.forEach(l -> ls.add(l.toJson()));
        }
        return o;
    }
}
