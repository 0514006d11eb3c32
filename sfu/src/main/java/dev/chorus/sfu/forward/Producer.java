package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.worker.DropCounters;
import dev.chorus.sfu.worker.DropReason;
import java.util.ArrayList;
import java.util.List;

/**
 * One published track: receives the publisher's RTP (validated and looked up by the endpoint),
 * keeps reception statistics and the publisher's SR clock mapping, spots keyframes, and fans
 * each packet out to its consumers. Owns the rate-limited keyframe requests towards the
 * publisher. Worker-thread only.
 */
public final class Producer {
    private final ProducerParams params;
    private final Endpoint publisher;
    private final ReceiveStreamStats stats;
    private final SenderClockMapping senderClock = new SenderClockMapping();
    private final KeyframeRequester keyframeRequester;
    /** Indexed loop over an ArrayList: no iterator allocation per packet. */
    private final List<Consumer> consumers = new ArrayList<>();
    private final DropCounters drops;
    private long keyframesSeen;
    private long lastKeyframeNanos = -1;
    private boolean closed;

    Producer(ProducerParams params, Endpoint publisher, Router router) {
        this.params = params;
        this.publisher = publisher;
        this.stats = new ReceiveStreamStats(params.codec().clockRate());
        this.drops = new DropCounters(router.drops());
        this.keyframeRequester = new KeyframeRequester("pli:" + params.id(), router.worker().timers(),
                router.config().pliMinIntervalMillis() * 1_000_000L,
                now -> publisher.sendPli(params.ssrc()));
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
        if (packet.ssrc() == params.rtxSsrc()) {
            drops.increment(DropReason.RTX_NOT_HANDLED);
            return;
        }
        if (packet.payloadType() != params.payloadType()) {
            drops.increment(DropReason.UNKNOWN_PAYLOAD_TYPE);
            return;
        }
        long extSeq = stats.onPacket(packet.sequenceNumber(), packet.timestamp(), packet.length(), nowNanos);
        boolean keyframe = params.codec().isKeyframeStart(packet.buffer(), packet.payloadOffset(),
                packet.payloadLength());
        if (keyframe) {
            keyframesSeen++;
            lastKeyframeNanos = nowNanos;
        }
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).forward(packet, extSeq, keyframe, nowNanos);
        }
    }

    void onSenderReport(long ntpTimestamp, long rtpTimestamp, long nowNanos) {
        senderClock.update(ntpTimestamp, rtpTimestamp, nowNanos);
    }

    SenderClockMapping senderClock() {
        return senderClock;
    }

    /** Asks the publisher for a keyframe, subject to the per-producer rate limit. */
    public void requestKeyframe(long nowNanos) {
        if (params.kind() == MediaKind.VIDEO && !closed) {
            keyframeRequester.request(nowNanos);
        }
    }

    /** Re-asks for a keyframe while some consumer still waits for one (lost PLI or keyframe). */
    void retryKeyframeIfNeeded(long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).isWaitingForKeyframe()) {
                requestKeyframe(nowNanos);
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
    }

    public ObjectNode toJson() {
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
        n.put("keyframesSeen", keyframesSeen);
        n.put("lastKeyframeNanos", lastKeyframeNanos);
        n.put("senderReportsReceived", senderClock.reportsReceived());
        n.set("keyframeRequests", keyframeRequester.toJson());
        n.set("drops", drops.toJson());
        ArrayNode ids = n.putArray("consumers");
        for (Consumer c : consumers) {
            ids.add(c.id());
        }
        return n;
    }
}
