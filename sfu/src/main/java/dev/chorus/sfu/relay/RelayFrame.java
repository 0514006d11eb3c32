package dev.chorus.sfu.relay;

import dev.chorus.sfu.rtp.BigEndian;
import java.nio.ByteBuffer;

/**
 * A sender's scratch for one relay datagram: the tag, then a copy of the packet. Each sending object owns one and
 * uses it on its own thread (a room's worker), so framing allocates nothing and shares nothing.
 */
public final class RelayFrame {
    /** The tag in front of every relayed packet. */
    public static final int TAG_LENGTH = 4;
    /** Enough for any packet the media plane handles, plus the tag. */
    static final int CAPACITY = 1600 + TAG_LENGTH;

    private final byte[] bytes = new byte[CAPACITY];
    private final ByteBuffer view = ByteBuffer.wrap(bytes);

    /** Frames {@code buf[off, off+len)} under {@code tag}; false when it does not fit. */
    boolean fill(int tag, byte[] buf, int off, int len) {
        if (len < 0 || len > CAPACITY - TAG_LENGTH) {
            return false;
        }
        BigEndian.put32(bytes, 0, tag & 0xFFFFFFFFL);
        System.arraycopy(buf, off, bytes, TAG_LENGTH, len);
        view.clear().limit(TAG_LENGTH + len);
        return true;
    }

    ByteBuffer view() {
        return view;
    }
}
