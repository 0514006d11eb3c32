package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Base of the reusable, allocation-free views over one RTCP packet. {@link #wrap} checks the
 * common header (and that it is the subclass's type/FMT), then the subclass checks its body.
 * Accessors are meaningful only after {@link RtcpValidity#OK} and do not re-check.
 *
 * <p>Unsigned 32-bit fields (SSRCs, counters, NTP halves) are returned as non-negative
 * {@code long}s; offsets are absolute indices into {@link #buffer()}.
 */
public abstract class RtcpPacketView {
    protected byte[] buf;
    protected int off;
    /** Whole packet, header and padding included. */
    protected int packetLength;
    /** Header and body, padding excluded: the region type-specific parsing may use. */
    protected int contentLength;

    private RtcpValidity validity = RtcpValidity.TOO_SHORT;

    /**
     * Views the packet at {@code off}; {@code len} is the bytes available there, which may be
     * more than the packet (e.g. the rest of a compound): the header's length field decides.
     */
    public final RtcpValidity wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.packetLength = 0;
        this.contentLength = 0;
        RtcpValidity v = checkHeader(buf, off, len);
        if (v == RtcpValidity.OK) {
            packetLength = RtcpHeader.packetLength(buf, off);
            contentLength = packetLength - RtcpHeader.paddingSize(buf, off);
            v = checkBody();
        }
        validity = v;
        return v;
    }

    private RtcpValidity checkHeader(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len)) {
            return RtcpValidity.OUT_OF_BOUNDS;
        }
        RtcpValidity v = RtcpHeader.check(buf, off, len);
        if (v != RtcpValidity.OK) {
            return v;
        }
        int fmt = expectedFmt();
        if (RtcpHeader.packetType(buf, off) != expectedPacketType()
                || (fmt >= 0 && RtcpHeader.count(buf, off) != fmt)) {
            return RtcpValidity.WRONG_TYPE;
        }
        return RtcpValidity.OK;
    }

    protected abstract int expectedPacketType();

    /** The FMT this view requires, or -1 when the 5-bit field is a count. */
    protected abstract int expectedFmt();

    /** Type-specific validation of {@code [off, off+contentLength)}. */
    protected abstract RtcpValidity checkBody();

    public final RtcpValidity validity() {
        return validity;
    }

    public final boolean isValid() {
        return validity == RtcpValidity.OK;
    }

    public final byte[] buffer() {
        return buf;
    }

    public final int offset() {
        return off;
    }

    public final int packetLength() {
        return packetLength;
    }

    /** Packet length minus padding. */
    public final int contentLength() {
        return contentLength;
    }

    /** The raw 5-bit count/FMT field. */
    protected final int countField() {
        return RtcpHeader.count(buf, off);
    }
}
