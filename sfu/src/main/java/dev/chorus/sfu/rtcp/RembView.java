package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Receiver estimated maximum bitrate (PSFB, FMT 15, draft-alvestrand-rmcat-remb): the
 * 'REMB' identifier, an 18-bit mantissa and 6-bit exponent giving bits per second, and the
 * SSRCs the estimate applies to. Other application-layer feedback yields NOT_REMB.
 */
public final class RembView extends FeedbackView {
    private static final int IDENTIFIER = ('R' << 24) | ('E' << 16) | ('M' << 8) | 'B';
    static final int SSRCS_AT = 8;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.PSFB;
    }

    @Override
    protected int expectedFmt() {
        return RtcpPacketType.FMT_AFB;
    }

    @Override
    protected RtcpValidity checkFci() {
        if (fciLength() < 4) {
            return RtcpValidity.TRUNCATED;
        }
        if (BigEndian.i32(buf, fciOffset()) != IDENTIFIER) {
            return RtcpValidity.NOT_REMB;
        }
        if (fciLength() < SSRCS_AT) {
            return RtcpValidity.TRUNCATED;
        }
        if (SSRCS_AT + 4 * ssrcCount() > fciLength()) {
            return RtcpValidity.SSRC_LIST_OVERFLOW;
        }
        return RtcpValidity.OK;
    }

    public int ssrcCount() {
        return buf[fciOffset() + 4] & 0xFF;
    }

    public int exponent() {
        return (buf[fciOffset() + 5] & 0xFF) >>> 2;
    }

    public int mantissa() {
        return BigEndian.u24(buf, fciOffset() + 5) & 0x3FFFF;
    }

    /** Estimated bitrate in bits per second; saturates at {@link Long#MAX_VALUE}. */
    public long bitrateBps() {
        long mantissa = mantissa();
        int exp = exponent();
        if (mantissa != 0 && exp > Long.numberOfLeadingZeros(mantissa) - 1) {
            return Long.MAX_VALUE;
        }
        return mantissa << exp;
    }

    public long ssrc(int i) {
        return BigEndian.u32(buf, fciOffset() + SSRCS_AT + 4 * i);
    }
}
