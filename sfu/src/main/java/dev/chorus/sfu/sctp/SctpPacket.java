package dev.chorus.sfu.sctp;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * RFC 9260 packets: the 12-byte common header (ports, verification tag, CRC32c) and the chunks after it. Parsing
 * never throws: a bad packet is refused with a named {@link SctpMalformed}.
 */
final class SctpPacket {
    static final int HEADER = 12;

    int sourcePort;
    int destinationPort;
    int verificationTag;
    /** The chunks of the packet read last: views from {@link #views}, valid until the next {@link #read}. */
    final List<Chunk> chunks = new ArrayList<>(4);

    private final List<Chunk> views = new ArrayList<>(4);

    /** The parsed packet, or null after {@code onMalformed} was told why. A new packet each call. */
    static SctpPacket parse(byte[] buf, int off, int len, java.util.function.Consumer<SctpMalformed> onMalformed) {
        SctpPacket p = new SctpPacket();
        return p.read(buf, off, len, onMalformed) ? p : null;
    }

    /**
     * Reads a packet into this one, reusing its chunk views (an association reads every packet into one, so a packet
     * in allocates nothing); false, with no chunks, after {@code onMalformed} was told why.
     */
    boolean read(byte[] buf, int off, int len, java.util.function.Consumer<SctpMalformed> onMalformed) {
        chunks.clear();
        if (off < 0 || len < HEADER + 4 || off + len > buf.length) {
            onMalformed.accept(SctpMalformed.TOO_SHORT);
            return false;
        }
        int stored = Integer.reverseBytes(Bytes.i32(buf, off + 8)); // the CRC goes on the wire least significant first
        if (stored != checksum(buf, off, len)) {
            onMalformed.accept(SctpMalformed.BAD_CHECKSUM);
            return false;
        }
        int at = off + HEADER;
        int end = off + len;
        while (at < end) {
            if (end - at < 4) {
                chunks.clear();
                onMalformed.accept(SctpMalformed.BAD_LENGTH);
                return false;
            }
            int chunkLen = Bytes.u16(buf, at + 2);
            if (chunkLen < 4 || chunkLen > end - at) {
                chunks.clear();
                onMalformed.accept(SctpMalformed.BAD_LENGTH);
                return false;
            }
            int n = chunks.size();
            if (n == views.size()) {
                views.add(new Chunk(0, 0, buf, 0, 0));
            }
            Chunk c = views.get(n);
            c.set(buf[at] & 0xFF, buf[at + 1] & 0xFF, buf, at + 4, chunkLen - 4);
            chunks.add(c);
            at += (chunkLen + 3) & ~3;
        }
        sourcePort = Bytes.u16(buf, off);
        destinationPort = Bytes.u16(buf, off + 2);
        verificationTag = Bytes.i32(buf, off + 4);
        return true;
    }

    /** The CRC32c of the packet with its checksum field taken as zero. */
    static int checksum(byte[] buf, int off, int len) {
        CRC32C crc = CRC.get(); // one per thread, reset: every packet in and out is checksummed
        crc.reset();
        crc.update(buf, off, 8);
        crc.update(ZEROS, 0, 4);
        crc.update(buf, off + HEADER, len - HEADER);
        return (int) crc.getValue();
    }

    private static final byte[] ZEROS = new byte[4];
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    /** Writes the checksum of a finished packet into its header. */
    static void seal(byte[] buf, int off, int len) {
        Bytes.put32(buf, off + 8, Integer.reverseBytes(checksum(buf, off, len)));
    }

    /**
     * Iterates the TLV parameters in {@code [from, from+len)} of a chunk's value (INIT, INIT-ACK, RE-CONFIG, ...).
     * Returns false (and stops) on a malformed parameter.
     */
    static boolean forEachParameter(byte[] buf, int from, int len, ParameterVisitor visitor) {
        int at = from;
        int end = from + len;
        while (at < end) {
            if (end - at < 4) {
                return false;
            }
            int type = Bytes.u16(buf, at);
            int plen = Bytes.u16(buf, at + 2);
            if (plen < 4 || plen > end - at) {
                return false;
            }
            if (!visitor.visit(type, buf, at + 4, plen - 4)) {
                return false;
            }
            at += (plen + 3) & ~3;
        }
        return true;
    }

    interface ParameterVisitor {
        /** False when the parameter is malformed. */
        boolean visit(int type, byte[] buf, int valueOff, int valueLen);
    }
}
