package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/** Goodbye (PT 203): the departing SSRCs and an optional length-prefixed reason text. */
public final class ByeView extends RtcpPacketView {
    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.BYE;
    }

    @Override
    protected int expectedFmt() {
        return -1;
    }

    @Override
    protected RtcpValidity checkBody() {
        int reasonAt = RtcpHeader.LENGTH + 4 * ssrcCount();
        if (reasonAt > contentLength) {
            return RtcpValidity.SSRC_LIST_OVERFLOW;
        }
        if (reasonAt < contentLength && reasonAt + 1 + (buf[off + reasonAt] & 0xFF) > contentLength) {
            return RtcpValidity.BYE_REASON_OVERFLOW;
        }
        return RtcpValidity.OK;
    }

    public int ssrcCount() {
        return countField();
    }

    public long ssrc(int i) {
        return BigEndian.u32(buf, off + RtcpHeader.LENGTH + 4 * i);
    }

    /** True when bytes follow the SSRC list; a zero-length reason still counts as present. */
    public boolean hasReason() {
        return RtcpHeader.LENGTH + 4 * ssrcCount() < contentLength;
    }

    /** Absolute offset of the reason text; meaningful only when {@link #hasReason()}. */
    public int reasonOffset() {
        return off + RtcpHeader.LENGTH + 4 * ssrcCount() + 1;
    }

    /** Reason length in bytes, 0 when absent. */
    public int reasonLength() {
        return hasReason() ? buf[reasonOffset() - 1] & 0xFF : 0;
    }
}
