package dev.chorus.testkit.peer;

/**
 * Reads what a receiver checks continuity with from a VP8 payload descriptor (RFC 7741): start of frame,
 * picture id, TL0PICIDX and temporal layer id. The SFU rewrites these when it switches a subscriber between
 * simulcast layers, so they show whether the switch was seamless. Reused: one instance per reader thread.
 */
final class Vp8Descriptor {
    private boolean startOfFrame;
    private int pictureId;
    private int pictureIdMask;
    private int tl0PicIdx;
    private int temporalId;

    /** Reads the descriptor at the start of payload {@code b[off..off+len)}; false if it is cut short. */
    boolean read(byte[] b, int off, int len) {
        pictureId = -1;
        pictureIdMask = 0;
        tl0PicIdx = -1;
        temporalId = -1;
        if (len < 1) {
            return false;
        }
        int b0 = b[off] & 0xFF;
        startOfFrame = (b0 & 0x10) != 0 && (b0 & 0x07) == 0;
        if ((b0 & 0x80) == 0) {
            return true;
        }
        if (len < 2) {
            return false;
        }
        int x = b[off + 1] & 0xFF;
        int i = 2;
        if ((x & 0x80) != 0) {
            if (len <= i) {
                return false;
            }
            if ((b[off + i] & 0x80) != 0) {
                if (len <= i + 1) {
                    return false;
                }
                pictureId = ((b[off + i] & 0x7F) << 8) | (b[off + i + 1] & 0xFF);
                pictureIdMask = 0x7FFF;
                i += 2;
            } else {
                pictureId = b[off + i] & 0x7F;
                pictureIdMask = 0x7F;
                i++;
            }
        }
        if ((x & 0x40) != 0) {
            if (len <= i) {
                return false;
            }
            tl0PicIdx = b[off + i] & 0xFF;
            i++;
        }
        if ((x & 0x30) != 0) {
            if (len <= i) {
                return false;
            }
            if ((x & 0x20) != 0) {
                temporalId = (b[off + i] & 0xFF) >> 6;
            }
        }
        return true;
    }

    /** S=1 on partition 0: the first packet of a frame. */
    boolean startOfFrame() {
        return startOfFrame;
    }

    /** -1 when the descriptor has none. */
    int pictureId() {
        return pictureId;
    }

    /** 0x7F or 0x7FFF, as the picture id was 7 or 15 bits; 0 when there is none. */
    int pictureIdMask() {
        return pictureIdMask;
    }

    /** -1 when the descriptor has none. */
    int tl0PicIdx() {
        return tl0PicIdx;
    }

    /** -1 when the descriptor has none. */
    int temporalId() {
        return temporalId;
    }
}
