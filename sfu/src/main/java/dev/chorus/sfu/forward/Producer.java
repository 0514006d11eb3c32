package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.cc.RateMeter;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.ArrayList;
import java.util.List;

/**
 * One published track: receives the publisher's RTP (validated and looked up by the endpoint),
 * unwraps its RTX retransmissions (RFC 4588) into the media stream, keeps reception statistics
 * and the publisher's SR clock mapping, spots keyframes, and fans each packet out to its
 * consumers. Owns the rate-limited keyframe requests towards the publisher and, for video, the
 * retransmission buffer subscribers' NACKs are answered from and the NACK generator that asks
 * the publisher for uplink losses. Worker-thread only: public entry points check it.
 */
public final class Producer {
    private final ProducerParams params;
    private final Endpoint publisher;
    private final ReceiveStreamStats stats;
    private final SenderClockMapping senderClock = new SenderClockMapping();
    private final KeyframeRequester keyframeRequester;
    /** Video only (null for audio): recent packets to answer subscribers' NACKs. */
    private final RetransmissionBuffer retransmissionBuffer;
    /** Video only, and only when NACK retries are enabled. */
    private final NackGenerator nackGenerator;
    /** Indexed loop over an ArrayList: no iterator allocation per packet. */
    private final List<Consumer> consumers = new ArrayList<>();

    private final DropCounters drops;
    private final RateMeter rate = new RateMeter();
    private final int transportCcId;
    private long keyframesSeen;
    private long lastKeyframeNanos = -1;
    private long rtxReceived;
    private long rtxRecovered;
    private long rtxPadding;
    private long duplicates;
    private long rtxSenderReports;
    private boolean closed;

    Producer(ProducerParams params, Endpoint publisher, Router router) {
        this.params = params;
        this.publisher = publisher;
        this.stats = new ReceiveStreamStats(params.codec().clockRate());
        this.drops = new DropCounters(router.drops());
        this.keyframeRequester = new KeyframeRequester(
                "pli:" + params.id(),
                router.worker().timers(),
                router.config().pliMinIntervalMillis() * 1_000_000L,
                now -> publisher.sendPli(params.ssrc()));
        this.transportCcId = params.extensions().id(RtpExtension.TRANSPORT_CC);
        RouterConfig config = router.config();
        boolean video = params.kind() == MediaKind.VIDEO;
        this.retransmissionBuffer = video
                ? new RetransmissionBuffer(config.retransmissionPackets(), config.retransmissionMillis() * 1_000_000L)
                : null;
        this.nackGenerator = video && config.nackMaxRetries() > 0
                ? new NackGenerator(
                        "nack:" + params.id(),
                        router.worker().timers(),
                        config.nackMaxRetries(),
                        config.nackGiveUpMillis() * 1_000_000L,
                        publisher::rttNanos,
                        new NackGenerator.Sink() {
                            @Override
                            public void sendNack(int[] seqs, int count) {
                                publisher.sendNack(params.ssrc(), seqs, count);
                            }

                            @Override
                            public void onGiveUp(long nowNanos) {
                                if (!consumers.isEmpty()) {
                                    requestKeyframe(nowNanos, KeyframeRequestKind.UNRECOVERABLE_LOSS);
                                }
                            }
                        })
                : null;
    }

    public String id() {
        return params.id();
    }

    public ProducerParams params() {
        return params;
    }

    public MediaKind kind() {
        return params.kind();
    }

    public Endpoint publisher() {
        return publisher;
    }

    public DropCounters drops() {
        return drops;
    }

    public long keyframesSeen() {
        return keyframesSeen;
    }

    /** Clock time of the last keyframe start, or -1 before the first. */
    public long lastKeyframeNanos() {
        return lastKeyframeNanos;
    }

    public long packetsReceived() {
        return stats.packets();
    }

    /** Number of keyframe requests actually sent to the publisher. */
    public long keyframeRequestsSent() {
        return keyframeRequester.sent();
    }

