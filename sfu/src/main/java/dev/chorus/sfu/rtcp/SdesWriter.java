package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes an SDES packet (PT 202) with one chunk carrying a CNAME. The CNAME is given as bytes
 * (encode it once per stream, not per report).
 */
public final class SdesWriter {
    public static final int MAX_ITEM_LENGTH = 255;

    private SdesWriter() {}

    /** Packet length for a CNAME of {@code cnameLength} bytes (null terminator and pad included). */
    public static int length(int cnameLength) {
        // ssrc + type + length + text, then 1..4 null bytes to reach a 32-bit boundary.
        int chunk = 4 + 2 + cnameLength;
        return RtcpHeader.LENGTH + chunk + (4 - (chunk & 3));
    }

    /** Writes at {@code dst[off]} below {@code limit}; returns bytes written or -1. */
    public static int writeCname(
            byte[] dst, int off, int limit, long ssrc, byte[] cname, int cnameOff, int cnameLength) {
        if (cname == null
                || cnameLength < 0
                || cnameLength > MAX_ITEM_LENGTH
                || cnameOff < 0
                || cnameOff > cname.length - cnameLength) {
            return -1;
        }
        int length = length(cnameLength);
        if (!RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, 1, RtcpPacketType.SDES, length);
        BigEndian.put32(dst, off + 4, ssrc);
        dst[off + 8] = (byte) SdesView.CNAME;
        dst[off + 9] = (byte) cnameLength;
        System.arraycopy(cname, cnameOff, dst, off + 10, cnameLength);
        for (int i = off + 10 + cnameLength; i < off + length; i++) {
            dst[i] = 0;
        }
        return length;
    }
}
