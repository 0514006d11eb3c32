package dev.chorus.sfu.rtcp;

/**
 * Receiver report (PT 201): the reporter's SSRC and report blocks (see
 * {@link ReportBlocksView}). Profile extensions after the blocks are ignored.
 */
public final class ReceiverReportView extends ReportBlocksView {
    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.RR;
    }

    @Override
    protected int expectedFmt() {
        return -1;
    }

    @Override
    protected int firstBlockAt() {
        return 8;
    }
}
