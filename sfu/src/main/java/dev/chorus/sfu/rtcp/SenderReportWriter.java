package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/** Writes a sender report (PT 200) with up to 31 report blocks. */
public final class SenderReportWriter {
    private SenderReportWriter() {}

    public static int length(int blockCount) {
        return SenderReportView.SENDER_INFO_END + ReportBlock.LENGTH * blockCount;
    }

    /**
     * Writes at {@code dst[off]}, never past {@code limit} (exclusive). {@code ntpTimestamp} is
     * the raw 64-bit NTP time (seconds in the high word). Returns bytes written, or -1 when
     * it does not fit or the block arguments are unusable.
     */
    public static int write(
            byte[] dst,
            int off,
            int limit,
            long ssrc,
            long ntpTimestamp,
            long rtpTimestamp,
            long packetCount,
            long octetCount,
            ReportBlock[] blocks,
            int blockCount) {
        if (!ReportBlock.isUsable(blocks, blockCount)) {
            return -1;
        }
        int length = length(blockCount);
        if (!RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, blockCount, RtcpPacketType.SR, length);
        BigEndian.put32(dst, off + 4, ssrc);
        BigEndian.put32(dst, off + 8, ntpTimestamp >>> 32);
        BigEndian.put32(dst, off + 12, ntpTimestamp);
        BigEndian.put32(dst, off + 16, rtpTimestamp);
        BigEndian.put32(dst, off + 20, packetCount);
        BigEndian.put32(dst, off + 24, octetCount);
        for (int i = 0; i < blockCount; i++) {
            blocks[i].writeTo(dst, off + SenderReportView.SENDER_INFO_END + ReportBlock.LENGTH * i);
        }
        return length;
    }
}
