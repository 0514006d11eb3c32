package dev.chorus.testkit.peer;

/**
 * The VP8 bits of a synthetic video frame (RFC 7741): the payload descriptor Chromium writes and a VP8 frame
 * header in front of the caller's frame bytes, so that the SFU's keyframe check
 * ({@code codec.Vp8Payload.isKeyframeStart}) sees a real key frame start.
 *
 * <p>A plain line's descriptor is 4 bytes (X=1, I=1 with a 15-bit picture id, S on the first packet of a
 * frame, PID 0). A simulcast layer's adds what Chromium sends with temporal layers (L=1, T=1): TL0PICIDX and
 * the TID/Y byte, which an SFU rewrites when it switches layers and uses to drop temporal layers.
 */
final class Vp8Packetizer {
    static final int DESCRIPTOR_LENGTH = 4;
    /** X, I/L/T flags, 15-bit picture id, TL0PICIDX, TID|Y|KEYIDX. */
    static final int LAYERED_DESCRIPTOR_LENGTH = 6;
    /** Frame tag (3 bytes) + start code (3) + width and height (2 + 2). */
    static final int KEYFRAME_HEADER_LENGTH = 10;
    /** Frame tag only. */
    static final int INTERFRAME_HEADER_LENGTH = 3;
    /** Nominal picture size written into key frame headers (a simulcast line's top layer) unless the peer sets one. */
    static final int WIDTH = 320;

    static final int HEIGHT = 240;

    /** Temporal layer ids frame by frame, restarting at each key frame: libvpx's three-layer pattern. */
    private static final int[] TEMPORAL_PATTERN = {0, 2, 1, 2};

    private Vp8Packetizer() {}

    static int writeDescriptor(byte[] b, int off, boolean startOfFrame, int pictureId) {
        b[off] = (byte) (0x80 | (startOfFrame ? 0x10 : 0));
        b[off + 1] = (byte) 0x80;
        b[off + 2] = (byte) (0x80 | ((pictureId >> 8) & 0x7F));
        b[off + 3] = (byte) pictureId;
        return DESCRIPTOR_LENGTH;
    }

    /** The descriptor with TL0PICIDX and TID; Y on base layer frames only. */
    static int writeLayeredDescriptor(
            byte[] b, int off, boolean startOfFrame, int pictureId, int tl0PicIdx, int temporalId) {
        return writeLayeredDescriptor(b, off, startOfFrame, pictureId, tl0PicIdx, temporalId, false);
    }

    /**
     * The descriptor with TL0PICIDX and TID; Y (layer sync) is set on base layer frames, which depend on
     * nothing above the base layer, and on upper layer frames the caller marks {@code sync}.
     */
    static int writeLayeredDescriptor(
            byte[] b, int off, boolean startOfFrame, int pictureId, int tl0PicIdx, int temporalId, boolean sync) {
        b[off] = (byte) (0x80 | (startOfFrame ? 0x10 : 0));
        b[off + 1] = (byte) (0x80 | 0x40 | 0x20);
        b[off + 2] = (byte) (0x80 | ((pictureId >> 8) & 0x7F));
        b[off + 3] = (byte) pictureId;
        b[off + 4] = (byte) tl0PicIdx;
        b[off + 5] = (byte) (((temporalId & 0x03) << 6) | (temporalId == 0 || sync ? 0x20 : 0));
        return LAYERED_DESCRIPTOR_LENGTH;
    }

    /** The temporal layer id of the {@code n}th frame since the last key frame (which is frame 0). */
    static int temporalId(long n) {
        return TEMPORAL_PATTERN[(int) (n % TEMPORAL_PATTERN.length)];
    }

    /** {@link #writeFrameHeader(byte[], int, boolean, int, int, int)} with the nominal picture size. */
    static int writeFrameHeader(byte[] b, int off, boolean keyframe, int firstPartitionSize) {
        return writeFrameHeader(b, off, keyframe, firstPartitionSize, WIDTH, HEIGHT);
    }

    /**
     * Writes the VP8 frame header (RFC 6386 section 9.1) at {@code b[off]} and returns its length:
     * frame tag with P=0 (key) or 1, version 0, show_frame 1, first partition size; key frames add the
     * start code 9d 01 2a and the picture size (14 bits each, no scaling).
     */
    static int writeFrameHeader(byte[] b, int off, boolean keyframe, int firstPartitionSize, int width, int height) {
        int size = Math.min(firstPartitionSize, 0x7FFFF);
        int tag = (keyframe ? 0 : 1) | (1 << 4) | (size << 5);
        b[off] = (byte) tag;
        b[off + 1] = (byte) (tag >> 8);
        b[off + 2] = (byte) (tag >> 16);
        if (!keyframe) {
            return INTERFRAME_HEADER_LENGTH;
        }
        b[off + 3] = (byte) 0x9D;
        b[off + 4] = (byte) 0x01;
        b[off + 5] = (byte) 0x2A;
        b[off + 6] = (byte) width;
        b[off + 7] = (byte) ((width >> 8) & 0x3F);
        b[off + 8] = (byte) height;
        b[off + 9] = (byte) ((height >> 8) & 0x3F);
        return KEYFRAME_HEADER_LENGTH;
    }
}
