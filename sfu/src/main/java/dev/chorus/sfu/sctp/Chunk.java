package dev.chorus.sfu.sctp;

/**
 * One chunk of a received packet, as a view on the packet's bytes: {@code value} starts after the 4-byte chunk
 * header and is {@code length - 4} bytes long (padding excluded). A view is reused by the {@link SctpPacket} that
 * made it: valid while that packet is being handled (and its buffer is), so nothing may keep one.
 */
final class Chunk {
    static final int DATA = 0;
    static final int INIT = 1;
    static final int INIT_ACK = 2;
    static final int SACK = 3;
    static final int HEARTBEAT = 4;
    static final int HEARTBEAT_ACK = 5;
    static final int ABORT = 6;
    static final int SHUTDOWN = 7;
    static final int SHUTDOWN_ACK = 8;
    static final int ERROR = 9;
    static final int COOKIE_ECHO = 10;
    static final int COOKIE_ACK = 11;
    static final int SHUTDOWN_COMPLETE = 14;
    static final int RE_CONFIG = 130;
    static final int FORWARD_TSN = 192;

    private int type;
    private int flags;
    private byte[] buf;
    private int valueOff;
    private int valueLen;

    Chunk(int type, int flags, byte[] buf, int valueOff, int valueLen) {
        set(type, flags, buf, valueOff, valueLen);
    }

    void set(int type, int flags, byte[] buf, int valueOff, int valueLen) {
        this.type = type;
        this.flags = flags;
        this.buf = buf;
        this.valueOff = valueOff;
        this.valueLen = valueLen;
    }

    int type() {
        return type;
    }

    int flags() {
        return flags;
    }

    byte[] buf() {
        return buf;
    }

    int valueOff() {
        return valueOff;
    }

    int valueLen() {
        return valueLen;
    }

    int u8(int at) {
        return buf[valueOff + at] & 0xFF;
    }

    int u16(int at) {
        return Bytes.u16(buf, valueOff + at);
    }

    int i32(int at) {
        return Bytes.i32(buf, valueOff + at);
    }

    long u32(int at) {
        return i32(at) & 0xFFFF_FFFFL;
    }

    /** What RFC 9260 section 3.2 says to do with a chunk type we do not know: its two upper bits. */
    boolean skipIfUnknown() {
        return (type & 0x80) != 0;
    }
}
