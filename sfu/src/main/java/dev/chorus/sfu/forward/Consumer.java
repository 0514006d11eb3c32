package dev.chorus.sfu.forward;

import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.codec.MediaKind;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpSeq;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * One subscriber's copy of one producer: decides per packet whether to forward (paused? waiting
 * for a keyframe?), copies the packet into a pooled buffer, rewrites SSRC, payload type,
 * sequence number (gap-free over our own drops), timestamp and header extensions, and hands it
 * to the subscriber's transport. Worker-thread only.
 *
 * <p>Answers the subscriber's NACKs from the producer's retransmission buffer: the NACKed
 * (outgoing) sequence number is mapped back to the producer's, the stored packet is rewritten
 * as on the first send, and sent as RTX (RFC 4588: RTX SSRC and payload type, own sequence, the
 * original sequence number in the first two payload bytes) when the subscriber negotiated RTX,
 * else as is. One packet is resent at most once per round-trip time.
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
    /** Paused by the subscriber's bandwidth allocation, independently of {@link #paused}. */
    private boolean bandwidthPaused;
    private final int transportCcId;
    private long lastTimestamp = -1;
    private long paddingSent;
    private boolean waitingForKeyframe;
    private boolean closed;
    private final WorkerStats stats;
    private long packetsSent;
    /** Copies the transport did not send (no selected pair yet, socket error): counted there by reason. */
    private long notSent;
    /** Payload octets, as the SR's sender octet count defines them. */
    private long payloadOctetsSent;
    private long bytesSent;
    private long keyframeRequestsReceived;
    private long senderReportsSent;
    /** Per-packet resend times (video): slot = producer sequence & mask, tagged by the sequence. */
    private final long[] resentSeq;
    private final long[] resentAt;
    private final int resentMask;
    private final boolean rtx;
    private int rtxSeq;
    private long nacksReceived;
    private long nackedPackets;
    private long retransmitted;
    private long retransmittedRtx;
    private long retransmitBytes;
    private long nackMissUnknown;
    private long nackMissTooOld;
    private long nackMissNotInBuffer;
    private long nackRateLimited;
    private long nackSendFailed;
    /** The last SRs sent (their NTP middle 32 bits and when), to turn RR blocks into an RTT. */
    private static final int SR_HISTORY = 4;
    private final long[] srNtpMiddle = new long[SR_HISTORY];
    private final long[] srSentNanos = new long[SR_HISTORY];
    private int srNext;
    private long lastRttNanos = -1;

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
        RetransmissionBuffer rb = producer.retransmissionBuffer();
        int slots = rb == null ? 0 : rb.capacity();
        this.resentSeq = new long[slots];
        this.resentAt = new long[slots];
        this.resentMask = slots - 1;
        java.util.Arrays.fill(resentSeq, -1);
        this.rtx = params.rtxSsrc() != ProducerParams.NONE && params.rtxPayloadType() != ProducerParams.NONE;
        this.rtxSeq = params.initialSequence() ^ 0x8000;
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

    public long packetsSent() {
        return packetsSent;
    }

    public long payloadOctetsSent() {
        return payloadOctetsSent;
    }

    public boolean isBandwidthPaused() {
        return bandwidthPaused;
    }

    boolean isClosed() {
        return closed;
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
            producer.requestKeyframe(nowNanos, KeyframeRequestKind.RESUME);
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
            rewrite(out, params.ssrc(), params.payloadType(), outSeq, buffer, nowNanos);
            lastTimestamp = out.timestamp();
            if (subscriber.sendMedia(out, extensions.transportCcOffset(), 0, nowNanos)) {
                packetsSent++;
                bytesSent += out.length();
                stats.rtpForwarded(out.length());
                payloadOctetsSent += out.payloadLength();
            } else {
                notSent++; // the transport counted the drop by its reason
            }
        } finally {
            pool.release(buffer);
        }
    }

    private void rewrite(RtpPacket out, long ssrc, int payloadType, int outSeq, PacketBuffer buffer, long nowNanos) {
        out.setSsrc(ssrc);
        out.setPayloadType(payloadType);
        out.setSequenceNumber(outSeq);
        out.setTimestamp(RtpSeq.addTimestamp(out.timestamp(), params.timestampOffset()));
        extensions.rewrite(out, nowNanos, buffer.writableCapacity());
    }

    // ------------------------------------------------------------------ NACK -> retransmission

    /** A generic NACK from the subscriber for this consumer's SSRC arrived (before its items). */
    void onNackPacket() {
        nacksReceived++;
    }

    /**
     * The subscriber lost outgoing sequence number {@code outSeq}: resend it if it can be found
     * and was not resent within the last RTT. Misses are counted by reason and otherwise ignored.
     */
    void onNack(int outSeq, long nowNanos) {
        nackedPackets++;
        if (closed) {
            return;
        }
        long extSeq = seq.reverse(outSeq);
        if (extSeq == SeqRewriter.REVERSE_UNKNOWN) {
            nackMissUnknown++;
            return;
        }
        if (extSeq == SeqRewriter.REVERSE_TOO_OLD) {
            nackMissTooOld++;
            return;
        }
        RetransmissionBuffer rb = producer.retransmissionBuffer();
        if (rb == null) {
            nackMissNotInBuffer++;
            return;
        }
        int slot = rb.find(extSeq, nowNanos);
        if (slot < 0) {
            switch (slot) {
                case RetransmissionBuffer.MISS_TOO_OLD -> nackMissTooOld++;
                case RetransmissionBuffer.MISS_UNKNOWN -> nackMissUnknown++;
                default -> nackMissNotInBuffer++;
            }
            return;
        }
        int r = (int) (extSeq & resentMask);
        if (resentSeq[r] == extSeq && nowNanos - resentAt[r] < subscriber.rttNanos()) {
            nackRateLimited++;
            return;
        }
        if (resend(rb.array(slot), rb.length(slot), outSeq, nowNanos)) {
            resentSeq[r] = extSeq;
            resentAt[r] = nowNanos;
        }
    }

    private boolean resend(byte[] src, int length, int outSeq, long nowNanos) {
        RtpPacket stored = scratch.stored;
        if (stored.wrap(src, 0, length) != RtpValidity.OK) {
            nackSendFailed++;
            return false;
        }
        int header = stored.headerLength();
        int total = rtx ? length + 2 : length;
        if (total > PacketBuffer.MAX_PACKET_LENGTH) {
            nackSendFailed++;
            return false;
        }
        PacketBuffer buffer = pool.acquire();
        if (buffer == null) {
            nackSendFailed++;
            drops.increment(DropReason.NO_BUFFER);
            return false;
        }
        try {
            byte[] dst = buffer.array();
            int off = PacketBuffer.HEADROOM;
            if (rtx) {
                System.arraycopy(src, 0, dst, off, header);
                BigEndian.put16(dst, off + header, outSeq);
                System.arraycopy(src, header, dst, off + header + 2, length - header);
            } else {
                System.arraycopy(src, 0, dst, off, length);
            }
            buffer.set(off, total);
            RtpPacket out = scratch.outgoing;
            if (out.wrap(dst, off, total) != RtpValidity.OK) {
                nackSendFailed++;
                return false;
            }
            if (rtx) {
                rewrite(out, params.rtxSsrc(), params.rtxPayloadType(), rtxSeq, buffer, nowNanos);
                rtxSeq = (rtxSeq + 1) & 0xFFFF;
            } else {
                rewrite(out, params.ssrc(), params.payloadType(), outSeq, buffer, nowNanos);
            }
            if (!subscriber.sendMedia(out, extensions.transportCcOffset(), 0, nowNanos)) {
                nackSendFailed++;
                return false;
            }
            retransmitted++;
            stats.rtpRetransmitted();
            if (rtx) {
                retransmittedRtx++;
            }
            retransmitBytes += out.length();
            return true;
        } finally {
            pool.release(buffer);
        }
    }

    // ------------------------------------------------------------------ padding probes

    /** Padding can go on this consumer's RTX stream, with a transport-cc number to measure it by. */
    boolean canSendPadding() {
        return rtx && transportCcId != 0 && !closed && lastTimestamp >= 0;
    }

    /** Largest RTP padding (the count is one byte). */
    static final int PADDING_BYTES = 255;

    /**
     * Sends one padding-only packet on the RTX stream for probe {@code cluster} (RFC 3550 padding,
     * RFC 4588 stream, which receivers count for bandwidth estimation and then discard). Returns
     * the bytes sent, or 0.
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
            byte[] b = buffer.array();
            int off = PacketBuffer.HEADROOM;
            int pos = off;
            boolean oneByte = transportCcId <= RtpHeaderExtensions.ONE_BYTE_MAX_ID;
            b[pos++] = (byte) 0xB0; // V=2, P=1, X=1
            b[pos++] = (byte) params.rtxPayloadType();
            BigEndian.put16(b, pos, rtxSeq);
            pos += 2;
            BigEndian.put32(b, pos, lastTimestamp);
            pos += 4;
            BigEndian.put32(b, pos, params.rtxSsrc());
            pos += 4;
            BigEndian.put16(b, pos, oneByte ? RtpHeaderExtensions.ONE_BYTE_PROFILE
                    : RtpHeaderExtensions.TWO_BYTE_PROFILE);
            BigEndian.put16(b, pos + 2, 1);
            pos += 4;
            // One element, the transport-cc number (stamped on sending), padded to a 32-bit word.
            java.util.Arrays.fill(b, pos, pos + 4, (byte) 0);
            int tccOffset;
            if (oneByte) {
                b[pos] = (byte) ((transportCcId << 4) | 1);
                tccOffset = pos + 1;
            } else {
                b[pos] = (byte) transportCcId;
                b[pos + 1] = 2;
                tccOffset = pos + 2;
            }
            pos += 4;
            java.util.Arrays.fill(b, pos, pos + PADDING_BYTES - 1, (byte) 0);
            b[pos + PADDING_BYTES - 1] = (byte) PADDING_BYTES;
            pos += PADDING_BYTES;
            int length = pos - off;
            buffer.set(off, length);
            RtpPacket out = scratch.outgoing;
            if (out.wrap(b, off, length) != RtpValidity.OK) {
                return 0;
            }
            if (!subscriber.sendMedia(out, tccOffset, cluster, nowNanos)) {
                return 0;
            }
            rtxSeq = (rtxSeq + 1) & 0xFFFF;
            paddingSent++;
            return length;
        } finally {
            pool.release(buffer);
        }
    }

    public long nacksReceived() {
        return nacksReceived;
    }

    public long retransmitted() {
        return retransmitted;
    }

    public long retransmittedRtx() {
        return retransmittedRtx;
    }

    /** NACKed packets that could not be resent, by reason: unknown, tooOld, notInBuffer. */
    public long nackMisses(String reason) {
        return switch (reason) {
            case "unknown" -> nackMissUnknown;
            case "tooOld" -> nackMissTooOld;
            case "notInBuffer" -> nackMissNotInBuffer;
            case "rateLimited" -> nackRateLimited;
            default -> throw new IllegalArgumentException(reason);
        };
    }

    // ------------------------------------------------------------------ RTT from receiver reports

    /**
     * A report block from the subscriber about this consumer's SSRC: with LSR naming one of our
     * recent SRs, RTT = now - (when that SR left) - DLSR. Returns the RTT in nanoseconds, or -1.
     */
    long onReportBlock(long lastSr, long delaySinceLastSr, long nowNanos) {
        if (lastSr == 0) {
            return -1;
        }
        for (int i = 0; i < SR_HISTORY; i++) {
            if (srSentNanos[i] != 0 && srNtpMiddle[i] == lastSr) {
                long dlsrNanos = delaySinceLastSr * 1_000_000_000L / 65536;
                long rtt = nowNanos - srSentNanos[i] - dlsrNanos;
                if (rtt < 0) {
                    return -1;
                }
                lastRttNanos = rtt;
                return rtt;
            }
        }
        return -1;
    }

    /** Counts a drop and tells the sequence rewriter, so the outgoing sequence closes up. */
    private void skip(DropReason reason, long extSeq) {
        drops.increment(reason);
        seq.drop(extSeq);
    }

    /** A PLI or FIR from the subscriber for this consumer's SSRC. */
    void onKeyframeRequest(long nowNanos, KeyframeRequestKind kind) {
        keyframeRequestsReceived++;
        producer.requestKeyframe(nowNanos, kind);
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
            srNtpMiddle[srNext] = (ntp >>> 16) & 0xFFFF_FFFFL;
            srSentNanos[srNext] = nowNanos == 0 ? 1 : nowNanos;
            srNext = (srNext + 1) % SR_HISTORY;
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
        n.put("bandwidthPaused", bandwidthPaused);
        n.put("paddingSent", paddingSent);
        n.put("waitingForKeyframe", waitingForKeyframe);
        n.put("closed", closed);
        n.put("packetsSent", packetsSent);
        n.put("notSent", notSent);
        n.put("bytesSent", bytesSent);
        n.put("payloadOctetsSent", payloadOctetsSent);
        n.put("sequenceDropsHidden", seq.dropsHidden());
        n.put("timestampOffset", params.timestampOffset());
        n.put("extensionsStripped", extensions.stripped());
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        n.put("senderReportsSent", senderReportsSent);
        n.put("rtxNegotiated", rtx);
        n.put("nacksReceived", nacksReceived);
        n.put("nackedPackets", nackedPackets);
        n.put("retransmitted", retransmitted);
        n.put("retransmittedRtx", retransmittedRtx);
        n.put("retransmitBytes", retransmitBytes);
        ObjectNode misses = n.putObject("nackMisses");
        misses.put("unknown", nackMissUnknown);
        misses.put("tooOld", nackMissTooOld);
        misses.put("notInBuffer", nackMissNotInBuffer);
        misses.put("rateLimited", nackRateLimited);
        misses.put("sendFailed", nackSendFailed);
        n.put("rttMillis", lastRttNanos < 0 ? -1 : lastRttNanos / 1e6);
        n.set("drops", drops.toJson());
        return n;
    }
}
