package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.cc.RateMeter;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.DependencyDescriptor;
import dev.chorus.sfu.codec.H264SpsSize;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.codec.Vp9Descriptor;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.record.TrackTap;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One encoding a publisher sends for a {@link Producer}: the only stream of a plain track, or one
 * simulcast layer. Owns what is per SSRC on the receive side: RTX unwrapping (RFC 4588), the
 * duplicate check, reception statistics for our receiver reports, the publisher's SR clock
 * mapping, keyframe detection and rate-limited keyframe requests (a PLI names one SSRC), and for
 * video the retransmission buffer and the NACK generator. A layer announced by rid only learns
 * its SSRCs from the first packets that name it ({@link Endpoint}). Worker-thread only.
 */
final class RtpReceiveStream {
    private final Producer producer;
    private final int layer;
    private final String rid;
    /** The rid's ASCII bytes, compared with the rid header extension without allocating. */
    private final byte[] ridBytes;

    private final ReceiveStreamStats stats;
    private final SenderClockMapping senderClock = new SenderClockMapping();
    private final KeyframeRequester keyframeRequester;
    /** Video only (null for audio): recent packets to answer subscribers' NACKs. */
    private final RetransmissionBuffer retransmissionBuffer;
    /** Video only, and only when NACK retries are enabled. */
    private final NackGenerator nackGenerator;

    private final RateMeter rate = new RateMeter();
    /** Only what a consumer would forward: no RTX padding, duplicates or padding-only packets. */
    private final RateMeter forwardableRate = new RateMeter();
    /** VP8 only (null otherwise): rate and frame rate of each temporal layer. */
    private final TemporalLayerRates temporalRates;
    /** VP9 only (null otherwise): the descriptor of the packet just accepted, parsed once for every consumer. */
    private final Vp9Descriptor vp9;
    /** AV1 only (null otherwise): the Dependency Descriptor, with the template structure kept for the stream. */
    private final DependencyDescriptor av1;
    /** AV1: the descriptor's header-extension id, 0 when not negotiated (the stream is then one layer). */
    private final int av1DescriptorId;
    /** VP9 and AV1: the spatial and temporal layers inside the encoding (SVC). */
    private final SvcLayers svc;
    /** H264: reads the picture size from each keyframe's SPS (VP8 has it in its keyframe header). */
    private final H264SpsSize spsSize;

    private final DropCounters drops;

    private long ssrc;
    private long rtxSsrc;
    /** Set by {@link #receive} for the packet it just accepted. */
    private boolean lastWasKeyframe;
    /** The SVC spatial layer (VP9 SID, AV1 spatial id) of the packet {@link #receive} just accepted. */
    private int lastSpatialId;
    /** The VP8 TID of the packet {@link #receive} just accepted, -1 when it has none. */
    private int lastTemporalId = -1;
    /** Its Y bit: the frame depends on the base layer only (a switch-up point). */
    private boolean lastLayerSync;

    private int lastPictureId = -1;
    private int lastTl0PicIdx = -1;

    private long keyframesSeen;
    /** When the last packet arrived (media or RTX), -1 before the first. */
    private long lastPacketNanos = -1;
    /** The frame size the last keyframe announced (VP8), 0 before one arrived. */
    private int width;

    private int height;
    private long lastKeyframeNanos = -1;
    private long rtxReceived;
    private long rtxRecovered;
    private long rtxPadding;
    private long duplicates;
    private long rtxSenderReports;