    void receiveRtp(RtpPacket packet, long nowNanos) {
        if (closed) {
            drops.increment(DropReason.CLOSED);
            return;
        }
        rate.add(packet.length(), nowNanos);
        boolean rtx = params.rtxSsrc() != ProducerParams.NONE && packet.ssrc() == params.rtxSsrc();
        if (rtx) {
            if (packet.payloadType() != params.rtxPayloadType()) {
                drops.increment(DropReason.UNKNOWN_PAYLOAD_TYPE);
                return;
            }
            if (packet.payloadLength() == 0) {
                // Chrome's bandwidth probes: padding on the RTX stream, meant for this hop only.
                rtxPadding++;
                drops.increment(DropReason.RTX_PADDING);
                return;
            }
            if (!unwrapRtx(packet)) {
                drops.increment(DropReason.MALFORMED_RTP);
                return;
            }
            rtxReceived++;
        } else if (packet.payloadType() != params.payloadType()) {
            drops.increment(DropReason.UNKNOWN_PAYLOAD_TYPE);
            return;
        }
        if (retransmissionBuffer != null
                && stats.started()
                && retransmissionBuffer.contains(stats.peekExtended(packet.sequenceNumber()))) {
            // An RTX answer to a NACK after the original came after all, or a payload-carrying probe.
            duplicates++;
            drops.increment(DropReason.DUPLICATE);
            return;
        }
        long extSeq = stats.onPacket(packet.sequenceNumber(), packet.timestamp(), packet.length(), nowNanos);
        if (nackGenerator != null && nackGenerator.onPacket(extSeq, nowNanos) && rtx) {
            rtxRecovered++;
        }
        boolean keyframe =
                params.codec().isKeyframeStart(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        if (keyframe) {
            keyframesSeen++;
            lastKeyframeNanos = nowNanos;
            keyframeRequester.onKeyframe();
        }
        if (retransmissionBuffer != null && packet.payloadLength() > 0) {
            retransmissionBuffer.store(extSeq, packet.buffer(), packet.offset(), packet.length(), nowNanos);
        }
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).forward(packet, extSeq, keyframe, nowNanos);
        }
    }

    /**
     * Turns an RTX packet into the media packet it carries, in place: the original sequence
     * number (first two payload bytes) goes into the header, the header moves up two bytes over
     * it, and SSRC and payload type become the media stream's. The view is re-pointed.
     */
    private boolean unwrapRtx(RtpPacket packet) {
        if (packet.payloadLength() < 2) {
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
        packet.setSsrc(params.ssrc());
        packet.setPayloadType(params.payloadType());
        packet.setSequenceNumber(osn);
        return true;
    }

    void onSenderReport(long ntpTimestamp, long rtpTimestamp, long nowNanos) {
        senderClock.update(ntpTimestamp, rtpTimestamp, nowNanos);
    }

    SenderClockMapping senderClock() {
        return senderClock;
    }

    /** The publisher's send rate of this track (media, retransmissions and padding), smoothed. */
    public long bitrateBps(long nowNanos) {
        publisher.router().worker().checkThread(this);
        return rate.bitsPerSecond(nowNanos);
    }

    /** The publisher's transport-cc header extension id, 0 when not negotiated. */
    int transportCcId() {
        return transportCcId;
    }

    /** Asks the publisher for a keyframe, subject to the per-producer rate limit. */
    public void requestKeyframe(long nowNanos, KeyframeRequestKind kind) {
        publisher.router().worker().checkThread(this);
        if (params.kind() == MediaKind.VIDEO && !closed) {
            keyframeRequester.request(nowNanos, kind);
        }
    }

    /** Keyframe requests received for {@code kind} (before rate limiting). */
    public long keyframeRequests(KeyframeRequestKind kind) {
        return keyframeRequester.requested(kind);
    }

    /** Null for audio. */
    RetransmissionBuffer retransmissionBuffer() {
        return retransmissionBuffer;
    }

    /** Null for audio or with NACK disabled. */
    NackGenerator nackGenerator() {
        return nackGenerator;
    }

    /** Retransmissions that arrived on the RTX stream and were unwrapped. */
    public long rtxReceived() {
        return rtxReceived;
    }

    /** SRs on the RTX SSRC: valid, but they say nothing the media stream's SRs do not. */
    void onRtxSenderReport() {
        rtxSenderReports++;
    }

    /** Re-asks for a keyframe while some consumer still waits for one (lost PLI or keyframe). */
    void retryKeyframeIfNeeded(long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).isWaitingForKeyframe()) {
                requestKeyframe(nowNanos, KeyframeRequestKind.WAITING_RETRY);
                return;
            }
        }
    }

    /** True when a receiver report block can be written (something was received). */
    boolean hasReceptionStats() {
        return stats.started();
    }

    void fillReportBlock(ReportBlock block, long nowNanos) {
        stats.fillReportBlock(block, params.ssrc(), senderClock.lastSr(), senderClock.delaySinceLastSr(nowNanos));
    }

    void addConsumer(Consumer consumer) {
        consumers.add(consumer);
    }

    void removeConsumer(Consumer consumer) {
        consumers.remove(consumer);
    }

    List<Consumer> consumers() {
        return consumers;
    }

    void close() {
        closed = true;
        keyframeRequester.close();
        if (nackGenerator != null) {
            nackGenerator.close();
        }
    }

    @Override
    public String toString() {
        return "producer " + params.id();
    }

    public ObjectNode toJson() {
        publisher.router().worker().checkThread(this);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", params.id());
        n.put("endpoint", publisher.id());
        n.put("kind", params.kind().name());
        n.put("codec", params.codec().name());
        n.put("ssrc", params.ssrc());
        n.put("rtxSsrc", params.rtxSsrc());
        n.put("payloadType", params.payloadType());
        n.put("rtxPayloadType", params.rtxPayloadType());
        n.set("extensions", params.extensions().toJson());
        n.put("closed", closed);
        n.set("receive", stats.toJson());
        n.put(
                "bitrateBps",
                rate.bitsPerSecond(publisher.router().worker().clock().nowNanos()));
        n.put("keyframesSeen", keyframesSeen);
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
        n.set("drops", drops.toJson());
        ArrayNode ids = n.putArray("consumers");
        for (Consumer c : consumers) {
            ids.add(c.id());
        }
        return n;
    }
}
