package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes a full intra request (PSFB, FMT 4). The media SSRC field is 0 as RFC 5104 requires;
 * targets go in the entries. Increment the 8-bit sequence number per new request, not per
 * retransmission of the same request.
 */
public final class FirWriter {
    private FirWriter() {}

    public static int length(int entryCount) {
        return FeedbackView.FCI_AT + FirView.ENTRY_LENGTH * entryCount;
    }

    /** One-target FIR. Returns bytes written or -1. */
    public static int write(byte[] dst, int off, int limit, long senderSsrc, long targetSsrc, int seqNr) {
        if (!RtcpWriting.fits(dst, off, limit, length(1))) {
            return -1;
        }
        writeHeader(dst, off, senderSsrc, 1);
        writeEntry(dst, off + FeedbackView.FCI_AT, targetSsrc, seqNr);
        return length(1);
    }

    /** FIR for {@code count} targets from parallel arrays. Returns bytes written or -1. */
    public static int write(
            byte[] dst, int off, int limit, long senderSsrc, long[] targetSsrcs, int[] seqNrs, int count) {
        if (count < 1
                || targetSsrcs == null
                || seqNrs == null
                || targetSsrcs.length < count
                || seqNrs.length < count
                || length(count) / 4 - 1 > 0xFFFF
                || !RtcpWriting.fits(dst, off, limit, length(count))) {
            return -1;
        }
        writeHeader(dst, off, senderSsrc, count);
        for (int i = 0; i < count; i++) {
            writeEntry(dst, off + FeedbackView.FCI_AT + FirView.ENTRY_LENGTH * i, targetSsrcs[i], seqNrs[i]);
        }
        return length(count);
    }

    private static void writeHeader(byte[] dst, int off, long senderSsrc, int count) {
        RtcpHeader.write(dst, off, false, RtcpPacketType.FMT_FIR, RtcpPacketType.PSFB, length(count));
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, 0);
    }

    private static void writeEntry(byte[] dst, int at, long ssrc, int seqNr) {
        BigEndian.put32(dst, at, ssrc);
        BigEndian.put32(dst, at + 4, (long) (seqNr & 0xFF) << 24);
    }
}
