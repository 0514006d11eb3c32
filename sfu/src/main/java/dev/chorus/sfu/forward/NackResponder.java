package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * Answers one consumer's NACKs from its producer's retransmission buffers: the NACKed (outgoing)
 * sequence number is mapped back to the layer and sequence number it was sent from, the stored packet is rewritten as on the first
 * send, and sent as RTX (RFC 4588: RTX SSRC and payload type, own sequence, the original sequence
 * number in the first two payload bytes) when the subscriber negotiated RTX, else as is. One packet
 * is resent at most once per round trip, and only while retransmissions fit the subscriber's budget
 * (a share of its bandwidth estimate: see {@code RetransmissionBudget}). Misses are counted by
 * reason. Worker-thread only.
 */
final class NackResponder {
    private final Consumer consumer;
    private final RtpSendStream stream;
    private final SeqRewriter seq;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final DropCounters drops;
    private final WorkerStats stats;
    private final boolean rtx;
    private long nacksReceived;
    private long nackedPackets;
    private long retransmitted;
    private long retransmittedRtx;
    private long retransmitBytes;
    private long missUnknown;
    private long missTooOld;
    private long missNotInBuffer;
    private long missDroppedFrame;
    private long rateLimited;
    private long overBudget;
    private long sendFailed;

    NackResponder(
            Consumer consumer, RtpSendStream stream, SeqRewriter seq, Router router, DropCounters drops, boolean rtx) {
        this.consumer = consumer;
        this.stream = stream;
        this.seq = seq;
        this.scratch = router.scratch();
        this.pool = router.worker().pool();
        this.stats = router.worker().stats();
        this.drops = drops;
        this.rtx = rtx;
    }

    /** A generic NACK from the subscriber for this consumer's SSRC arrived (before its items). */
    void onNackPacket() {
        nacksReceived++;
    }

    /** The subscriber lost outgoing sequence number {@code outSeq}: resend it if possible. */
    void onNack(int outSeq, long nowNanos) {
        nackedPackets++;
        if (consumer.isClosed()) {
            return;
        }
        long virtual = seq.reverse(outSeq);
        if (virtual == SeqRewriter.REVERSE_UNKNOWN) {
            missUnknown++;
            return;
        }
        if (virtual == SeqRewriter.REVERSE_TOO_OLD) {
            missTooOld++;
            return;
        }
        StreamSplicer splicer = consumer.splicer();
        int segment = splicer.segmentOf(virtual);
        if (segment < 0) {
            missTooOld++;
            return;
        }
        long extSeq = splicer.extSeqOf(segment, virtual);
        RetransmissionBuffer rb =
                consumer.producer().stream(splicer.layerOf(segment)).retransmissionBuffer();
        if (rb == null) {
            missNotInBuffer++;
            return;
        }
        int slot = rb.find(extSeq, nowNanos);
        if (slot < 0) {
            switch (slot) {
                case RetransmissionBuffer.MISS_TOO_OLD -> missTooOld++;
                case RetransmissionBuffer.MISS_UNKNOWN -> missUnknown++;
                default -> missNotInBuffer++;
            }
            return;
        }
        byte[] src = rb.array(slot);
        int length = rb.length(slot);
        RtpPacket stored = scratch.stored;
        if (stored.wrap(src, 0, length) != RtpValidity.OK) {
            sendFailed++;
            return;
        }
        // -1 when the frame is one the consumer dropped (an upper temporal layer: the number the
        // subscriber asks for was a hole the publisher's loss left, filled later by its RTX) or
        // too old to tell.
        int pictureShift = consumer.pictureShiftOf(splicer.layerOf(segment), stored.timestamp());
        if (pictureShift < 0) {
            missDroppedFrame++;
            return;
        }
        if (stream.resentWithin(virtual, nowNanos, consumer.subscriber().rttNanos())) {
            rateLimited++;
            return;
        }
        if (!consumer.subscriber().allowRetransmission(rtx ? length + 2 : length, nowNanos)) {
            overBudget++;
            drops.increment(DropReason.RETRANSMISSION_OVER_BUDGET);
            return;
        }
        if (resend(stored, outSeq, segment, pictureShift, nowNanos)) {
            stream.markResent(virtual, nowNanos);
        }
    }

    /** Resends {@code stored} (wrapped over its retransmission-buffer slot, offset 0). */
    private boolean resend(RtpPacket stored, int outSeq, int segment, int pictureShift, long nowNanos) {
        byte[] src = stored.buffer();
        int length = stored.length();
        int header = stored.headerLength();
        int total = rtx ? length + 2 : length;
        if (total > PacketBuffer.MAX_PACKET_LENGTH) {
            sendFailed++;
            return false;
        }
        PacketBuffer buffer = pool.acquire();
        if (buffer == null) {
            sendFailed++;
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
                sendFailed++;
                return false;
            }
            // The stored original's ids (an RTX copy's payload starts with the original sequence number).
            int pic = Vp8Payload.pictureId(src, stored.payloadOffset(), stored.payloadLength());
            int tl0 = Vp8Payload.tl0PicIdx(src, stored.payloadOffset(), stored.payloadLength());
            if (rtx) {
                consumer.rewrite(out, true, stream.rtxSequence(), buffer, nowNanos, segment, pictureShift, pic, tl0);
                stream.advanceRtxSequence();
            } else {
                consumer.rewrite(out, false, outSeq, buffer, nowNanos, segment, pictureShift, pic, tl0);
            }
            if (!consumer.send(out, nowNanos)) {
                sendFailed++;
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

    long nacksReceived() {
        return nacksReceived;
    }

    long retransmitted() {
        return retransmitted;
    }

    long retransmittedRtx() {
        return retransmittedRtx;
    }

    /** NACKed packets not resent, by reason: unknown, tooOld, notInBuffer, rateLimited, overBudget, droppedFrame. */
    long misses(String reason) {
        return switch (reason) {
            case "unknown" -> missUnknown;
            case "tooOld" -> missTooOld;
            case "notInBuffer" -> missNotInBuffer;
            case "rateLimited" -> rateLimited;
            case "overBudget" -> overBudget;
            case "droppedFrame" -> missDroppedFrame;
            default -> throw new IllegalArgumentException(reason);
        };
    }

    /** The counters /debug shows for the consumer, under their historical names. */
    void addJson(ObjectNode n) {
        n.put("rtxNegotiated", rtx);
        n.put("nacksReceived", nacksReceived);
        n.put("nackedPackets", nackedPackets);
        n.put("retransmitted", retransmitted);
        n.put("retransmittedRtx", retransmittedRtx);
        n.put("retransmitBytes", retransmitBytes);
        ObjectNode misses = n.putObject("nackMisses");
        misses.put("unknown", missUnknown);
        misses.put("tooOld", missTooOld);
        misses.put("notInBuffer", missNotInBuffer);
        misses.put("rateLimited", rateLimited);
        misses.put("overBudget", overBudget);
        misses.put("droppedFrame", missDroppedFrame);
        misses.put("sendFailed", sendFailed);
    }
}
