package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/** Writes a BYE packet (PT 203) for up to 31 SSRCs with an optional reason. */
public final class ByeWriter {
    public static final int MAX_SSRCS = 31;
    public static final int MAX_REASON_LENGTH = 255;

    private ByeWriter() {}

    /** Packet length; pass -1 as {@code reasonLength} for no reason. */
    public static int length(int ssrcCount, int reasonLength) {
        int body = RtcpHeader.LENGTH + 4 * ssrcCount;
        return reasonLength < 0 ? body : (body + 1 + reasonLength + 3) & ~3;
    }

    /**
     * Writes at {@code dst[off]} below {@code limit}. {@code reason} may be null for none.
     * Returns bytes written or -1.
     */
    public static int write(
            byte[] dst,
            int off,
            int limit,
            long[] ssrcs,
            int ssrcCount,
            byte[] reason,
            int reasonOff,
            int reasonLength) {
        if (ssrcCount < 0 || ssrcCount > MAX_SSRCS || (ssrcCount > 0 && (ssrcs == null || ssrcs.length < ssrcCount))) {
            return -1;
        }
        boolean hasReason = reason != null;
        if (hasReason
                && (reasonLength < 0
                        || reasonLength > MAX_REASON_LENGTH
                        || reasonOff < 0
                        || reasonOff > reason.length - reasonLength)) {
            return -1;
        }
        int length = length(ssrcCount, hasReason ? reasonLength : -1);
        if (!RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, ssrcCount, RtcpPacketType.BYE, length);
        int at = off + RtcpHeader.LENGTH;
        for (int i = 0; i < ssrcCount; i++, at += 4) {
            BigEndian.put32(dst, at, ssrcs[i]);
        }
        if (hasReason) {
            dst[at++] = (byte) reasonLength;
            System.arraycopy(reason, reasonOff, dst, at, reasonLength);
            for (int i = at + reasonLength; i < off + length; i++) {
                dst[i] = 0;
            }
        }
        return length;
    }
}
