package dev.chorus.sfu.forward;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;

/**
 * Reusable views and holders shared by everything in one router. Safe because a router only
 * ever runs on its worker thread, one packet at a time; this is what keeps the packet path
 * free of allocation.
 */
final class RouterScratch {
    static final int MAX_REPORT_BLOCKS = 31;

    final RtpPacket incoming = new RtpPacket();
    final RtpPacket outgoing = new RtpPacket();
    /** A packet read back from a retransmission buffer. */
    final RtpPacket stored = new RtpPacket();
    /**
     * Where {@link Consumer#forward} builds each copy. The copy is sent before forward returns (the transport
     * protects and writes it in place, keeping nothing) and nothing forward calls forwards again, so one
     * buffer serves every copy; taking one from the pool cost two atomic operations per copy for nothing.
     */
    final PacketBuffer forwardCopy = PacketBuffer.scratch();

    final NackView nack = new NackView();
    final ReceiverReportView receiverReport = new ReceiverReportView();
    final RtcpCompoundReader rtcpReader = new RtcpCompoundReader();
    final SenderReportView senderReport = new SenderReportView();
    final PliView pli = new PliView();
    final FirView fir = new FirView();
    final TransportCcView transportCc = new TransportCcView();
    final RembView remb = new RembView();
    final ReportBlock[] reportBlocks = new ReportBlock[MAX_REPORT_BLOCKS];
    final byte[] cname;

    RouterScratch(String cname) {
        this.cname = cname.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < reportBlocks.length; i++) {
            reportBlocks[i] = new ReportBlock();
        }
    }
}
