package dev.chorus.sfu.rtcp;

/** Picture loss indication (PSFB, FMT 1): no FCI, just "send a keyframe for media SSRC". */
public final class PliView extends FeedbackView {
    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.PSFB;
    }

    @Override
    protected int expectedFmt() {
        return RtcpPacketType.FMT_PLI;
    }

    @Override
    protected RtcpValidity checkFci() {
        return RtcpValidity.OK;
    }
}
