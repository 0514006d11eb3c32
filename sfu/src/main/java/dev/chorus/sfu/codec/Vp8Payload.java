package dev.chorus.sfu.codec;

/**
 * Reads just enough of a VP8 RTP payload (RFC 7741) to spot the first packet of a keyframe.
 *
 * <p>Payload descriptor: {@code X R N S R PID(3)}; when X is set an extension byte
 * {@code I L T K} follows, then (I) a 7- or 15-bit picture id, (L) TL0PICIDX, (T|K) one byte of
 * TID/Y/KEYIDX. The VP8 payload header follows; its first bit P is 0 for a key frame, and a
 * key frame's header carries the start code 0x9d 0x01 0x2a at bytes 3..5.
 */
public final class Vp8Payload {
    private static final int KEYFRAME_HEADER_LENGTH = 10;

    private Vp8Payload() {}

    /** Size of the payload descriptor, or -1 when the payload is too short to hold it. */
    public static int descriptorLength(byte[] b, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int i = 1;
        if ((b[off] & 0x80) != 0) {
            if (len < 2) {
                return -1;
            }
            int x = b[off + 1] & 0xFF;
            i = 2;
            if ((x & 0x80) != 0) {
                if (len <= i) {
                    return -1;
                }
                i += (b[off + i] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) {
                i++;
            }
            if ((x & 0x30) != 0) {
                i++;
            }
        }
        return i <= len ? i : -1;
    }

    /** True for the packet that starts a key frame (S=1, PID=0, P=0, start code present). */
    public static boolean isKeyframeStart(byte[] b, int off, int len) {
        int d = descriptorLength(b, off, len);
        if (d < 0) {
            return false;
        }
        int b0 = b[off] & 0xFF;
        boolean startOfPartition = (b0 & 0x10) != 0;
        int partitionIndex = b0 & 0x07;
        if (!startOfPartition || partitionIndex != 0 || len - d < KEYFRAME_HEADER_LENGTH) {
            return false;
        }
        int h = off + d;
        return (b[h] & 0x01) == 0
                && (b[h + 3] & 0xFF) == 0x9D
                && (b[h + 4] & 0xFF) == 0x01
                && (b[h + 5] & 0xFF) == 0x2A;
    }
}
