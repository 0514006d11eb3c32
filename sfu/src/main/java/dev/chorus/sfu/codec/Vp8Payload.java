package dev.chorus.sfu.codec;

/**
 * Reads just enough of a VP8 RTP payload (RFC 7741) to spot the first packet of a keyframe, to
 * drop upper temporal layers, and to renumber the payload descriptor when a subscriber is switched
 * from one simulcast layer to another, so that its decoder sees one continuous stream.
 *
 * <p>Payload descriptor: {@code X R N S R PID(3)}; when X is set an extension byte
 * {@code I L T K RSV(4)} follows, then (I) a 7- or 15-bit picture id ({@code M} then 7 or 15 bits),
 * (L) TL0PICIDX, (T|K) one byte of {@code TID(2) Y KEYIDX(5)}. The VP8 payload header follows; its
 * first bit P is 0 for a key frame, and a key frame's header carries the start code 0x9d 0x01 0x2a at
 * bytes 3..5.
 *
 * <p>Every method runs once per forwarded packet, so none allocates, and none throws whatever the
 * bytes are: the caller's {@code [off, off + len)} lies within {@code b}, and nothing outside it is
 * read or written. A field is reported only when the whole descriptor fits in {@code len}: a packet
 * cut inside its descriptor is garbage, not a source of layer ids.
 */
public final class Vp8Payload {
    private static final int KEYFRAME_HEADER_LENGTH = 10;

    /** First byte: the extension byte follows. */
    private static final int X = 0x80;
    /** Extension byte: picture id present. */
    private static final int I = 0x80;
    /** Extension byte: TL0PICIDX present. */
    private static final int L = 0x40;
    /** Extension byte: TID and Y present (in the T/K byte). */
    private static final int T = 0x20;
    /** Extension byte: KEYIDX present (in the T/K byte). */
    private static final int K = 0x10;
    /** First picture id byte: the id has 15 bits, not 7. */
    private static final int M = 0x80;
    /** T/K byte: the frame depends only on the base layer, so a switch up to its layer can happen here. */
    private static final int Y = 0x20;

    private Vp8Payload() {}