    RtpReceiveStream(
            Producer producer,
            int layer,
            ProducerParams.Encoding encoding,
            Router router,
            DropCounters drops,
            boolean video) {
        this.producer = producer;
        this.layer = layer;
        this.rid = encoding.rid();
        this.ridBytes = rid == null ? null : rid.getBytes(StandardCharsets.US_ASCII);
        this.ssrc = encoding.ssrc();
        this.rtxSsrc = encoding.rtxSsrc();
        this.drops = drops;
        ProducerParams params = producer.params();
        this.stats = new ReceiveStreamStats(params.codec().clockRate());
        this.temporalRates = params.codec() == Codec.VP8 ? new TemporalLayerRates() : null;
        this.vp9 = params.codec() == Codec.VP9 ? new Vp9Descriptor() : null;
        this.av1 = params.codec() == Codec.AV1 ? new DependencyDescriptor() : null;
        this.av1DescriptorId = av1 == null ? 0 : params.extensions().id(RtpExtension.DEPENDENCY_DESCRIPTOR);
        this.svc = vp9 == null && av1 == null ? null : new SvcLayers();
        this.spsSize = params.codec() == Codec.H264 ? new H264SpsSize() : null;
        String name = params.id() + (params.isSimulcast() ? "/" + layer : "");
        Endpoint publisher = producer.publisher();
        this.keyframeRequester = new KeyframeRequester(
                "pli:" + name,
                router.worker().timers(),
                router.config().pliMinIntervalMillis() * 1_000_000L,
                now -> this.ssrc != ProducerParams.NONE && publisher.sendPli(this.ssrc));
        RouterConfig config = router.config();
        this.retransmissionBuffer = video
                ? new RetransmissionBuffer(config.retransmissionPackets(), config.retransmissionMillis() * 1_000_000L)
                : null;
        this.nackGenerator = video && config.nackMaxRetries() > 0
                ? new NackGenerator(
                        "nack:" + name,
                        router.worker().timers(),
                        config.nackMaxRetries(),
                        config.nackGiveUpMillis() * 1_000_000L,
                        publisher::rttNanos,
                        new NackGenerator.Sink() {
                            @Override
                            public void sendNack(int[] seqs, int count) {
                                publisher.sendNack(ssrc, seqs, count);
                            }

                            @Override
                            public void onGiveUp(long nowNanos) {
                                producer.onUnrecoverableLoss(RtpReceiveStream.this, nowNanos);
                            }
                        })
                : null;
    }

    Producer producer() {
        return producer;
    }

    /** Spatial layer index: 0 for a plain track, else the position in the producer's encodings. */
    int layer() {
        return layer;
    }

    String rid() {
        return rid;
    }

    /** The media SSRC, or {@link ProducerParams#NONE} until learnt. */
    long ssrc() {
        return ssrc;
    }

    /** The RTX SSRC, or {@link ProducerParams#NONE}. */
    long rtxSsrc() {
        return rtxSsrc;
    }

    void learnSsrc(long ssrc) {
        this.ssrc = ssrc;
    }

    void learnRtxSsrc(long rtxSsrc) {
        this.rtxSsrc = rtxSsrc;
    }

    /** True when the extension value at {@code buf[off, off+len)} is this stream's rid. */
    boolean ridEquals(byte[] buf, int off, int len) {
        return ridBytes != null && Arrays.equals(buf, off, off + len, ridBytes, 0, ridBytes.length);
    }

