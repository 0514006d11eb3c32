package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Full intra request (PSFB, FMT 4, RFC 5104): entries of (target SSRC, 8-bit command
 * sequence number). The sequence number lets the sender ignore repeats of one request.
 */
public final class FirView extends FeedbackView {
    static final int ENTRY_LENGTH = 8;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.PSFB;
    }

    @Override
    protected int expectedFmt() {
        return RtcpPacketType.FMT_FIR;
    }

    @Override
    protected RtcpValidity checkFci() {
        return entryCount() == 0 ? RtcpValidity.BAD_FCI_LENGTH : RtcpValidity.OK;
    }

    /** Complete entries in the FCI; trailing partial bytes are ignored. */
    public int entryCount() {
        return fciLength() / ENTRY_LENGTH;
    }

    public long entrySsrc(int i) {
        return BigEndian.u32(buf, fciOffset() + ENTRY_LENGTH * i);
    }

    public int entrySeqNr(int i) {
        return buf[fciOffset() + ENTRY_LENGTH * i + 4] & 0xFF;
    }
}
