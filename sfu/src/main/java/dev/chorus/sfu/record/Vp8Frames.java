package dev.chorus.sfu.record;

import dev.chorus.sfu.codec.Vp8Payload;

/**
 * VP8 in RTP (RFC 7741): a frame starts at the packet with S=1 and partition index 0; each packet's payload
 * descriptor is left out and the rest concatenated. A keyframe has the P bit of its first byte clear (RFC 6386, 9.1).
 */
final class Vp8Frames implements VideoPayload {
    private boolean first;
    private boolean keyframe;

    @Override
    public int classify(byte[] b, int off, int len) {
        if (Vp8Payload.descriptorLength(b, off, len) < 0) {
            return MALFORMED;
        }
        return (b[off] & 0x1F) == 0x10 ? STARTS : CONTINUES;
    }

    @Override
    public void begin(FrameBuffer out) {
        out.clear();
        first = true;
        keyframe = false;
    }

    @Override
    public boolean append(byte[] b, int off, int len, FrameBuffer out) {
        int d = Vp8Payload.descriptorLength(b, off, len);
        int n = len - d;
        if (first) {
            keyframe = n > 0 && (b[off + d] & 0x01) == 0;
            first = false;
        }
        out.put(b, off + d, n);
        return true;
    }

    @Override
    public boolean end(FrameBuffer out) {
        return true;
    }

    @Override
    public boolean keyframe() {
        return keyframe;
    }
}
