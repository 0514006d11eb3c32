package dev.chorus.sfu.codec;

/**
 * A reusable view of one RED payload (RFC 2198): a header per block, then the blocks' data in the same
 * order, the redundant (earlier) blocks first and the primary block last. A redundant block's header is
 * four bytes (F=1, block payload type, 14-bit timestamp offset back from the packet's timestamp, 10-bit
 * length); the primary's is one byte (F=0, payload type) and its data runs to the end of the payload.
 * Parsing and writing allocate nothing; one instance per thread.
 */
public final class RedPayload {
    /** Blocks in one packet, the primary included: browsers send two; more than this is taken as garbage. */
    public static final int MAX_BLOCKS = 16;
    /** A redundant block's length field has 10 bits. */
    public static final int MAX_BLOCK_LENGTH = 0x3FF;
    /** A redundant block's timestamp offset field has 14 bits. */
    public static final int MAX_TIMESTAMP_OFFSET = 0x3FFF;

    public static final int REDUNDANT_HEADER_LENGTH = 4;
    public static final int PRIMARY_HEADER_LENGTH = 1;

    private final int[] payloadTypes = new int[MAX_BLOCKS];
    private final int[] timestampOffsets = new int[MAX_BLOCKS];
    private final int[] offsets = new int[MAX_BLOCKS];
    private final int[] lengths = new int[MAX_BLOCKS];
    private int count;

    /**
     * Parses the RED payload at {@code buf[off, off+len)} (no RTP padding): false when it is malformed
     * (no primary header, a header or block past the end, too many blocks), and then {@link #count()} is 0.
     */
    public boolean wrap(byte[] buf, int off, int len) {
        count = 0;
        if (off < 0 || len < 0 || off > buf.length - len) {
            return false;
        }
        int end = off + len;
        int pos = off;
        int n = 0;
        while (true) {
            if (pos >= end || n == MAX_BLOCKS) {
                return false;
            }
            int b = buf[pos] & 0xFF;
            payloadTypes[n] = b & 0x7F;
            if ((b & 0x80) == 0) {
                timestampOffsets[n] = 0;
                pos += PRIMARY_HEADER_LENGTH;
                n++;
                break;
            }
            if (end - pos < REDUNDANT_HEADER_LENGTH) {
                return false;
            }
            int rest = ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
            timestampOffsets[n] = rest >>> 10;
            lengths[n] = rest & MAX_BLOCK_LENGTH;
            pos += REDUNDANT_HEADER_LENGTH;
            n++;
        }
        for (int i = 0; i < n - 1; i++) {
            offsets[i] = pos;
            pos += lengths[i];
            if (pos > end) {
                return false;
            }
        }
        offsets[n - 1] = pos;
        lengths[n - 1] = end - pos;
        count = n;
        return true;
    }

    /** Blocks in the payload last wrapped, the primary (the last) included; 0 after a failed wrap. */
    public int count() {
        return count;
    }

    public int payloadType(int block) {
        return payloadTypes[block];
    }

    /** How far before the packet's RTP timestamp block {@code block} was taken; 0 for the primary. */
    public int timestampOffset(int block) {
        return timestampOffsets[block];
    }

    /** Absolute offset of the block's data in the wrapped buffer. */
    public int offset(int block) {
        return offsets[block];
    }

    public int length(int block) {
        return lengths[block];
    }

    /** True when every block carries {@code payloadType} (RED for Opus negotiated as {@code 111/111}). */
    public boolean allOf(int payloadType) {
        for (int i = 0; i < count; i++) {
            if (payloadTypes[i] != payloadType) {
                return false;
            }
        }
        return count > 0;
    }

    /** Writes a redundant block's header at {@code dst[pos]}; returns the position after it. */
    public static int writeRedundantHeader(byte[] dst, int pos, int payloadType, int timestampOffset, int length) {
        if (timestampOffset < 0 || timestampOffset > MAX_TIMESTAMP_OFFSET || length < 0 || length > MAX_BLOCK_LENGTH) {
            throw new IllegalArgumentException("offset " + timestampOffset + " or length " + length + " out of range");
        }
        dst[pos] = (byte) (0x80 | (payloadType & 0x7F));
        int rest = (timestampOffset << 10) | length;
        dst[pos + 1] = (byte) (rest >>> 16);
        dst[pos + 2] = (byte) (rest >>> 8);
        dst[pos + 3] = (byte) rest;
        return pos + REDUNDANT_HEADER_LENGTH;
    }

    /** Writes the primary block's header at {@code dst[pos]}; returns the position after it. */
    public static int writePrimaryHeader(byte[] dst, int pos, int payloadType) {
        dst[pos] = (byte) (payloadType & 0x7F);
        return pos + PRIMARY_HEADER_LENGTH;
    }
}
