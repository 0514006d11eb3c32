package dev.chorus.sfu.sctp;

/**
 * Builds one outgoing packet: common header, then chunks, each padded to 4 bytes; {@link #finish} seals the
 * CRC32c. Chunks are appended only while they fit in the packet size given at construction.
 */
final class PacketWriter {
    private final byte[] buf;
    private int pos;
    private int chunkStart = -1;

    PacketWriter(int maxSize, int sourcePort, int destinationPort, int verificationTag) {
        buf = new byte[maxSize];
        Bytes.put16(buf, 0, sourcePort);
        Bytes.put16(buf, 2, destinationPort);
        reset(verificationTag);
    }

    /** Empties the packet for reuse (its ports kept): once {@link #finish} has copied it out. */
    PacketWriter reset(int verificationTag) {
        Bytes.put32(buf, 4, verificationTag);
        pos = SctpPacket.HEADER;
        chunkStart = -1;
        return this;
    }

    int remaining() {
        return buf.length - pos;
    }

    boolean isEmpty() {
        return pos == SctpPacket.HEADER;
    }

    /** Opens a chunk; its length is filled in by {@link #endChunk}. */
    PacketWriter beginChunk(int type, int flags) {
        chunkStart = pos;
        buf[pos] = (byte) type;
        buf[pos + 1] = (byte) flags;
        pos += 4;
        return this;
    }

    PacketWriter u8(int v) {
        buf[pos++] = (byte) v;
        return this;
    }

    PacketWriter u16(int v) {
        Bytes.put16(buf, pos, v);
        pos += 2;
        return this;
    }

    PacketWriter i32(int v) {
        Bytes.put32(buf, pos, v);
        pos += 4;
        return this;
    }

    PacketWriter bytes(byte[] src, int off, int len) {
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
        return this;
    }

    /** A TLV parameter inside the open chunk, padded. */
    PacketWriter parameter(int type, byte[] value, int off, int len) {
        u16(type).u16(4 + len).bytes(value, off, len);
        pad();
        return this;
    }

    PacketWriter endChunk() {
        Bytes.put16(buf, chunkStart + 2, pos - chunkStart);
        pad();
        chunkStart = -1;
        return this;
    }

    private void pad() {
        while ((pos & 3) != 0) {
            buf[pos++] = 0;
        }
    }

    /** Seals the packet in place; its length (the packet is {@link #array()} from 0 until the next reset). */
    int seal() {
        SctpPacket.seal(buf, 0, pos);
        return pos;
    }

    byte[] array() {
        return buf;
    }

    /** The sealed packet, trimmed to its length. */
    byte[] finish() {
        byte[] out = java.util.Arrays.copyOf(buf, pos);
        SctpPacket.seal(out, 0, pos);
        return out;
    }
}
