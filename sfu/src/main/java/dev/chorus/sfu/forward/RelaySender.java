package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.relay.RelayFrame;
import dev.chorus.sfu.relay.RelayLink;
import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.worker.PacketHandler;
import java.util.function.IntConsumer;

/**
 * One publisher's streams on their way to one other cluster node, which serves some of the room's subscribers.
 * Every packet a producer of the publisher accepts goes out as it came (original SSRC, sequence number and
 * timestamp, every simulcast layer, RTX already unwrapped), so the other node's producer sees what this one saw.
 * The publisher's sender reports follow, so that node's subscribers can sync audio and video.
 *
 * <p>RTCP ends here, hop by hop: the other node's remote producer sends its NACKs and keyframe requests back under
 * this sender's tag. A NACK is answered from the producer stream's retransmission buffer (the relay hop's loss is
 * repaired here, never by the publisher); a PLI or FIR becomes a keyframe request to the publisher, subject to the
 * stream's rate limit; its receiver reports and bandwidth feedback are counted and ignored.
 *
 * <p>Media worker thread of the publisher's room: {@link #forward} from {@link Producer#receiveRtp}, RTCP through
 * {@link #handleRtcp} (the relay reader queues it to the worker).
 */
public final class RelaySender implements PacketHandler {
    private final Endpoint publisher;
    private final RelayLink link;
    private final int remoteTag;
    private final PacketBufferPool pool;
    private final RouterScratch scratch;
    private final RelayFrame frame = new RelayFrame();
    private final byte[] report = new byte[SenderReportWriter.length(0)];
    private final ReportBlock[] noBlocks = new ReportBlock[0];
    /** The NACK being answered: its stream and time, read by {@link #resendLost} (made once: nothing per NACK). */
    private RtpReceiveStream nackStream;

    private long nackNow;
    private final IntConsumer resendLost = this::resend;

    private long rtpSent;
    private long rtpNotSent;
    private long senderReportsSent;
    private long nackItemsReceived;
    private long retransmitted;
    private long retransmitMissed;
    private long keyframeRequestsReceived;
    private long rtcpIgnored;
    private long rtcpMalformed;
    private long rtpUnexpected;

    RelaySender(Endpoint publisher, RelayLink link, int remoteTag) {
        this.publisher = publisher;
        this.link = link;
        this.remoteTag = remoteTag;
        this.pool = publisher.router().worker().pool();
        this.scratch = publisher.router().scratch();
    }

    public RelayLink link() {
        return link;
    }

    /** A packet one of the publisher's producers accepted. */
    void forward(RtpPacket packet) {
        if (link.send(frame, remoteTag, packet.buffer(), packet.offset(), packet.length())) {
            rtpSent++;
        } else {
            rtpNotSent++;
        }
    }

    /** The publisher's sender report for one of its streams, re-issued under the stream's own SSRC. */
    void senderReport(RtpReceiveStream stream, long ntp, long rtp) {
        int n = SenderReportWriter.write(
                report,
                0,
                report.length,
                stream.ssrc(),
                ntp,
                rtp,
                stream.counts().packets(),
                stream.counts().bytes(),
                noBlocks,
                0);
        if (n > 0 && link.send(frame, remoteTag, report, 0, n)) {
            senderReportsSent++;
        }
    }

    @Override
    public void handleRtp(PacketBuffer packet) {
        rtpUnexpected++;
        publisher.drops().increment(DropReason.UNKNOWN_SSRC);
        pool.release(packet);
    }

    @Override
    public void handleRtcp(PacketBuffer packet) {
        try {
            if (publisher.isClosed()) {
                return;
            }
            long now = publisher.router().worker().clock().nowNanos();
            RtcpCompoundReader reader = scratch.rtcpReader;
            reader.reset(packet.array(), packet.offset(), packet.length());
            while (reader.next()) {
                onPacket(reader, now);
            }
            if (reader.error() != RtcpValidity.OK) {
                rtcpMalformed++;
            }
        } finally {
            pool.release(packet);
        }
    }

    private void onPacket(RtcpCompoundReader reader, long now) {
        byte[] buf = reader.buffer();
        int off = reader.packetOffset();
        int len = reader.packetLength();
        int type = reader.packetType();
        if (type == RtcpPacketType.RTPFB && reader.fmt() == RtcpPacketType.FMT_NACK) {
            onNack(buf, off, len, now);
        } else if (type == RtcpPacketType.PSFB && reader.fmt() == RtcpPacketType.FMT_PLI) {
            PliView pli = scratch.pli;
            if (pli.wrap(buf, off, len) != RtcpValidity.OK) {
                rtcpMalformed++;
                return;
            }
            keyframeRequest(pli.mediaSsrc(), now);
        } else if (type == RtcpPacketType.PSFB && reader.fmt() == RtcpPacketType.FMT_FIR) {
            FirView fir = scratch.fir;
            if (fir.wrap(buf, off, len) != RtcpValidity.OK) {
                rtcpMalformed++;
                return;
            }
            for (int i = 0; i < fir.entryCount(); i++) {
                keyframeRequest(fir.entrySsrc(i), now);
            }
        } else {
            // Receiver reports, transport-cc, REMB: about the relay hop, which has no estimate to feed yet.
            rtcpIgnored++;
        }
    }

    private void keyframeRequest(long mediaSsrc, long now) {
        keyframeRequestsReceived++;
        RtpReceiveStream stream = publisher.streamBySsrc(mediaSsrc);
        if (stream == null || stream.ssrc() != mediaSsrc) {
            publisher.drops().increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        stream.requestKeyframe(now, KeyframeRequestKind.RELAY);
    }

    /** Resends what the other node lost on the relay hop, from the producer stream's retransmission buffer. */
    private void onNack(byte[] buf, int off, int len, long now) {
        NackView nack = scratch.nack;
        if (nack.wrap(buf, off, len) != RtcpValidity.OK) {
            rtcpMalformed++;
            return;
        }
        RtpReceiveStream stream = publisher.streamBySsrc(nack.mediaSsrc());
        if (stream == null || stream.ssrc() != nack.mediaSsrc() || stream.retransmissionBuffer() == null) {
            publisher.drops().increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        nackStream = stream;
        nackNow = now;
        nack.forEachLost(resendLost);
        nackStream = null;
    }

    private void resend(int seq) {
        RtpReceiveStream stream = nackStream;
        nackItemsReceived++;
        long ext = stream.extendedSequence(seq);
        RetransmissionBuffer rb = stream.retransmissionBuffer();
        int slot = ext < 0 ? RetransmissionBuffer.MISS_UNKNOWN : rb.find(ext, nackNow);
        if (slot < 0) {
            retransmitMissed++;
            return;
        }
        if (link.send(frame, remoteTag, rb.array(slot), 0, rb.length(slot))) {
            retransmitted++;
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("publisher", publisher.id());
        n.put(
                "to",
                link.remote().getAddress().getHostAddress() + ":"
                        + link.remote().getPort());
        n.put("rtpSent", rtpSent);
        n.put("rtpNotSent", rtpNotSent);
        n.put("senderReportsSent", senderReportsSent);
        n.put("nackItemsReceived", nackItemsReceived);
        n.put("retransmitted", retransmitted);
        n.put("retransmitMissed", retransmitMissed);
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        n.put("rtcpIgnored", rtcpIgnored);
        n.put("rtcpMalformed", rtcpMalformed);
        n.put("rtpUnexpected", rtpUnexpected);
        return n;
    }
}
