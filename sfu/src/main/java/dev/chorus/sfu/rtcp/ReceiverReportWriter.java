package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/** Writes a receiver report (PT 201) with up to 31 report blocks (zero is legal). */
public final class ReceiverReportWriter {
    private ReceiverReportWriter() {}

    public static int length(int blockCount) {
        return 8 + ReportBlock.LENGTH * blockCount;
    }

    /** Writes at {@code dst[off]} below {@code limit}; returns bytes written or -1. */
    public static int write(byte[] dst, int off, int limit, long senderSsrc, ReportBlock[] blocks, int blockCount) {
        if (!ReportBlock.isUsable(blocks, blockCount)) {
            return -1;
        }
        int length = length(blockCount);
        if (!RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, blockCount, RtcpPacketType.RR, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        for (int i = 0; i < blockCount; i++) {
            blocks[i].writeTo(dst, off + 8 + ReportBlock.LENGTH * i);
        }
        return length;
    }
}
