package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.PaddingPacketWriter;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpSeq;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * One subscriber's copy of one producer: decides per packet whether to forward it (paused? paused
 * for bandwidth? waiting for a keyframe?), copies it into a pooled buffer, rewrites SSRC, payload
 * type, sequence number (gap-free over our own drops), timestamp and header extensions, and hands
 * it to the subscriber's endpoint. What was sent and reported back lives in its
 * {@link RtpSendStream}; NACKs are answered by its {@link NackResponder}. Worker-thread only:
 * public entry points check it.
 *
 * <p>Video consumers start, and restart after a resume, on a keyframe; until then they drop
 * with {@link DropReason#WAITING_FOR_KEYFRAME}.
 */
public final class Consumer {
    private final ConsumerParams params;
    private final Producer producer;
    private final Endpoint subscriber;
    private final MediaWorker worker;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final SeqRewriter seq;
    private final ExtensionRewriter extensions;
    private final DropCounters drops;
    private final WorkerStats stats;
    private final RtpSendStream stream;
    private final NackResponder nacks;
    private final boolean rtx;
    private final int transportCcId;
    private boolean paused;
    /** Paused by the subscriber's bandwidth allocation, independently of {@link #paused}. */
    private boolean bandwidthPaused;

    private boolean waitingForKeyframe;
    private boolean closed;
    private long lastTimestamp = -1;
    /** Copies the transport did not send (no selected pair yet, socket error): counted there by reason. */
    private long notSent;

    private long paddingSent;
    private long keyframeRequestsReceived;

    Consumer(ConsumerParams params, Producer producer, Endpoint subscriber, Router router) {
        this.params = params;
        this.producer = producer;
        this.subscriber = subscriber;
        this.worker = router.worker();
        this.scratch = router.scratch();
        this.pool = worker.pool();
        this.stats = worker.stats();
        this.seq = new SeqRewriter(params.initialSequence());
        this.extensions = new ExtensionRewriter(producer.params().extensions(), params.extensions(), params.mid());
        this.drops = new DropCounters(router.drops());
        this.waitingForKeyframe = producer.kind() == MediaKind.VIDEO;
        RetransmissionBuffer rb = producer.retransmissionBuffer();
        this.stream = new RtpSendStream(params.ssrc(), params.initialSequence(), rb == null ? 0 : rb.capacity());
        this.rtx = params.rtxSsrc() != ProducerParams.NONE && params.rtxPayloadType() != ProducerParams.NONE;
        this.nacks = new NackResponder(this, stream, seq, router, drops, rtx);
        this.transportCcId = params.extensions().id(RtpExtension.TRANSPORT_CC);
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

    public boolean isBandwidthPaused() {
        return bandwidthPaused;
    }

    public long packetsSent() {
        return stream.packetsSent();
    }

    public long payloadOctetsSent() {
        return stream.payloadOctetsSent();
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ control

    /** Stops forwarding; sequence numbers stay gap-free across the pause. */
    public void pause() {
        worker.checkThread(this);
        paused = true;
    }

    /** Resumes forwarding; video waits for a keyframe, which is requested at once. */
    public void resume(long nowNanos) {
        worker.checkThread(this);
        if (!paused) {
            return;
        }
        paused = false;
        if (producer.kind() == MediaKind.VIDEO) {
            waitingForKeyframe = true;
            producer.requestKeyframe(nowNanos, KeyframeRequestKind.RESUME);
        }
    }

    /** The subscriber's bandwidth cannot carry this (video) consumer: stop until resumed. */
    void pauseForBandwidth() {
        bandwidthPaused = true;
    }

    /** Bandwidth is back: forward again from the next keyframe, which is requested now. */
    void resumeFromBandwidth(long nowNanos) {
        if (!bandwidthPaused) {
            return;
        }
        bandwidthPaused = false;
        waitingForKeyframe = true;
        producer.requestKeyframe(nowNanos, KeyframeRequestKind.BANDWIDTH_RESUME);
    }

    // ------------------------------------------------------------------ forwarding

    /** One packet of the producer (validated, RTX unwrapped, numbered {@code extSeq}). */
    void forward(RtpPacket in, long extSeq, boolean keyframe, long nowNanos) {
        if (closed) {
            return;
        }
        if (paused) {
            skip(DropReason.CONSUMER_PAUSED, extSeq);
            return;
        }
        if (bandwidthPaused) {
            skip(DropReason.BANDWIDTH_PAUSED, extSeq);
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
            skip(DropReason.TOO_LARGE_TO_FORWARD, extSeq);
            return;
        }
        PacketBuffer buffer = pool.acquire();
        if (buffer == null) {
            skip(DropReason.NO_BUFFER, extSeq);
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
            rewriteAsMedia(out, outSeq, buffer, nowNanos);
            lastTimestamp = out.timestamp();
            if (send(out, nowNanos)) {
                stream.onSent(out);
                stats.rtpForwarded(out.length());
            } else {
                notSent++;
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

    /** Rewrites a copy for this consumer's media SSRC with outgoing sequence {@code outSeq}. */
    void rewriteAsMedia(RtpPacket out, int outSeq, PacketBuffer buffer, long nowNanos) {
        rewrite(out, params.ssrc(), params.payloadType(), outSeq, buffer, nowNanos);
    }

    /** Rewrites a copy (original sequence already in its payload) for this consumer's RTX stream. */
    void rewriteAsRtx(RtpPacket out, int rtxSeq, PacketBuffer buffer, long nowNanos) {
        rewrite(out, params.rtxSsrc(), params.rtxPayloadType(), rtxSeq, buffer, nowNanos);
    }

    private void rewrite(RtpPacket out, long ssrc, int payloadType, int outSeq, PacketBuffer buffer, long nowNanos) {
        out.setSsrc(ssrc);
        out.setPayloadType(payloadType);
        out.setSequenceNumber(outSeq);
        out.setTimestamp(RtpSeq.addTimestamp(out.timestamp(), params.timestampOffset()));
        extensions.rewrite(out, nowNanos, buffer.writableCapacity());
    }

    /** Hands a rewritten copy to the subscriber's endpoint; true when the transport sent it. */
    boolean send(RtpPacket out, long nowNanos) {
        return subscriber.sendMedia(out, extensions.transportCcOffset(), 0, nowNanos);
    }

    // ------------------------------------------------------------------ feedback from the subscriber

    /** A generic NACK from the subscriber for this consumer's SSRC arrived (before its items). */
    void onNackPacket() {
        nacks.onNackPacket();
    }

    /** The subscriber lost outgoing sequence number {@code outSeq}. */
    void onNack(int outSeq, long nowNanos) {
        nacks.onNack(outSeq, nowNanos);
    }

    /** A PLI or FIR from the subscriber for this consumer's SSRC. */
    void onKeyframeRequest(long nowNanos, KeyframeRequestKind kind) {
        keyframeRequestsReceived++;
        producer.requestKeyframe(nowNanos, kind);
    }

    /** A report block about this consumer's SSRC; returns an RTT sample in nanoseconds, or -1. */
    long onReportBlock(long lastSr, long delaySinceLastSr, long nowNanos) {
        return stream.onReportBlock(lastSr, delaySinceLastSr, nowNanos);
    }

    /** This consumer's SR at {@code dst[off]}; 0 when there is nothing truthful to report yet. */
    int writeSenderReport(byte[] dst, int off, int limit, long nowNanos) {
        return stream.writeSenderReport(
                dst,
                off,
                limit,
                nowNanos,
                producer.senderClock(),
                producer.params().codec().clockRate(),
                params.timestampOffset());
    }

    public long nacksReceived() {
        return nacks.nacksReceived();
    }

    public long retransmitted() {
        return nacks.retransmitted();
    }

    public long retransmittedRtx() {
        return nacks.retransmittedRtx();
    }

    /** NACKed packets that could not be resent, by reason: unknown, tooOld, notInBuffer, rateLimited. */
    public long nackMisses(String reason) {
        return nacks.misses(reason);
    }

    // ------------------------------------------------------------------ padding probes

    /** Padding can go on this consumer's RTX stream, with a transport-cc number to measure it by. */
    boolean canSendPadding() {
        return rtx && transportCcId != 0 && !closed && lastTimestamp >= 0;
    }

    /**
     * Sends one padding-only packet on the RTX stream for probe {@code cluster}. Returns the bytes
     * sent, or 0.
     */
    int sendPadding(int cluster, long nowNanos) {
        if (!canSendPadding()) {
            return 0;
        }
        PacketBuffer buffer = pool.acquire();
        if (buffer == null) {
            drops.increment(DropReason.NO_BUFFER);
            return 0;
        }
        try {
            int off = PacketBuffer.HEADROOM;
            int tccOffset = PaddingPacketWriter.write(
                    buffer.array(),
                    off,
                    params.rtxPayloadType(),
                    stream.rtxSequence(),
                    lastTimestamp,
                    params.rtxSsrc(),
                    transportCcId);
            int length = PaddingPacketWriter.LENGTH;
            buffer.set(off, length);
            RtpPacket out = scratch.outgoing;
            if (out.wrap(buffer.array(), off, length) != RtpValidity.OK
                    || !subscriber.sendMedia(out, tccOffset, cluster, nowNanos)) {
                return 0;
            }
            stream.advanceRtxSequence();
            paddingSent++;
            return length;
        } finally {
            pool.release(buffer);
        }
    }

    void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "consumer " + params.id();
    }

    public ObjectNode toJson() {
        worker.checkThread(this);
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
        n.put("bandwidthPaused", bandwidthPaused);
        n.put("paddingSent", paddingSent);
        n.put("waitingForKeyframe", waitingForKeyframe);
        n.put("closed", closed);
        stream.addJson(n);
        n.put("notSent", notSent);
        n.put("sequenceDropsHidden", seq.dropsHidden());
        n.put("timestampOffset", params.timestampOffset());
        n.put("extensionsStripped", extensions.stripped());
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        nacks.addJson(n);
        n.set("drops", drops.toJson());
        return n;
    }
}
