package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes a REMB (PSFB, FMT 15). The bitrate is encoded as an 18-bit mantissa and 6-bit
 * exponent, rounding down: the receiver never sees more than the estimate.
 */
public final class RembWriter {
    public static final int MAX_SSRCS = 255;
    private static final int MAX_MANTISSA = (1 << 18) - 1;

    private RembWriter() {}

    public static int length(int ssrcCount) {
        return FeedbackView.FCI_AT + RembView.SSRCS_AT + 4 * ssrcCount;
    }

    /** Writes at {@code dst[off]} below {@code limit}; returns bytes written or -1. */
    public static int write(
            byte[] dst, int off, int limit, long senderSsrc, long bitrateBps, long[] ssrcs, int ssrcCount) {
        if (bitrateBps < 0
                || ssrcCount < 0
                || ssrcCount > MAX_SSRCS
                || (ssrcCount > 0 && (ssrcs == null || ssrcs.length < ssrcCount))) {
            return -1;
        }
        int length = length(ssrcCount);
        if (!RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        int exp = 0;
        long mantissa = bitrateBps;
        while (mantissa > MAX_MANTISSA) {
            mantissa >>>= 1;
            exp++;
        }
        RtcpHeader.write(dst, off, false, RtcpPacketType.FMT_AFB, RtcpPacketType.PSFB, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, 0);
        int fci = off + FeedbackView.FCI_AT;
        dst[fci] = 'R';
        dst[fci + 1] = 'E';
        dst[fci + 2] = 'M';
        dst[fci + 3] = 'B';
        dst[fci + 4] = (byte) ssrcCount;
        BigEndian.put24(dst, fci + 5, (exp << 18) | (int) mantissa);
        for (int i = 0; i < ssrcCount; i++) {
            BigEndian.put32(dst, fci + RembView.SSRCS_AT + 4 * i, ssrcs[i]);
        }
        return length;
    }
}
