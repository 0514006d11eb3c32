package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Trailers a {@link NativePeer} appends to the payloads it sends, so a receiver in the same process can
 * tell more than the RTP headers say. The SFU forwards payloads untouched (it rewrites the VP8 descriptor in
 * front, never the end), so the trailers arrive as sent. Nothing here allocates.
 *
 * <ul>
 *   <li>Send time (see {@link NativePeer#stampSendTimes(java.util.function.LongSupplier)}), for one-way
 *       latency per packet: the last {@link #LENGTH} bytes of the payload are the magic {@code "CHTS"}
 *       followed by the sender's clock reading (64-bit big endian, e.g. {@link System#nanoTime()}).
 *   <li>Simulcast layer, on every packet of a simulcast line, so a subscriber can tell which layer the SFU
 *       forwards to it although the SFU rewrites SSRC, sequence numbers and timestamps: {@link #LAYER_LENGTH}
 *       bytes {@code "CHL"} + the layer index (0 = lowest), right before the send time if there is one, else
 *       last.
 * </ul>
 */
public final class PayloadStamp {
    /** Magic (4 bytes) + clock value (8 bytes). */
    public static final int LENGTH = 12;
    /** Magic (3 bytes) + layer index (1 byte). */
    public static final int LAYER_LENGTH = 4;

    private static final long MAGIC = 0x4348_5453L; // "CHTS"
    private static final int LAYER_MAGIC = 0x43_484C; // "CHL"

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

    /**
     * Writes the layer trailer at {@code b[off..off+LAYER_LENGTH)} and returns {@link #LAYER_LENGTH}; a send
     * time, if any, goes after it.
     */
    public static int writeLayer(byte[] b, int off, int layer) {
        if (layer < 0 || layer > 0xFF) {
            throw new IllegalArgumentException("layer index 0..255: " + layer);
        }
        b[off] = (byte) (LAYER_MAGIC >> 16);
        b[off + 1] = (byte) (LAYER_MAGIC >> 8);
        b[off + 2] = (byte) LAYER_MAGIC;
        b[off + 3] = (byte) layer;
        return LAYER_LENGTH;
    }

    /** The simulcast layer index stamped on payload {@code b[off..off+len)}, or -1 if it has none. */
    public static int layer(byte[] b, int off, int len) {
        int end = present(b, off, len) ? len - LENGTH : len;
        if (end < LAYER_LENGTH) {
            return -1;
        }
        int at = off + end - LAYER_LENGTH;
        int magic = ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
        return magic == LAYER_MAGIC ? b[at + 3] & 0xFF : -1;
    }
}
