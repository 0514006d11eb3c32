package dev.chorus.sfu.forward;

import java.io.ByteArrayOutputStream;

/**
 * Builds RTP packets (with RFC 8285 extensions: one-byte form, or two-byte once an element is longer than 16
 * bytes, as Chromium writes an AV1 key frame's Dependency Descriptor) and VP8 payloads for tests.
 */
final class RtpBuilder {
    private int payloadType = 96;
    private int seq;
    private long timestamp;
    private long ssrc;
    private boolean marker;
    private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    private final java.util.List<byte[]> elements = new java.util.ArrayList<>();
    private boolean twoByte;
    private byte[] payload = {1, 2, 3, 4};

    static RtpBuilder rtp(long ssrc, int seq, long timestamp) {
        RtpBuilder b = new RtpBuilder();
        b.ssrc = ssrc;
        b.seq = seq;
        b.timestamp = timestamp;
        return b;
    }

    RtpBuilder pt(int pt) {
        this.payloadType = pt;
        return this;
    }

    RtpBuilder marker() {
        this.marker = true;
        return this;
    }

    /** Adds a one-byte-form element with {@code data}. */
    RtpBuilder ext(int id, byte... data) {
        extensions.write((id << 4) | (data.length - 1));
        extensions.writeBytes(data);
        elements.add(withId(id, data));
        twoByte |= data.length > 16;
        return this;
    }

    private static byte[] withId(int id, byte[] data) {
        byte[] e = new byte[data.length + 1];
        e[0] = (byte) id;
        System.arraycopy(data, 0, e, 1, data.length);
        return e;
    }

    RtpBuilder payload(byte[] payload) {
        this.payload = payload;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] ext = twoByte ? twoByteElements() : extensions.toByteArray();
        boolean hasExt = ext.length > 0;
        out.write(0x80 | (hasExt ? 0x10 : 0));
        out.write((marker ? 0x80 : 0) | payloadType);
        out.write(seq >>> 8);
        out.write(seq);
        writeU32(out, timestamp);
        writeU32(out, ssrc);
        if (hasExt) {
            int padded = (ext.length + 3) / 4 * 4;
            out.write(twoByte ? 0x10 : 0xBE);
            out.write(twoByte ? 0x00 : 0xDE);
            out.write((padded / 4) >>> 8);
            out.write(padded / 4);
            out.writeBytes(ext);
            for (int i = ext.length; i < padded; i++) {
                out.write(0);
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private byte[] twoByteElements() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.write(e[0]);
            out.write(e.length - 1);
            out.write(e, 1, e.length - 1);
        }
        return out.toByteArray();
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
    }

    /** First packet of a VP8 key frame: S=1, PID=0, P=0 and the start code. */
    static byte[] vp8Keyframe() {
        return new byte[] {0x10, 0x50, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A, 0x40, 0x01, (byte) 0xF0, 0x00, 7, 7, 7};
    }

    /** First packet of a VP8 inter frame (P=1). */
    static byte[] vp8Delta() {
        return new byte[] {0x10, 0x51, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 8, 8};
    }

    /** A middle packet of any VP8 frame (S=0). */
    static byte[] vp8Continuation() {
        return new byte[] {0x00, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    }
}
