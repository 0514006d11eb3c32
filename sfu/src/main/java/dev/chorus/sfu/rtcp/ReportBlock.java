package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * One reception report block to write (RFC 3550 section 6.4.1). A mutable holder: keep an
 * array of them per stream and refill with {@link #set} before each report, so writing
 * reports allocates nothing. Field units match {@link ReportBlocksView}.
 */
public final class ReportBlock {
    public static final int LENGTH = 24;
    private static final int MAX_CUMULATIVE_LOST = 0x7F_FFFF;
    private static final int MIN_CUMULATIVE_LOST = -0x80_0000;

    private long ssrc;
    private int fractionLost;
    private int cumulativeLost;
    private long extendedHighestSeq;
    private long jitter;
    private long lastSr;
    private long delaySinceLastSr;

    /**
     * @param cumulativeLost clamped to the signed 24-bit range on write
     * @param lastSr         middle 32 bits of the last SR's NTP time, 0 if none received
     * @param delaySinceLastSr in 1/65536 s
     */
    public ReportBlock set(
            long ssrc,
            int fractionLost,
            int cumulativeLost,
            long extendedHighestSeq,
            long jitter,
            long lastSr,
            long delaySinceLastSr) {
        this.ssrc = ssrc;
        this.fractionLost = fractionLost;
        this.cumulativeLost = cumulativeLost;
        this.extendedHighestSeq = extendedHighestSeq;
        this.jitter = jitter;
        this.lastSr = lastSr;
        this.delaySinceLastSr = delaySinceLastSr;
        return this;
    }

    public long ssrc() {
        return ssrc;
    }

    public int fractionLost() {
        return fractionLost;
    }

    public int cumulativeLost() {
        return cumulativeLost;
    }

    public long extendedHighestSeq() {
        return extendedHighestSeq;
    }

    public long jitter() {
        return jitter;
    }

    public long lastSr() {
        return lastSr;
    }

    public long delaySinceLastSr() {
        return delaySinceLastSr;
    }

    void writeTo(byte[] dst, int at) {
        BigEndian.put32(dst, at, ssrc);
        int lost = Math.max(MIN_CUMULATIVE_LOST, Math.min(MAX_CUMULATIVE_LOST, cumulativeLost));
        BigEndian.put32(dst, at + 4, ((long) (fractionLost & 0xFF) << 24) | (lost & 0xFF_FFFF));
        BigEndian.put32(dst, at + 8, extendedHighestSeq);
        BigEndian.put32(dst, at + 12, jitter);
        BigEndian.put32(dst, at + 16, lastSr);
        BigEndian.put32(dst, at + 20, delaySinceLastSr);
    }

    /** True when {@code count} blocks can be taken from {@code blocks} into one RC field. */
    static boolean isUsable(ReportBlock[] blocks, int count) {
        if (count < 0 || count > 31 || (count > 0 && (blocks == null || blocks.length < count))) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (blocks[i] == null) {
                return false;
            }
        }
        return true;
    }
}
