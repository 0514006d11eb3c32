package dev.chorus.sfu.forward;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.PaddingPacketWriter;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.nio.charset.StandardCharsets;

/**
 * Bandwidth probes on one consumer's RTX stream: padding-only packets with a transport-cc number
 * (and the MID, see {@link PaddingPacketWriter}), stamped with the consumer's newest timestamp, sent
 * when {@link SubscriberBandwidth} probes for room. Worker-thread only.
 */
final class PaddingProbe {
    private final ConsumerParams params;
    private final RtpSendStream stream;
    private final StreamSplicer splicer;
    private final Endpoint subscriber;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final DropCounters drops;
    private final boolean rtx;
    private final int transportCcId;
    /** Padding probes carry the MID too; 0 when not negotiated. */
    private final int midId;

    private final byte[] mid;
    private final int length;
    private long sent;

    PaddingProbe(
            ConsumerParams params,
            RtpSendStream stream,
            StreamSplicer splicer,
            Endpoint subscriber,
            Router router,
            DropCounters drops,
            boolean rtx) {
        this.params = params;
        this.stream = stream;
        this.splicer = splicer;
        this.subscriber = subscriber;
        this.scratch = router.scratch();
        this.pool = router.worker().pool();
        this.drops = drops;
        this.rtx = rtx;
        this.transportCcId = params.extensions().id(RtpExtension.TRANSPORT_CC);
        byte[] m = params.mid() == null ? new byte[0] : params.mid().getBytes(StandardCharsets.UTF_8);
        boolean midFits = m.length >= 1 && m.length <= RtpHeaderExtensions.ONE_BYTE_MAX_LENGTH;
        this.midId = midFits ? params.extensions().id(RtpExtension.MID) : 0;
        this.mid = m;
        this.length = PaddingPacketWriter.length(transportCcId, midId, m.length);
    }

    /** Padding can go on the RTX stream, with a transport-cc number to measure it by. */
    boolean possible() {
        return rtx && transportCcId != 0 && splicer.hasSent();
    }

    /** Sends one padding-only packet for probe {@code cluster}; returns the bytes sent, or 0. */
    int send(int cluster, long nowNanos) {
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
                    splicer.lastTimestamp(),
                    params.rtxSsrc(),
                    transportCcId,
                    midId,
                    mid);
            buffer.set(off, length);
            RtpPacket out = scratch.outgoing;
            if (out.wrap(buffer.array(), off, length) != RtpValidity.OK
                    || !subscriber.sendMedia(out, tccOffset, cluster, nowNanos)) {
                return 0;
            }
            stream.advanceRtxSequence();
            sent++;
            return length;
        } finally {
            pool.release(buffer);
        }
    }

    long sent() {
        return sent;
    }
}
