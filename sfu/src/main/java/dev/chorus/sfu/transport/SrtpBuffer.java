package dev.chorus.sfu.transport;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A mutable view (array, offset, length) that jitsi-srtp transforms in place. Re-pointed with
 * {@link #wrap} for every packet, so the packet path allocates nothing. SRTP protection appends its tag
 * after {@code offset + length}: if the array has no room there, {@link #grow} falls back to a larger copy
 * (then {@link #getBuffer()} is a new array; callers must read it back).
 */
public final class SrtpBuffer implements ByteArrayBuffer {
    private byte[] buffer;
    private int offset;
    private int length;

    public SrtpBuffer wrap(byte[] buf, int off, int len) {
        this.buffer = buf;
        this.offset = off;
        this.length = len;
        return this;
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int len) {
        if (len < 0 || offset + len > buffer.length) {
            throw new IllegalArgumentException("length " + len);
        }
        this.length = len;
    }

    @Override
    public void setOffset(int off) {
        if (off < 0 || off + length > buffer.length) {
            throw new IllegalArgumentException("offset " + off);
        }
        this.offset = off;
    }

    @Override
    public boolean isInvalid() {
        return buffer == null;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuf) {
        System.arraycopy(buffer, offset + off, outBuf, 0, len);
    }

    /** Ensures room for {@code howMuch} more bytes after the data (the length does not change). */
    @Override
    public void grow(int howMuch) {
        if (buffer.length - offset - length >= howMuch) {
            return;
        }
        byte[] bigger = new byte[offset + length + howMuch];
        System.arraycopy(buffer, 0, bigger, 0, offset + length);
        buffer = bigger;
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = Math.max(0, length - len);
    }
}
