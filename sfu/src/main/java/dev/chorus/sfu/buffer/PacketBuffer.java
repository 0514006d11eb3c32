package dev.chorus.sfu.buffer;

/**
 * A fixed-size, reusable packet buffer from a {@link PacketBufferPool}.
 *
 * <p>Layout: packets start at {@link #HEADROOM} (room to prepend framing, e.g. RFC 4571 for
 * TCP) and may be at most {@link #MAX_PACKET_LENGTH} long, which always leaves
 * {@link #TAIL_ROOM} bytes after the packet for the SRTP/SRTCP tag and index that the
 * transport appends in place.
 *
 * <p>Between threads a buffer travels only through the work queue or the pool, whose
 * release/acquire ordering publishes its contents; the fields are therefore plain.
 */
public final class PacketBuffer {
    public static final int CAPACITY = 1600;
    public static final int HEADROOM = 32;
    /**
     * Bytes every sender leaves free after a packet it hands to a transport, pooled buffer or not: SRTP appends
     * its tag (16 bytes with GCM, 10 with CM_80) and SRTCP a 4-byte index plus the tag, in place. The one
     * tail-room constant of the code base; 32 rounds the 20 needed up. With less room a packet is still sent,
     * but through a one-off bigger copy.
     */
    public static final int TAIL_ROOM = 32;

    public static final int MAX_PACKET_LENGTH = CAPACITY - HEADROOM - TAIL_ROOM;

    /** What the buffer carries while it waits in a worker queue. */
    public enum Kind {
        RTP,
        RTCP
    }

    private final byte[] array = new byte[CAPACITY];
    private final boolean pooled;
    private int offset = HEADROOM;
    private int length;
    private Kind kind = Kind.RTP;
    /** Whoever should handle the packet on the worker thread (the receiving endpoint). */
    private Object target;
    /** True while the buffer sits in the pool's free list; catches double releases. */
    boolean free;

    PacketBuffer(boolean pooled) {
        this.pooled = pooled;
    }

    /**
     * A buffer outside any pool, for one thread that fills, sends and forgets a packet within one call (a
     * forwarded copy): it skips the pool's atomic acquire and release. Never release it to a pool.
     */
    public static PacketBuffer scratch() {
        return new PacketBuffer(false);
    }

    public byte[] array() {
        return array;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** True when the buffer was preallocated by the pool (false: allocated on a pool miss). */
    public boolean isPooled() {
        return pooled;
    }

    public PacketBuffer set(int offset, int length) {
        if (offset < 0 || length < 0 || offset > CAPACITY - length) {
            throw new IllegalArgumentException("region out of buffer: " + offset + "+" + length);
        }
        this.offset = offset;
        this.length = length;
        return this;
    }

    public void setLength(int length) {
        set(offset, length);
    }

    /** Copies {@code [off, off+len)} of {@code src} to {@link #HEADROOM}; false if too long. */
    public boolean copyFrom(byte[] src, int off, int len) {
        if (len < 0 || len > MAX_PACKET_LENGTH) {
            return false;
        }
        System.arraycopy(src, off, array, HEADROOM, len);
        this.offset = HEADROOM;
        this.length = len;
        return true;
    }

    /** Bytes usable from {@link #offset()} while keeping {@link #TAIL_ROOM} free after the packet. */
    public int writableCapacity() {
        return CAPACITY - TAIL_ROOM - offset;
    }

    public Kind kind() {
        return kind;
    }

    public Object target() {
        return target;
    }

    public void setRouting(Kind kind, Object target) {
        this.kind = kind;
        this.target = target;
    }

    void reset() {
        offset = HEADROOM;
        length = 0;
        kind = Kind.RTP;
        target = null;
    }
}
