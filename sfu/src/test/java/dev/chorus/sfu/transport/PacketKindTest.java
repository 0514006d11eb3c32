package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7983 / RFC 5761 demux table: first byte, second byte (or -1 for a one-byte datagram), expected kind. */
class PacketKindTest {

    @ParameterizedTest(name = "{0},{1} -> {2}")
    @CsvSource({
        // STUN: 0..3
        "0,   1,   STUN",
        "1,   1,   STUN",
        "3,   0,   STUN",
        // 4..19 (ZRTP is 16..19): not ours
        "4,   0,   UNKNOWN",
        "16,  0,   UNKNOWN",
        "19,  0,   UNKNOWN",
        // DTLS: 20..63 (22 = handshake, 23 = application data, 21 = alert)
        "20,  254, DTLS",
        "22,  254, DTLS",
        "63,  0,   DTLS",
        // TURN channel data 64..79 and the rest up to 127: not ours
        "64,  0,   UNKNOWN",
        "79,  0,   UNKNOWN",
        "127, 0,   UNKNOWN",
        // RTP/RTCP: 128..191; RTCP when the second byte (M + PT) is 192..223
        "128, 111, RTP", // V=2, PT 111 (opus)
        "128, 239, RTP", // marker + PT 111
        "144, 96,  RTP", // V=2 with extension bit
        "191, 0,   RTP",
        "128, 191, RTP", // M + PT 63: just below the RTCP range
        "128, 192, RTCP", // FIR (192) is the first RTCP type
        "128, 200, RTCP", // SR
        "129, 201, RTCP", // RR with one report block
        "143, 206, RTCP", // PSFB (PLI/REMB), FMT 15
        "128, 223, RTCP", // last in range
        "128, 224, RTP", // M + PT 96: RTP again
        // beyond 191
        "192, 200, UNKNOWN",
        "255, 0,   UNKNOWN",
        // RTP-looking but a single byte: cannot tell RTP from RTCP
        "128, -1,  UNKNOWN",
    })
    void classifies(int first, int second, PacketKind expected) {
        byte[] buf = second < 0 ? new byte[] {9, (byte) first} : new byte[] {9, (byte) first, (byte) second, 0};
        // offset 1: classification must honour the offset
        assertEquals(expected, PacketKind.classify(buf, 1, buf.length - 1));
    }

    @org.junit.jupiter.api.Test
    void emptyIsUnknown() {
        assertEquals(PacketKind.UNKNOWN, PacketKind.classify(new byte[] {(byte) 128, (byte) 200}, 0, 0));
        assertEquals(PacketKind.UNKNOWN, PacketKind.classify(new byte[0], 0, 0));
    }
}
