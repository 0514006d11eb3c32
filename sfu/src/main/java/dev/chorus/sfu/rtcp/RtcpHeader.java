package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * The 4-byte header every RTCP packet starts with: V=2, P, a 5-bit count/FMT, PT, and the
 * length in 32-bit words minus one. Static helpers shared by the compound reader, the views
 * and the writers.
 */
public final class RtcpHeader {
    public static final int LENGTH = 4;
    public static final int VERSION = 2;

    private RtcpHeader() {}

    /**
     * Validates the packet starting at {@code off} given {@code available} bytes from there:
     * version, length field within bounds and the pad count. Does not look at the type.
     */
    public static RtcpValidity check(byte[] buf, int off, int available) {
        if (available < LENGTH) {
            return RtcpValidity.TOO_SHORT;
        }
        if (version(buf, off) != VERSION) {
            return RtcpValidity.BAD_VERSION;
        }
        int length = packetLength(buf, off);
        if (length > available) {
            return RtcpValidity.LENGTH_OVERFLOW;
        }
        if (hasPadding(buf, off)) {
            int pad = buf[off + length - 1] & 0xFF;
            if (pad == 0 || pad > length - LENGTH) {
                return RtcpValidity.BAD_PADDING;
            }
        }
        return RtcpValidity.OK;
    }

    public static int version(byte[] buf, int off) {
        return (buf[off] & 0xFF) >>> 6;
    }

    public static boolean hasPadding(byte[] buf, int off) {
        return (buf[off] & 0x20) != 0;
    }

    /** The 5-bit field that is RC/SC for reports and FMT for feedback messages. */
    public static int count(byte[] buf, int off) {
        return buf[off] & 0x1F;
    }

    public static int packetType(byte[] buf, int off) {
        return buf[off + 1] & 0xFF;
    }

    /** Total packet length in bytes (header, body and padding), from the length field. */
    public static int packetLength(byte[] buf, int off) {
        return (BigEndian.u16(buf, off + 2) + 1) * 4;
    }

    /** Pad bytes at the end of a packet already validated by {@link #check}. */
    public static int paddingSize(byte[] buf, int off) {
        return hasPadding(buf, off) ? buf[off + packetLength(buf, off) - 1] & 0xFF : 0;
    }

    /** Writes a header for a packet of {@code totalLength} bytes (a multiple of 4). */
    public static void write(byte[] buf, int off, boolean padding, int count, int packetType, int totalLength) {
        buf[off] = (byte) ((VERSION << 6) | (padding ? 0x20 : 0) | (count & 0x1F));
        buf[off + 1] = (byte) packetType;
        BigEndian.put16(buf, off + 2, totalLength / 4 - 1);
    }
}
