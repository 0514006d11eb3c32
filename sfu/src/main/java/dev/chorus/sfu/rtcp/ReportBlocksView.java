package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Shared part of SR and RR: the sender SSRC and the indexed reception report blocks
 * (RFC 3550 section 6.4.1). Index {@code i} ranges over {@code [0, reportCount())}.
 */
public abstract class ReportBlocksView extends RtcpPacketView {
    static final int BLOCK_LENGTH = 24;

    /** Where the first block starts, relative to the packet. */
    protected abstract int firstBlockAt();

    @Override
    protected RtcpValidity checkBody() {
        if (contentLength < firstBlockAt()) {
            return RtcpValidity.TRUNCATED;
        }
        if (firstBlockAt() + BLOCK_LENGTH * reportCount() > contentLength) {
            return RtcpValidity.REPORT_BLOCKS_OVERFLOW;
        }
        return RtcpValidity.OK;
    }

    /** SSRC of the sender of this report. */
    public final long senderSsrc() {
        return BigEndian.u32(buf, off + 4);
    }

    public final int reportCount() {
        return countField();
    }

    private int block(int i) {
        return off + firstBlockAt() + BLOCK_LENGTH * i;
    }

    /** SSRC of the source this block reports on. */
    public final long reportSsrc(int i) {
        return BigEndian.u32(buf, block(i));
    }

    /** Fraction lost since the previous report, in 1/256 units (0..255). */
    public final int fractionLost(int i) {
        return buf[block(i) + 4] & 0xFF;
    }

    /** Cumulative packets lost: signed 24-bit, negative when duplicates outnumber losses. */
    public final int cumulativeLost(int i) {
        return BigEndian.s24(buf, block(i) + 5);
    }

    /** Extended highest sequence number received (cycles in the high 16 bits). */
    public final long extendedHighestSeq(int i) {
        return BigEndian.u32(buf, block(i) + 8);
    }

    /** Interarrival jitter in RTP timestamp units. */
    public final long jitter(int i) {
        return BigEndian.u32(buf, block(i) + 12);
    }

    /** Middle 32 bits of the NTP timestamp of the last SR received (0 if none). */
    public final long lastSr(int i) {
        return BigEndian.u32(buf, block(i) + 16);
    }

    /** Delay since that SR, in 1/65536 s. */
    public final long delaySinceLastSr(int i) {
        return BigEndian.u32(buf, block(i) + 20);
    }
}
