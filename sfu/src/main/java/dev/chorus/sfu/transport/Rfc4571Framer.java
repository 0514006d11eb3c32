package dev.chorus.sfu.transport;

/**
 * Splits a TCP byte stream into RFC 4571 frames (a 16-bit big-endian length, then that many bytes), the framing
 * ICE-TCP (RFC 6544) uses for STUN, DTLS and SRTP. One instance per connection, fed by one thread.
 *
 * <p>A frame that lies whole inside one {@link #feed} call is handed on in place (no copy); a frame split
 * across reads is assembled in a fixed buffer of {@code maxFrame} bytes. Nothing is allocated per frame. A
 * frame longer than {@code maxFrame} is skipped (its bytes are read and thrown away, so the stream stays in
 * step) and counted in {@link #framesTooLarge()}; an empty frame is counted in {@link #emptyFrames()}.
 */
final class Rfc4571Framer {
    /** Receives complete frames; {@code buf} is reused as soon as the call returns. */
    interface Sink {
        void onFrame(byte[] buf, int off, int len);
    }

    private final byte[] assembly;
    private final Sink sink;
    /** Header bytes read of the current frame (0..2). */
    private int headerBytes;
    /** Length announced by the current frame's header. */
    private int expected;
    /** Body bytes of the current frame already in {@link #assembly}. */
    private int filled;
    /** Bytes still to throw away of an oversize frame. */
    private int skip;

    private long frames;
    private long framesTooLarge;
    private long emptyFrames;

    Rfc4571Framer(int maxFrame, Sink sink) {
        if (maxFrame < 1 || maxFrame > 65535) {
            throw new IllegalArgumentException("maxFrame must be 1..65535");
        }
        this.assembly = new byte[maxFrame];
        this.sink = sink;
    }

    /** Consumes {@code buf[off..off+len)}, delivering every frame it completes. */
    void feed(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (skip > 0) {
                int n = Math.min(skip, end - i);
                skip -= n;
                i += n;
                continue;
            }
            if (headerBytes < 2) {
                expected = (expected << 8) | (buf[i++] & 0xff);
                if (++headerBytes == 2) {
                    if (expected == 0) {
                        emptyFrames++;
                        reset();
                    } else if (expected > assembly.length) {
                        framesTooLarge++;
                        skip = expected;
                        reset();
                    }
                }
                continue;
            }
            int need = expected - filled;
            if (filled == 0 && end - i >= need) {
                i += need;
                int frameLen = expected;
                reset();
                frames++;
                sink.onFrame(buf, i - frameLen, frameLen);
                continue;
            }
            int n = Math.min(need, end - i);
            System.arraycopy(buf, i, assembly, filled, n);
            filled += n;
            i += n;
            if (filled == expected) {
                int frameLen = expected;
                reset();
                frames++;
                sink.onFrame(assembly, 0, frameLen);
            }
        }
    }

    private void reset() {
        headerBytes = 0;
        expected = 0;
        filled = 0;
    }

    /** Whether a frame is partly read (a clean end of stream has none). */
    boolean midFrame() {
        return headerBytes > 0 || skip > 0;
    }

    long frames() {
        return frames;
    }

    long framesTooLarge() {
        return framesTooLarge;
    }

    long emptyFrames() {
        return emptyFrames;
    }

    /** Writes the 2-byte RFC 4571 header for a frame of {@code len} bytes at {@code out[off]}. */
    static void writeHeader(byte[] out, int off, int len) {
        if (len < 0 || len > 65535) {
            throw new IllegalArgumentException("frame length " + len + " outside 0..65535");
        }
        out[off] = (byte) (len >>> 8);
        out[off + 1] = (byte) len;
    }
}
