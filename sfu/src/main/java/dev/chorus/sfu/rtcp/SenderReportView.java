package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Sender report (PT 200): sender info (NTP time as 32.32 fixed point, RTP timestamp, packet
 * and octet counts, all unsigned 32-bit) followed by report blocks (see
 * {@link ReportBlocksView}). Profile extensions after the blocks are ignored.
 */
public final class SenderReportView extends ReportBlocksView {
    static final int SENDER_INFO_END = 28;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.SR;
    }

    @Override
    protected int expectedFmt() {
        return -1;
    }

    @Override
    protected int firstBlockAt() {
        return SENDER_INFO_END;
    }

    /** Whole seconds since 1900 (NTP most significant word). */
    public long ntpSeconds() {
        return BigEndian.u32(buf, off + 8);
    }

    /** Fraction of a second in 1/2^32 units (NTP least significant word). */
    public long ntpFraction() {
        return BigEndian.u32(buf, off + 12);
    }

    /** The full 64-bit NTP timestamp as raw bits (negative as a Java long while seconds >= 2^31). */
    public long ntpTimestamp() {
        return (ntpSeconds() << 32) | ntpFraction();
    }

    /** Middle 32 bits of the NTP timestamp: the value receivers echo as LSR. */
    public long compactNtp() {
        return BigEndian.u32(buf, off + 10);
    }

    public long rtpTimestamp() {
        return BigEndian.u32(buf, off + 16);
    }

    public long packetCount() {
        return BigEndian.u32(buf, off + 20);
    }

    public long octetCount() {
        return BigEndian.u32(buf, off + 24);
    }
}
