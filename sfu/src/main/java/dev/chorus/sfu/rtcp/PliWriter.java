package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/** Writes a picture loss indication (PSFB, FMT 1). */
public final class PliWriter {
    public static final int LENGTH = 12;

    private PliWriter() {}

    /** Writes at {@code dst[off]} below {@code limit}; returns 12 or -1. */
    public static int write(byte[] dst, int off, int limit, long senderSsrc, long mediaSsrc) {
        if (!RtcpWriting.fits(dst, off, limit, LENGTH)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, RtcpPacketType.FMT_PLI, RtcpPacketType.PSFB, LENGTH);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, mediaSsrc);
        return LENGTH;
    }
}
