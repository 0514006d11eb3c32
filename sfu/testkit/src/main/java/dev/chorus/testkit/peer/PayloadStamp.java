package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * A send-time trailer a {@link NativePeer} can append to the payload of every RTP packet it sends (see
 * {@link NativePeer#stampSendTimes(java.util.function.LongSupplier)}), so a receiver in the same process can
 * measure one-way latency per packet: the last {@link #LENGTH} bytes of the payload are the magic
 * {@code "CHTS"} followed by the sender's clock reading (64-bit big endian, e.g. {@link System#nanoTime()}).
 * The SFU forwards payloads untouched, so the trailer arrives as sent. Nothing here allocates.
 */
public final class PayloadStamp {
    /** Magic (4 bytes) + clock value (8 bytes). */
    public static final int LENGTH = 12;

    private static final long MAGIC = 0x4348_5453L; // "CHTS"

    private PayloadStamp() {}

    /** Writes the trailer at {@code b[off..off+LENGTH)} and returns {@link #LENGTH}. */
    public static int write(byte[] b, int off, long time) {
        BigEndian.put32(b, off, MAGIC);
        BigEndian.put32(b, off + 4, time >>> 32);
        BigEndian.put32(b, off + 8, time & 0xFFFF_FFFFL);
        return LENGTH;
    }

    /** True if the payload {@code b[off..off+len)} ends with a trailer. */
    public static boolean present(byte[] b, int off, int len) {
        return len >= LENGTH && BigEndian.u32(b, off + len - LENGTH) == MAGIC;
    }

    /** The clock value of the trailer ending payload {@code b[off..off+len)}; check {@link #present} first. */
    public static long read(byte[] b, int off, int len) {
        int at = off + len - LENGTH + 4;
        return (BigEndian.u32(b, at) << 32) | BigEndian.u32(b, at + 4);
    }
}
