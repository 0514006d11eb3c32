package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpSeq;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.worker.DropCounters;
import dev.chorus.sfu.worker.DropReason;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * One subscriber's copy of one producer: decides per packet whether to forward (paused? waiting
 * for a keyframe?), copies the packet into a pooled buffer, rewrites SSRC, payload type,
 * sequence number (gap-free over our own drops), timestamp and header extensions, and hands it
 * to the subscriber's transport. Worker-thread only.
 *
 * <p>Video consumers start, and restart after a resume, on a keyframe; until then they drop
 * with {@link DropReason#WAITING_FOR_KEYFRAME}.
 */
public final class Consumer {
    private final ConsumerParams params;
    private final Producer producer;
    private final Endpoint subscriber;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final SeqRewriter seq;
    private final ExtensionRewriter extensions;
    private final DropCounters drops;
    private boolean paused;
    private boolean waitingForKeyframe;
    private boolean closed;
    private final WorkerStats stats;
    private long packetsSent;
    /** Payload octets, as the SR's sender octet count defines them. */
    private long payloadOctetsSent;
    private long bytesSent;
    private long keyframeRequestsReceived;
    private long senderReportsSent;

    Consumer(ConsumerParams params, Producer producer, Endpoint subscriber, Router router) {
        this.params = params;
        this.producer = producer;
        this.subscriber = subscriber;
        this.scratch = router.scratch();
        this.pool = router.worker().pool();
        this.seq = new SeqRewriter(params.initialSequence());
        this.extensions = new ExtensionRewriter(producer.params().extensions(), params.extensions(), params.mid());
        this.drops = new DropCounters(router.drops());
        this.stats = router.worker().stats();
        this.waitingForKeyframe = producer.kind() == MediaKind.VIDEO;
    }

    public String id() {
        return params.id();
    }

    public ConsumerParams params() {
        return params;
    }

    public Producer producer() {
        return producer;
    }

    public Endpoint subscriber() {
        return subscriber;
    }

    public DropCounters drops() {
        return drops;
    }

    public boolean isPaused() {
        return paused;
    }

    public boolean isWaitingForKeyframe() {
        return waitingForKeyframe;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long payloadOctetsSent() {
        return payloadOctetsSent;
    }

    /** Stops forwarding; sequence numbers stay gap-free across the pause. */
    public void pause() {
        paused = true;
    }

    /** Resumes forwarding; video waits for a keyframe, which is requested at once. */
    public void resume(long nowNanos) {
        if (!paused) {
            return;
        }
        paused = false;
        if (producer.kind() == MediaKind.VIDEO) {
            waitingForKeyframe = true;
            producer.requestKeyframe(nowNanos);
        }
    }

    void forward(RtpPacket in, long extSeq, boolean keyframe, long nowNanos) {
        if (closed) {
            return;
        }
        if (paused) {
            skip(DropReason.CONSUMER_PAUSED, extSeq);
            return;
        }
        if (in.payloadLength() == 0) {
            skip(DropReason.PADDING_ONLY, extSeq);
            return;
        }
        if (waitingForKeyframe) {
            if (!keyframe) {
                skip(DropReason.WAITING_FOR_KEYFRAME, extSeq);
                return;
            }
            waitingForKeyframe = false;
        }
        int length = in.length();
        if (length > PacketBuffer.MAX_PACKET_LENGTH) {
            skip(DropReason.PACKET_TOO_LARGE, extSeq);
            return;
        }
        PacketBuffer buffer = pool.acquire();
        if (buffer == null) {
            skip(DropReason.POOL_EXHAUSTED, extSeq);
            return;
        }
        try {
            int outSeq = seq.forward(extSeq);
            if (outSeq < 0) {
                drops.increment(DropReason.TOO_LATE_TO_MAP);
                return;
            }
            buffer.copyFrom(in.buffer(), in.offset(), length);
            RtpPacket out = scratch.outgoing;
            if (out.wrap(buffer.array(), buffer.offset(), length) != RtpValidity.OK) {
                // Cannot happen for a copy of a valid packet; counted rather than assumed.
                drops.increment(DropReason.MALFORMED_RTP);
                return;
            }
            out.setSsrc(params.ssrc());
            out.setPayloadType(params.payloadType());
            out.setSequenceNumber(outSeq);
            out.setTimestamp(RtpSeq.addTimestamp(in.timestamp(), params.timestampOffset()));
            extensions.rewrite(out, nowNanos, buffer.writableCapacity());
            if (subscriber.sendRtp(out.buffer(), out.offset(), out.length())) {
                packetsSent++;
                bytesSent += out.length();
                stats.rtpForwarded(out.length());
                payloadOctetsSent += out.payloadLength();
            } else {
                drops.increment(DropReason.SEND_FAILED);
            }
        } finally {
            pool.release(buffer);
        }
    }

    /** Counts a drop and tells the sequence rewriter, so the outgoing sequence closes up. */
    private void skip(DropReason reason, long extSeq) {
        drops.increment(reason);
        seq.drop(extSeq);
    }

    /** A PLI or FIR from the subscriber for this consumer's SSRC. */
    void onKeyframeRequest(long nowNanos) {
        keyframeRequestsReceived++;
        producer.requestKeyframe(nowNanos);
    }

    /**
     * Writes this consumer's SR at {@code dst[off]}: the publisher's NTP/RTP mapping carried
     * forward to now (RTP translated by our timestamp offset), with our own counts. Returns 0
     * when there is nothing truthful to say yet (nothing sent, or no SR from the publisher).
     */
    int writeSenderReport(byte[] dst, int off, int limit, long nowNanos) {
        SenderClockMapping clock = producer.senderClock();
        if (packetsSent == 0 || !clock.known()) {
            return 0;
        }
        long ntp = clock.ntpAt(nowNanos);
        long rtp = RtpSeq.addTimestamp(clock.rtpAt(nowNanos, producer.params().codec().clockRate()),
                params.timestampOffset());
        int n = SenderReportWriter.write(dst, off, limit, params.ssrc(), ntp, rtp,
                packetsSent & 0xFFFF_FFFFL, payloadOctetsSent & 0xFFFF_FFFFL, (ReportBlock[]) null, 0);
        if (n > 0) {
            senderReportsSent++;
        }
        return Math.max(n, 0);
    }

    void close() {
        closed = true;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", params.id());
        n.put("producer", producer.id());
        n.put("endpoint", subscriber.id());
        n.put("ssrc", params.ssrc());
        n.put("rtxSsrc", params.rtxSsrc());
        n.put("payloadType", params.payloadType());
        n.put("rtxPayloadType", params.rtxPayloadType());
        n.set("extensions", params.extensions().toJson());
        n.put("mid", params.mid());
        n.put("paused", paused);
        n.put("waitingForKeyframe", waitingForKeyframe);
        n.put("closed", closed);
        n.put("packetsSent", packetsSent);
        n.put("bytesSent", bytesSent);
        n.put("payloadOctetsSent", payloadOctetsSent);
        n.put("sequenceDropsHidden", seq.dropsHidden());
        n.put("timestampOffset", params.timestampOffset());
        n.put("extensionsStripped", extensions.stripped());
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        n.put("senderReportsSent", senderReportsSent);
        n.set("drops", drops.toJson());
        return n;
    }
}
