package dev.chorus.sfu.record;

import java.util.Arrays;

/** The frame a depacketizer is assembling: bytes that grow as needed (kept for the next frame), writer-thread only. */
final class FrameBuffer {
    private byte[] bytes = new byte[64 * 1024];
    private int length;

    void clear() {
        length = 0;
    }

    int length() {
        return length;
    }

    byte[] array() {
        return bytes;
    }

    void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    void put(int v) {
        ensure(1);
        bytes[length++] = (byte) v;
    }

    /** Writes {@code v} big-endian into the 4 bytes at {@code at} (a length prefix filled in afterwards). */
    void putInt(int at, int v) {
        bytes[at] = (byte) (v >>> 24);
        bytes[at + 1] = (byte) (v >>> 16);
        bytes[at + 2] = (byte) (v >>> 8);
        bytes[at + 3] = (byte) v;
    }

    /** Reserves {@code n} bytes (filled in later); their offset. */
    int skip(int n) {
        ensure(n);
        int at = length;
        length += n;
        return at;
    }

    private void ensure(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
    }
}
