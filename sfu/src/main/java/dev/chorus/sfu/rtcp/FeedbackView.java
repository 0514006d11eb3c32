package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Common part of RFC 4585 feedback messages (RTPFB and PSFB): sender SSRC, media SSRC, then
 * the feedback control information (FCI) that subclasses interpret.
 */
public abstract class FeedbackView extends RtcpPacketView {
    static final int FCI_AT = 12;

    @Override
    protected final RtcpValidity checkBody() {
        if (contentLength < FCI_AT) {
            return RtcpValidity.TRUNCATED;
        }
        return checkFci();
    }

    /** Validates {@code [fciOffset(), fciOffset()+fciLength())}. */
    protected abstract RtcpValidity checkFci();

    /** SSRC of the endpoint sending the feedback. */
    public final long senderSsrc() {
        return BigEndian.u32(buf, off + 4);
    }

    /** SSRC of the media the feedback is about (0 for FIR and REMB, which list SSRCs in FCI). */
    public final long mediaSsrc() {
        return BigEndian.u32(buf, off + 8);
    }

    public final int fciOffset() {
        return off + FCI_AT;
    }

    public final int fciLength() {
        return contentLength - FCI_AT;
    }
}
