package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Cursor over the packets of a compound RTCP datagram. Each {@link #next()} validates one
 * packet header (version, length, padding) and exposes its type, FMT/count and extent; hand
 * {@link #packetOffset()}/{@link #packetLength()} to the matching view for the body.
 *
 * <p>Iteration stops at the end of the buffer or at the first malformed header; then
 * {@link #error()} says which ({@link RtcpValidity#OK} for a clean end). Reusable, no allocation.
 */
public final class RtcpCompoundReader {
    private byte[] buf;
    private int pos;
    private int end;
    private int packetOffset;
    private int packetLength;
    private int packetsRead;
    private RtcpValidity error = RtcpValidity.OK;

    /** Starts reading {@code [off, off+len)}; returns OUT_OF_BOUNDS for an impossible region. */
    public RtcpValidity reset(byte[] buf, int off, int len) {
        this.buf = buf;
        this.packetsRead = 0;
        this.packetOffset = off;
        this.packetLength = 0;
        if (!BigEndian.inBounds(buf, off, len)) {
            this.pos = 0;
            this.end = 0;
            this.error = RtcpValidity.OUT_OF_BOUNDS;
        } else {
            this.pos = off;
            this.end = off + len;
            this.error = RtcpValidity.OK;
        }
        return error;
    }

    /** Advances to the next packet; false at the end or on a malformed header. */
    public boolean next() {
        if (error != RtcpValidity.OK) {
            return false;
        }
        int available = end - pos;
        if (available == 0) {
            if (packetsRead == 0) {
                error = RtcpValidity.TOO_SHORT;
            }
            return false;
        }
        RtcpValidity v = RtcpHeader.check(buf, pos, available);
        if (v != RtcpValidity.OK) {
            error = v;
            return false;
        }
        packetOffset = pos;
        packetLength = RtcpHeader.packetLength(buf, pos);
        pos += packetLength;
        packetsRead++;
        return true;
    }

    /** OK while iterating and after a clean end; otherwise why iteration stopped. */
    public RtcpValidity error() {
        return error;
    }

    public int packetsRead() {
        return packetsRead;
    }

    public int packetType() {
        return RtcpHeader.packetType(buf, packetOffset);
    }

    /** FMT for feedback packets, the report/source count otherwise. */
    public int fmt() {
        return RtcpHeader.count(buf, packetOffset);
    }

    public int packetOffset() {
        return packetOffset;
    }

    /** Bytes of the current packet including header and padding. */
    public int packetLength() {
        return packetLength;
    }

    public int paddingSize() {
        return RtcpHeader.paddingSize(buf, packetOffset);
    }

    public byte[] buffer() {
        return buf;
    }
}