    /**
     * Takes one packet of this stream (media or RTX): returns its extended sequence number, or
     * -1 when it was dropped (counted). RTX is unwrapped in place. After a non-negative return,
     * {@link #lastWasKeyframe()} says whether it starts a keyframe.
     */
    long receive(RtpPacket packet, long nowNanos) {
        rate.add(packet.length(), nowNanos);
        lastPacketNanos = nowNanos;
        ProducerParams params = producer.params();
        boolean rtx = rtxSsrc != ProducerParams.NONE && packet.ssrc() == rtxSsrc;
        if (rtx) {
            if (packet.payloadType() != params.rtxPayloadType()) {
                drops.increment(DropReason.UNKNOWN_PAYLOAD_TYPE);
                return -1;
            }
            if (packet.payloadLength() == 0) {
                // Chrome's bandwidth probes: padding on the RTX stream, meant for this hop only.
                rtxPadding++;
                drops.increment(DropReason.RTX_PADDING);
                return -1;
            }
            if (!unwrapRtx(packet)) {
                drops.increment(DropReason.MALFORMED_RTP);
                return -1;
            }
            rtxReceived++;
        } else if (packet.payloadType() != params.payloadType() && packet.payloadType() != params.redPayloadType()) {
            drops.increment(DropReason.UNKNOWN_PAYLOAD_TYPE);
            return -1;
        }
        if (vp9 != null
                && packet.payloadLength() > 0
                && !vp9.parse(packet.buffer(), packet.payloadOffset(), packet.payloadLength())) {
            drops.increment(DropReason.MALFORMED_VP9);
            return -1;
        }
        if (av1 != null && !parseAv1(packet, nowNanos)) {
            return -1;
        }
        if (retransmissionBuffer != null
                && stats.started()
                && retransmissionBuffer.contains(stats.peekExtended(packet.sequenceNumber()))) {
            // An RTX answer to a NACK after the original came after all, or a payload-carrying probe.
            duplicates++;
            drops.increment(DropReason.DUPLICATE);
            return -1;
        }
        long extSeq = stats.onPacket(packet.sequenceNumber(), packet.timestamp(), packet.length(), nowNanos);
        if (nackGenerator != null && nackGenerator.onPacket(extSeq, nowNanos) && rtx) {
            rtxRecovered++;
        }
        lastWasKeyframe =
                params.codec().isKeyframeStart(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        if (lastWasKeyframe) {
            keyframesSeen++;
            lastKeyframeNanos = nowNanos;
            keyframeRequester.onKeyframe();
            if (params.codec() == Codec.VP8) {
                noteSize(
                        Vp8Payload.keyframeWidth(packet.buffer(), packet.payloadOffset(), packet.payloadLength()),
                        Vp8Payload.keyframeHeight(packet.buffer(), packet.payloadOffset(), packet.payloadLength()));
            } else if (spsSize != null
                    && spsSize.parse(packet.buffer(), packet.payloadOffset(), packet.payloadLength())) {
                noteSize(spsSize.width(), spsSize.height());
            }
        }
        if (temporalRates != null) {
            byte[] b = packet.buffer();
            lastTemporalId = Vp8Payload.temporalId(b, packet.payloadOffset(), packet.payloadLength());
            lastLayerSync =
                    lastWasKeyframe || Vp8Payload.isLayerSync(b, packet.payloadOffset(), packet.payloadLength());
            // Parsed once here for every consumer that rewrites them (StreamSplicer), not once per consumer.
            lastPictureId = Vp8Payload.pictureId(b, packet.payloadOffset(), packet.payloadLength());
            lastTl0PicIdx = Vp8Payload.tl0PicIdx(b, packet.payloadOffset(), packet.payloadLength());
        }
        if (vp9 != null) {
            onVp9(packet, nowNanos);
        } else if (av1 != null) {
            onAv1(packet, nowNanos);
        }
        if (packet.payloadLength() > 0) {
            forwardableRate.add(packet.length(), nowNanos);
            if (temporalRates != null) {
                temporalRates.add(lastTemporalId, lastLayerSync, packet.timestamp(), packet.length(), nowNanos);
            }
            if (retransmissionBuffer != null) {
                retransmissionBuffer.store(extSeq, packet.buffer(), packet.offset(), packet.length(), nowNanos);
            }
        }
        return extSeq;
    }

    /** The VP9 packet just accepted: the ids every consumer reads, and the SVC layers' sizes and rates. */
    private void onVp9(RtpPacket packet, long nowNanos) {
        if (packet.payloadLength() == 0) {
            lastTemporalId = -1;
            lastLayerSync = false;
            lastPictureId = -1;
            lastTl0PicIdx = -1;
            return;
        }
        lastSpatialId = vp9.spatialId();
        lastTemporalId = Math.min(vp9.temporalId(), TemporalFilter.ALL);
        lastLayerSync = lastWasKeyframe || vp9.switchingUp();
        lastPictureId = vp9.pictureId();
        lastTl0PicIdx = vp9.tl0PicIdx();
        boolean changed = vp9.ssSpatialLayers() > 0 && svc.onStructure(vp9);
        onSvcPacket(svc.onPacket(
                        lastSpatialId, lastTemporalId, vp9.switchingUp(), packet.timestamp(), packet.length(), nowNanos)
                || changed);
    }

    private void onSvcPacket(boolean layersChanged) {
        if (layersChanged) {
            // The stream's size is its top layer's; the consumers choose among the layers again.
            width = svc.width(svc.count() - 1);
            height = svc.height(svc.count() - 1);
            producer.onLayerSize(this);
        }
    }

    /**
     * AV1: parses the packet's Dependency Descriptor against the structure kept so far; false (counted, and a
     * key frame asked for when the structure is missing) when the packet cannot be placed in a layer. A stream
     * without the descriptor (not negotiated, or a packet without it) is taken as one layer.
     */
    private boolean parseAv1(RtpPacket packet, long nowNanos) {
        long ref = av1DescriptorId == 0 || packet.payloadLength() == 0
                ? RtpHeaderExtensions.NOT_FOUND
                : packet.findExtension(av1DescriptorId);
        if (ref == RtpHeaderExtensions.NOT_FOUND) {
            av1.parse(packet.buffer(), 0, 0); // clears the frame fields: layer 0
            return true;
        }
        DependencyDescriptor.Outcome outcome =
                av1.parse(packet.buffer(), RtpHeaderExtensions.offsetOf(ref), RtpHeaderExtensions.lengthOf(ref));
        if (outcome == DependencyDescriptor.Outcome.OK) {
            return true;
        }
        if (outcome == DependencyDescriptor.Outcome.UNKNOWN_TEMPLATE) {
            drops.increment(DropReason.UNKNOWN_DEPENDENCY_TEMPLATE);
            keyframeRequester.request(nowNanos, KeyframeRequestKind.DEPENDENCY_STRUCTURE);
        } else {
            drops.increment(DropReason.MALFORMED_DEPENDENCY_DESCRIPTOR);
        }
        return false;
    }

    /** The AV1 packet just accepted: its layers from the descriptor, and the SVC layers' sizes and rates. */
    private void onAv1(RtpPacket packet, long nowNanos) {
        lastPictureId = -1; // AV1 frame numbers count every layer's frames: nothing for the VP8/VP9 rewriting
        lastTl0PicIdx = -1;
        if (packet.payloadLength() == 0) {
            lastTemporalId = -1;
            lastLayerSync = false;
            return;
        }
        boolean described = av1.frameNumber() >= 0;
        lastSpatialId = described ? av1.spatialId() : 0;
        lastTemporalId = described ? Math.min(av1.temporalId(), TemporalFilter.ALL) : -1;
        lastLayerSync = lastWasKeyframe || (described && av1.switchingUp());
        boolean changed = av1.structureAttached() && svc.onStructure(av1.structure());
        onSvcPacket(svc.onPacket(
                        lastSpatialId, lastTemporalId, lastLayerSync, packet.timestamp(), packet.length(), nowNanos)
                || changed);
    }

    /** SVC (VP9, AV1): the spatial layer of the packet just accepted; 0 for other codecs. */
    int lastSpatialId() {
        return lastSpatialId;
    }

    /** AV1: the Dependency Descriptor of the packet just accepted, its structure kept for the stream; else null. */
    DependencyDescriptor av1() {
        return av1;
    }

    /** VP9: the descriptor of the packet just accepted; null for other codecs. */
    Vp9Descriptor vp9() {
        return vp9;
    }

    /** VP9 and AV1: the spatial and temporal layers inside this encoding; null for other codecs. */
    SvcLayers svc() {
        return svc;
    }

    /**
     * True while the publisher sends this layer: a packet within {@code windowNanos}. Browsers stop
     * sending their top layers when CPU or bandwidth is short, and never send layers their camera's
     * resolution is too small for; a consumer must not wait for a keyframe on such a layer.
     */
    boolean isActive(long nowNanos, long windowNanos) {
        return lastPacketNanos >= 0 && nowNanos - lastPacketNanos < windowNanos;
    }

    boolean lastWasKeyframe() {
        return lastWasKeyframe;
    }

    /** VP8 TID of the packet just accepted, -1 without one (or not VP8). */
    int lastTemporalId() {
        return lastTemporalId;
    }

    /** Whether the packet just accepted may start its temporal layer (Y bit, or a keyframe). */
    boolean lastLayerSync() {
        return lastLayerSync;
    }

    /** VP8 picture id of the packet just accepted, -1 without one (or not VP8). */
    int lastPictureId() {
        return lastPictureId;
    }

    /** VP8 TL0PICIDX of the packet just accepted, -1 without one (or not VP8). */
    int lastTl0PicIdx() {
        return lastTl0PicIdx;
    }

    /** Temporal layers arriving on this stream (1 without TIDs, or not VP8). */
    int temporalLayers(long nowNanos) {
        return temporalRates == null ? 1 : temporalRates.layers(nowNanos);
    }

    /**
     * What forwarding temporal layers 0..{@code tid} costs; the whole stream's forwardable rate when
     * that is all of its layers (or nothing was measured per layer).
     */
    long forwardableBitrateBps(int tid, long nowNanos) {
        if (temporalRates == null || tid >= temporalRates.layers(nowNanos) - 1 || !temporalRates.measured()) {
            return forwardableRate.bitsPerSecond(nowNanos);
        }
        return temporalRates.cumulativeBps(tid, nowNanos);
    }

    /** Frames per second of temporal layers 0..{@code tid} (all for a stream without TIDs); 0 until measured. */
    double frameRate(int tid, long nowNanos) {
        return temporalRates == null ? 0 : temporalRates.cumulativeFps(tid, nowNanos);
    }

    private void noteSize(int w, int h) {
        if (w > 0 && h > 0 && (w != width || h != height)) {
            width = w;
            height = h;
            producer.onLayerSize(this);
        }
    }

    /** Width of this layer's frames (from its last keyframe), 0 while unknown. */
    int width() {
        return width;
    }

    /** Height of this layer's frames, 0 while unknown. */
    int height() {
        return height;
    }

    /**
     * Turns an RTX packet into the media packet it carries, in place: the original sequence
     * number (first two payload bytes) goes into the header, the header moves up two bytes over
     * it, and SSRC and payload type become the media stream's. The view is re-pointed.
     */
    private boolean unwrapRtx(RtpPacket packet) {
        if (packet.payloadLength() < 2 || ssrc == ProducerParams.NONE) {
            return false;
        }
        byte[] buf = packet.buffer();
        int off = packet.offset();
        int len = packet.length();
        int osn = BigEndian.u16(buf, packet.payloadOffset());
        System.arraycopy(buf, off, buf, off + 2, packet.headerLength());
        if (packet.wrap(buf, off + 2, len - 2) != RtpValidity.OK) {
            return false;
        }
        packet.setSsrc(ssrc);
        packet.setPayloadType(producer.params().payloadType());
        packet.setSequenceNumber(osn);
        return true;
    }

    void onSenderReport(long ntpTimestamp, long rtpTimestamp, long nowNanos) {
        senderClock.update(ntpTimestamp, rtpTimestamp, nowNanos);
        producer.onSenderReport(this, ntpTimestamp, rtpTimestamp, nowNanos);
    }

    /** Gives a new recording of this stream the last sender report, when one came. */
    void offerSenderReportTo(TrackTap tap) {
        if (senderClock.known()) {
            tap.offerSenderReport(senderClock.ntp(), senderClock.rtp(), senderClock.arrivalNanos());
        }
    }

    /** SRs on the RTX SSRC: valid, but they say nothing the media stream's SRs do not. */
    void onRtxSenderReport() {
        rtxSenderReports++;
    }

    SenderClockMapping senderClock() {
        return senderClock;
    }

    /** Asks the publisher for a keyframe on this stream, subject to its rate limit. */
    void requestKeyframe(long nowNanos, KeyframeRequestKind kind) {
        keyframeRequester.request(nowNanos, kind);
    }

    KeyframeRequester keyframeRequester() {
        return keyframeRequester;
    }

    /** What the publisher sends on this stream (media, retransmissions and padding), smoothed. */
    long bitrateBps(long nowNanos) {
        return rate.bitsPerSecond(nowNanos);
    }

    /**
     * What forwarding this stream costs, smoothed: its media packets (an RTX packet that recovered
     * one included), without the publisher's bandwidth probes (RTX padding, resends the SFU already
     * had, padding-only packets), which Chrome sends at up to half the media rate and which never
     * go further than this hop.
     */
    long forwardableBitrateBps(long nowNanos) {
        return forwardableRate.bitsPerSecond(nowNanos);
    }

    long packetsReceived() {
        return stats.packets();
    }

    long keyframesSeen() {
        return keyframesSeen;
    }

    long lastKeyframeNanos() {
        return lastKeyframeNanos;
    }

    long rtxReceived() {
        return rtxReceived;
    }

    /** The extended number of {@code seq} near what has arrived, or -1 before the first packet. */
    long extendedSequence(int seq) {
        return stats.started() ? stats.peekExtended(seq) : -1;
    }

    /** Its receive statistics (a relayed sender report counts packets and bytes from them). */
    ReceiveStreamStats counts() {
        return stats;
    }

    /** Null for audio. */
    RetransmissionBuffer retransmissionBuffer() {
        return retransmissionBuffer;
    }

    /** Null for audio or with NACK disabled. */
    NackGenerator nackGenerator() {
        return nackGenerator;
    }

    /** True when a receiver report block can be written (something was received). */
    boolean hasReceptionStats() {
        return stats.started() && ssrc != ProducerParams.NONE;
    }

    void fillReportBlock(ReportBlock block, long nowNanos) {
        stats.fillReportBlock(block, ssrc, senderClock.lastSr(), senderClock.delaySinceLastSr(nowNanos));
    }

    void close() {
        keyframeRequester.close();
        if (nackGenerator != null) {
            nackGenerator.close();
        }
    }

    ObjectNode toJson(long nowNanos) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("layer", layer);
        if (rid != null) {
            n.put("rid", rid);
        }
        n.put("ssrc", ssrc);
        n.put("rtxSsrc", rtxSsrc);
        n.set("receive", stats.toJson());
        n.put("bitrateBps", rate.bitsPerSecond(nowNanos));
        n.put("forwardableBps", forwardableRate.bitsPerSecond(nowNanos));
        if (temporalRates != null) {
            n.set("temporalLayers", temporalRates.toJson(nowNanos));
        }
        if (svc != null) {
            svc.addJson(n, nowNanos);
        }
        n.put("active", isActive(nowNanos, Producer.LAYER_ACTIVE_NANOS));
        n.put("keyframesSeen", keyframesSeen);
        n.put("width", width);
        n.put("height", height);
        n.put("lastKeyframeNanos", lastKeyframeNanos);
        n.put("senderReportsReceived", senderClock.reportsReceived());
        n.set("keyframeRequests", keyframeRequester.toJson());
        n.put("rtxReceived", rtxReceived);
        n.put("rtxRecovered", rtxRecovered);
        n.put("rtxPadding", rtxPadding);
        n.put("rtxSenderReports", rtxSenderReports);
        n.put("duplicates", duplicates);
        if (retransmissionBuffer != null) {
            n.set("retransmissionBuffer", retransmissionBuffer.toJson());
        }
        if (nackGenerator != null) {
            n.set("nackToPublisher", nackGenerator.toJson());
        }
        return n;
    }
}
