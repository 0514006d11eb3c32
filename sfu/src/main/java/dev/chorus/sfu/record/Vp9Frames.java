package dev.chorus.sfu.record;

import dev.chorus.sfu.codec.Vp9Descriptor;

/**
 * VP9 in RTP (RFC 9628). The unit is a picture: every spatial layer's frame of one RTP timestamp, the marker on its
 * last packet; it starts at the base layer's first packet (B=1, SID 0). Each packet's payload descriptor is left out;
 * a layer's frame runs from its B packet to its E packet. A picture of one frame is stored as it is; one of several
 * (SVC: the page sends three spatial layers in one encoding) becomes a superframe (VP9 bitstream specification,
 * Annex B): the frames back to back, then an index of their sizes, which is how WebM stores a picture and what
 * decoders (libvpx, ffmpeg) split again. A keyframe is a picture whose base frame is not inter-picture predicted.
 * The picture size comes from the scalability structure a keyframe carries: its top layer's size.
 */
final class Vp9Frames implements VideoPayload {
    /** Frames a superframe index can list (3 bits). */
    static final int MAX_FRAMES = 8;

    private final Vp9Descriptor descriptor = new Vp9Descriptor();
    private final int[] frameSizes = new int[MAX_FRAMES];
    private int frames;
    /** Offset of the current layer frame's first byte; -1 between a frame's E and the next B. */
    private int frameStart = -1;

    private boolean first;
    private boolean keyframe;
    private int width;
    private int height;

    @Override
    public int classify(byte[] b, int off, int len) {
        if (!descriptor.parse(b, off, len)) {
            return MALFORMED;
        }
        return descriptor.beginsFrame() && descriptor.spatialId() == 0 ? STARTS : CONTINUES;
    }

    @Override
    public void begin(FrameBuffer out) {
        out.clear();
        frames = 0;
        frameStart = -1;
        first = true;
        keyframe = false;
    }

    @Override
    public boolean append(byte[] b, int off, int len, FrameBuffer out) {
        if (!descriptor.parse(b, off, len)) {
            return false;
        }
        if (first) {
            keyframe = descriptor.keyframeStart();
            first = false;
        }
        if (descriptor.hasScalabilityStructure() && descriptor.ssHasSizes()) {
            int top = descriptor.ssSpatialLayers() - 1;
            width = descriptor.ssWidth(top);
            height = descriptor.ssHeight(top);
        }
        if (descriptor.beginsFrame()) {
            if (frameStart >= 0 || frames == MAX_FRAMES) {
                return false; // a layer frame without its end, or more layers than a superframe holds
            }
            frameStart = out.length();
        } else if (frameStart < 0) {
            return false; // a middle packet outside any frame
        }
        out.put(b, off + descriptor.length(), len - descriptor.length());
        if (descriptor.endsFrame()) {
            frameSizes[frames++] = out.length() - frameStart;
            frameStart = -1;
        }
        return true;
    }

    @Override
    public boolean end(FrameBuffer out) {
        if (frameStart >= 0 || frames == 0) {
            return false;
        }
        if (keyframe && frameSizes[0] >= 10) {
            readKeyframeSize(out.array());
        }
        if (frames > 1) {
            writeIndex(out);
        }
        return true;
    }

    /**
     * Without sizes in a scalability structure, the picture size is the keyframe's own (VP9 specification 6.2, profile
     * 0, the one the SFU answers): frame marker, profile, show_existing_frame, frame_type, show_frame and
     * error_resilient_mode in the first byte, the 3-byte sync code, color_space (3 bits) and color_range (1), then
     * width-1 and height-1 in 16 bits each. Of a superframe that is the base layer's size; the SS gives the top's.
     */
    private void readKeyframeSize(byte[] f) {
        boolean profile0Keyframe = (f[0] & 0xFC) == 0x80; // marker 2, profile 0, not shown-existing, key frame
        boolean sync = f[1] == 0x49 && f[2] == (byte) 0x83 && f[3] == 0x42;
        if (width > 0 || !profile0Keyframe || !sync) {
            return;
        }
        long bits = (f[4] & 0xFFL) << 32
                | (f[5] & 0xFFL) << 24
                | (f[6] & 0xFFL) << 16
                | (f[7] & 0xFFL) << 8
                | (f[8] & 0xFFL);
        width = (int) (bits >>> 20 & 0xFFFF) + 1; // after the 4 color bits of 40
        height = (int) (bits >>> 4 & 0xFFFF) + 1;
    }

    /** Annex B: marker byte, each size little-endian in as many bytes as the largest needs, the marker again. */
    private void writeIndex(FrameBuffer out) {
        int largest = 0;
        for (int i = 0; i < frames; i++) {
            largest = Math.max(largest, frameSizes[i]);
        }
        int sizeBytes = largest < 1 << 8 ? 1 : largest < 1 << 16 ? 2 : largest < 1 << 24 ? 3 : 4;
        int marker = 0xC0 | (sizeBytes - 1) << 3 | (frames - 1);
        out.put(marker);
        for (int i = 0; i < frames; i++) {
            for (int k = 0; k < sizeBytes; k++) {
                out.put(frameSizes[i] >>> (8 * k));
            }
        }
        out.put(marker);
    }

    @Override
    public boolean keyframe() {
        return keyframe;
    }

    /** The top layer's width from the last scalability structure, 0 before one. */
    int width() {
        return width;
    }

    int height() {
        return height;
    }
}
