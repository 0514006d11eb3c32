package dev.chorus.testkit.capture;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the pcap files the server API's packet captures make (classic pcap, microsecond times, link type RAW: each
 * record an IPv4 or IPv6 header, a UDP header and the packet). For tests and tools that check a capture or take its
 * packets, e.g. as fuzzing seeds.
 */
public final class PcapFile {
    static final int MAGIC = 0xa1b2c3d4;
    static final int LINKTYPE_RAW = 101;

    /** One captured packet: when it arrived, and the UDP payload (a decrypted RTP or RTCP packet). */
    public record Packet(long epochMicros, byte[] payload) {
        /** RTCP by its packet type (RFC 5761: 200-206 never start an RTP packet the server forwards). */
        public boolean isRtcp() {
            return payload.length >= 2 && (payload[1] & 0xff) >= 200 && (payload[1] & 0xff) <= 206;
        }

        /** An RTP packet's SSRC, or an RTCP packet's sender SSRC. */
        public long ssrc() {
            int at = isRtcp() ? 4 : 8;
            return ByteBuffer.wrap(payload, at, 4).getInt(at) & 0xffffffffL;
        }

        /** An RTP packet's payload type. */
        public int payloadType() {
            return payload[1] & 0x7f;
        }
    }

    private PcapFile() {}

    /**
     * The packets of a whole file.
     *
     * @throws IllegalArgumentException for a file that is not a capture of this kind, or is cut short
     */
    public static List<Packet> read(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        try {
            if (b.getInt() != MAGIC) {
                throw new IllegalArgumentException("not a big-endian microsecond pcap file");
            }
            b.position(20);
            int linkType = b.getInt();
            if (linkType != LINKTYPE_RAW) {
                throw new IllegalArgumentException("link type " + linkType + ", not RAW (101)");
            }
            List<Packet> packets = new ArrayList<>();
            while (b.hasRemaining()) {
                long micros = (b.getInt() & 0xffffffffL) * 1_000_000 + b.getInt();
                int captured = b.getInt();
                b.getInt();
                int start = b.position();
                int ipHeader = (file[start] & 0xf0) == 0x60 ? 40 : (file[start] & 0x0f) * 4;
                int payload = start + ipHeader + 8;
                int end = start + captured;
                if (payload > end || end > file.length) {
                    throw new IllegalArgumentException("record at byte " + (start - 16) + " is cut short");
                }
                packets.add(new Packet(micros, Arrays.copyOfRange(file, payload, end)));
                b.position(end);
            }
            return packets;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the file is cut short", e);
        }
    }
}
