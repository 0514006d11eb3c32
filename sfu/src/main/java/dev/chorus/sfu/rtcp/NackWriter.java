package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpSeq;

/**
 * Writes a generic NACK (RTPFB, FMT 1) from a list of lost sequence numbers. Give them in
 * ascending RTP order (wraparound-aware) and the output uses the fewest (PID, BLP) items:
 * each item covers its PID and the 16 numbers after it. Duplicates are harmless; a number
 * older than the current PID simply starts a new item.
 */
public final class NackWriter {
    private static final int MAX_ITEMS = 0xFFFF - 2;

    private NackWriter() {}

    /** Items needed for {@code lost[from, from+count)}. */
    public static int itemCount(int[] lost, int from, int count) {
        int items = 0;
        int end = from + count;
        int i = from;
        while (i < end) {
            int pid = lost[i++] & 0xFFFF;
            items++;
            while (i < end) {
                int d = RtpSeq.delta(lost[i], pid);
                if (d < 0 || d > 16) {
                    break;
                }
                i++;
            }
        }
        return items;
    }

    /** Packet length for a NACK of {@code items} items. */
    public static int length(int items) {
        return FeedbackView.FCI_AT + NackView.ITEM_LENGTH * items;
    }

    /** Writes at {@code dst[off]} below {@code limit}; returns bytes written or -1. */
    public static int write(
            byte[] dst, int off, int limit, long senderSsrc, long mediaSsrc, int[] lost, int from, int count) {
        if (lost == null || count < 1 || from < 0 || from > lost.length - count) {
            return -1;
        }
        int items = itemCount(lost, from, count);
        int length = length(items);
        if (items > MAX_ITEMS || !RtcpWriting.fits(dst, off, limit, length)) {
            return -1;
        }
        RtcpHeader.write(dst, off, false, RtcpPacketType.FMT_NACK, RtcpPacketType.RTPFB, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, mediaSsrc);
        int at = off + FeedbackView.FCI_AT;
        int end = from + count;
        int i = from;
        while (i < end) {
            int pid = lost[i++] & 0xFFFF;
            int blp = 0;
            while (i < end) {
                int d = RtpSeq.delta(lost[i], pid);
                if (d < 0 || d > 16) {
                    break;
                }
                if (d > 0) {
                    blp |= 1 << (d - 1);
                }
                i++;
            }
            BigEndian.put16(dst, at, pid);
            BigEndian.put16(dst, at + 2, blp);
            at += NackView.ITEM_LENGTH;
        }
        return length;
    }
}
