package dev.chorus.testkit.peer;

/**
 * The VP8 bits of a synthetic video frame (RFC 7741): the 4-byte payload descriptor Chromium writes
 * (X=1, I=1 with a 15-bit picture id, S on the first packet of a frame, PID 0) and a VP8 frame header in
 * front of the caller's frame bytes, so that the SFU's keyframe check
 * ({@code forward.Vp8Payload.isKeyframeStart}) sees a real key frame start.
 */
final class Vp8Packetizer {
    static final int DESCRIPTOR_LENGTH = 4;
    /** Frame tag (3 bytes) + start code (3) + width and height (2 + 2). */
    static final int KEYFRAME_HEADER_LENGTH = 10;
    /** Frame tag only. */
    static final int INTERFRAME_HEADER_LENGTH = 3;
    /** Nominal picture size written into key frame headers. */
    static final int WIDTH = 320;

    static final int HEIGHT = 240;

    private Vp8Packetizer() {}

    static int writeDescriptor(byte[] b, int off, boolean startOfFrame, int pictureId) {
        b[off] = (byte) (0x80 | (startOfFrame ? 0x10 : 0));
        b[off + 1] = (byte) 0x80;
        b[off + 2] = (byte) (0x80 | ((pictureId >> 8) & 0x7F));
        b[off + 3] = (byte) pictureId;
        return DESCRIPTOR_LENGTH;
    }

    /**
     * Writes the VP8 frame header (RFC 6386 section 9.1) at {@code b[off]} and returns its length:
     * frame tag with P=0 (key) or 1, version 0, show_frame 1, first partition size; key frames add the
     * start code 9d 01 2a and the picture size.
     */
    static int writeFrameHeader(byte[] b, int off, boolean keyframe, int firstPartitionSize) {
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
        b[off + 6] = (byte) WIDTH;
        b[off + 7] = (byte) (WIDTH >> 8);
        b[off + 8] = (byte) HEIGHT;
        b[off + 9] = (byte) (HEIGHT >> 8);
        return KEYFRAME_HEADER_LENGTH;
    }
}