    /** Size of the payload descriptor, or -1 when the payload is too short to hold it. */
    public static int descriptorLength(byte[] b, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int i = 1;
        if ((b[off] & X) != 0) {
            if (len < 2) {
                return -1;
            }
            int x = b[off + 1] & 0xFF;
            i = 2;
            if ((x & I) != 0) {
                if (len <= i) {
                    return -1;
                }
                i += (b[off + i] & M) != 0 ? 2 : 1;
            }
            if ((x & L) != 0) {
                i++;
            }
            if ((x & (T | K)) != 0) {
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

    /**
     * The frame width in pixels a key frame announces (RFC 6386 section 9.1: 14 bits, little
     * endian, after the start code), or -1 when the packet does not start a key frame. How the
     * forwarder learns each simulcast layer's size, without decoding anything.
     */
    public static int keyframeWidth(byte[] b, int off, int len) {
        return keyframeDimension(b, off, len, 6);
    }

    /** The frame height a key frame announces, or -1 (see {@link #keyframeWidth}). */
    public static int keyframeHeight(byte[] b, int off, int len) {
        return keyframeDimension(b, off, len, 8);
    }

    private static int keyframeDimension(byte[] b, int off, int len, int at) {
        if (!isKeyframeStart(b, off, len)) {
            return -1;
        }
        int h = off + descriptorLength(b, off, len) + at;
        return ((b[h] & 0xFF) | (b[h + 1] & 0xFF) << 8) & 0x3FFF;
    }

    /**
     * The sender's frame counter (7 or 15 bits), or -1 when absent or truncated. Each simulcast
     * layer counts on its own, so a forwarder that switches layers must renumber it ({@link #rewrite})
     * or the receiver sees a jump and asks for a key frame.
     */
    public static int pictureId(byte[] b, int off, int len) {
        int i = fieldIndex(b, off, len, I);
        if (i < 0) {
            return -1;
        }
        int first = b[off + i] & 0xFF;
        return (first & M) != 0 ? ((first & 0x7F) << 8) | (b[off + i + 1] & 0xFF) : first;
    }

    /** Whether the picture id is 15 bits wide, the width a rewritten id must wrap at. */
    public static boolean hasLongPictureId(byte[] b, int off, int len) {
        int i = fieldIndex(b, off, len, I);
        return i >= 0 && (b[off + i] & M) != 0;
    }

    /**
     * The running index of base-layer frames, or -1 when absent or truncated; like the picture id it
     * counts per simulcast layer and must be renumbered across a switch.
     */
    public static int tl0PicIdx(byte[] b, int off, int len) {
        int i = fieldIndex(b, off, len, L);
        return i < 0 ? -1 : b[off + i] & 0xFF;
    }

    /**
     * The temporal layer (0..3) a forwarder compares with a subscriber's target to drop upper layers,
     * or -1 when absent or truncated. The T/K byte also exists with K alone, but its TID then means
     * nothing, so that case is -1 too.
     */
    public static int temporalId(byte[] b, int off, int len) {
        int i = fieldIndex(b, off, len, T);
        return i < 0 ? -1 : (b[off + i] & 0xFF) >> 6;
    }

    /**
     * The Y bit: the frame references only base-layer frames, so a subscriber can start receiving
     * its temporal layer here. False when TID is absent (T=0) or the descriptor is truncated.
     */
    public static boolean isLayerSync(byte[] b, int off, int len) {
        int i = fieldIndex(b, off, len, T);
        return i >= 0 && (b[off + i] & Y) != 0;
    }

    /**
     * Renumbers the descriptor in place, for a forwarder that splices simulcast layers into one
     * stream. A field keeps its width (a 15-bit id keeps M set), since widening would shift the VP8
     * payload; a field the packet lacks stays absent; -1 leaves a field as it is. Other values are
     * masked to the field's width, so pass counters already masked (a counter at -1 would leave the
     * field unchanged). Returns false, writing nothing, when the descriptor is truncated.
     */
    public static boolean rewrite(byte[] b, int off, int len, int pictureId, int tl0PicIdx) {
        if (descriptorLength(b, off, len) < 0) {
            return false;
        }
        int p = fieldIndex(b, off, len, I);
        if (p >= 0 && pictureId != -1) {
            writePictureId(b, off + p, pictureId);
        }
        int t = fieldIndex(b, off, len, L);
        if (t >= 0 && tl0PicIdx != -1) {
            b[off + t] = (byte) tl0PicIdx;
        }
        return true;
    }

    private static void writePictureId(byte[] b, int at, int pictureId) {
        if ((b[at] & M) != 0) {
            b[at] = (byte) (M | ((pictureId >> 8) & 0x7F));
            b[at + 1] = (byte) pictureId;
        } else {
            b[at] = (byte) (pictureId & 0x7F);
        }
    }

    /**
     * Offset from {@code off} of the field that extension bit {@code flag} announces (I, L, or T/K
     * for T or K), or -1 when that bit is clear or the descriptor is truncated: one walk over the
     * optional fields, so the getters and {@link #rewrite} cannot disagree on where a field is.
     */
    private static int fieldIndex(byte[] b, int off, int len, int flag) {
        if (descriptorLength(b, off, len) < 0 || (b[off] & X) == 0) {
            return -1;
        }
        int x = b[off + 1] & 0xFF;
        if ((x & flag) == 0) {
            return -1;
        }
        int i = 2;
        if (flag == I) {
            return i;
        }
        if ((x & I) != 0) {
            i += (b[off + i] & M) != 0 ? 2 : 1;
        }
        if (flag == L) {
            return i;
        }
        return (x & L) != 0 ? i + 1 : i;
    }
}
