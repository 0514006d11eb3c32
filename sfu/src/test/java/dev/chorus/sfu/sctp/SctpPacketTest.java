package dev.chorus.sfu.sctp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SctpPacketTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 3720 B.4: CRC32c of 32 zero bytes is 0x8A9136AA; the packet check uses the same polynomial. */
    @Test
    void crc32cMatchesThePublishedVector() {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(new byte[32]);
        assertEquals(0x8A9136AAL, c.getValue());
    }

    /** A bit-by-bit reflected CRC32c, written from the polynomial, independent of the JDK's. */
    private static int bitwiseCrc32c(byte[] b) {
        int crc = 0xFFFFFFFF;
        for (byte x : b) {
            crc ^= x & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    // 5000 -> 5000, tag 0, checksum to fill; INIT: tag 01020304, a_rwnd 131072, OS 10, MIS 65535, TSN 1,
    // then Forward-TSN-Supported (c000 0004).
    private static final String INIT = "13881388" + "00000000" + "00000000" + "01000018" + "01020304" + "00020000"
            + "000a" + "ffff" + "00000001" + "c0000004";

    private static byte[] sealed(String hex) {
        byte[] p = HEX.parseHex(hex);
        SctpPacket.seal(p, 0, p.length);
        return p;
    }

    @Test
    void theChecksumGoesOnTheWireLeastSignificantByteFirst() {
        byte[] p = sealed(INIT);
        byte[] zeroed = p.clone();
        java.util.Arrays.fill(zeroed, 8, 12, (byte) 0);
        int crc = bitwiseCrc32c(zeroed);
        assertEquals(crc & 0xFF, p[8] & 0xFF);
        assertEquals((crc >>> 24) & 0xFF, p[11] & 0xFF);
    }

    @Test
    void parsesAHandMadeInit() {
        byte[] p = sealed(INIT);
        SctpPacket packet = SctpPacket.parse(p, 0, p.length, r -> {
            throw new AssertionError(r);
        });
        assertNotNull(packet);
        assertEquals(5000, packet.sourcePort);
        assertEquals(0, packet.verificationTag);
        assertEquals(1, packet.chunks.size());
        Chunk init = packet.chunks.get(0);
        assertEquals(Chunk.INIT, init.type());
        assertEquals(0x01020304, init.i32(0));
        assertEquals(131072, init.u32(4));
        assertEquals(10, init.u16(8));
        assertEquals(65535, init.u16(10));
        assertEquals(20, init.valueLen());
    }

    @Test
    void refusesDamagedPacketsByName() {
        List<SctpMalformed> seen = new ArrayList<>();
        byte[] p = sealed(INIT);
        p[20] ^= 1;
        assertNull(SctpPacket.parse(p, 0, p.length, seen::add));
        assertNull(SctpPacket.parse(p, 0, 10, seen::add));
        byte[] longChunk = HEX.parseHex(INIT);
        longChunk[14] = 0x01; // chunk length 0x0118: past the end
        SctpPacket.seal(longChunk, 0, longChunk.length);
        assertNull(SctpPacket.parse(longChunk, 0, longChunk.length, seen::add));
        byte[] shortChunk = HEX.parseHex(INIT);
        shortChunk[15] = 0x02; // chunk length 2 < header
        SctpPacket.seal(shortChunk, 0, shortChunk.length);
        assertNull(SctpPacket.parse(shortChunk, 0, shortChunk.length, seen::add));
        assertEquals(
                List.of(
                        SctpMalformed.BAD_CHECKSUM,
                        SctpMalformed.TOO_SHORT,
                        SctpMalformed.BAD_LENGTH,
                        SctpMalformed.BAD_LENGTH),
                seen);
    }

    @Test
    void writerRoundTripsPaddedChunksAndParameters() {
        PacketWriter w = new PacketWriter(1200, 5000, 5001, 0xCAFEBABE);
        w.beginChunk(Chunk.DATA, 3)
                .i32(7)
                .u16(1)
                .u16(0)
                .i32(51)
                .bytes(new byte[] {'a', 'b', 'c'}, 0, 3)
                .endChunk();
        w.beginChunk(Chunk.HEARTBEAT, 0)
                .parameter(1, new byte[] {9, 9, 9, 9, 9}, 0, 5)
                .endChunk();
        byte[] p = w.finish();
        assertEquals(0, p.length % 4);
        SctpPacket packet = SctpPacket.parse(p, 0, p.length, r -> {
            throw new AssertionError(r);
        });
        assertEquals(0xCAFEBABE, packet.verificationTag);
        assertEquals(5001, packet.destinationPort);
        Chunk data = packet.chunks.get(0);
        assertEquals(3, data.flags());
        assertEquals(15, data.valueLen(), "padding excluded from the length");
        assertEquals('c', data.u8(14));
        Chunk hb = packet.chunks.get(1);
        int[] params = {0};
        assertTrue(SctpPacket.forEachParameter(hb.buf(), hb.valueOff(), hb.valueLen(), (type, b, off, len) -> {
            params[0]++;
            return type == 1 && len == 5 && b[off + 4] == 9;
        }));
        assertEquals(1, params[0]);
    }

    @Test
    void anAssociationCountsMalformedInputAndNeverThrows() {
        SctpAssociation a =
                new SctpAssociation(SctpConfig.DEFAULT, 5000, 5000, (b, o, l) -> {}, new NullListener(), new Random(1));
        byte[] bad = sealed(INIT.replace("01020304", "00000000")); // initiate tag 0 is not allowed
        a.receive(bad, 0, bad.length, 0);
        assertEquals(1, a.counters().get(SctpMalformed.BAD_CHUNK));
        byte[] data = sealed(
                "13881388" + "12345678" + "00000000" + "00000014" + "00000001" + "00010000" + "00000033" + "61000000");
        a.receive(data, 0, data.length, 0);
        assertEquals(1, a.counters().get(SctpMalformed.BAD_VERIFICATION_TAG), "DATA before any association");
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[r.nextInt(200)];
            r.nextBytes(junk);
            if (junk.length >= 12 && r.nextBoolean()) {
                junk[4] = junk[5] = junk[6] = junk[7] = 0;
                SctpPacket.seal(junk, 0, junk.length);
            }
            a.receive(junk, 0, junk.length, i);
        }
        assertTrue(a.counters().get(SctpMalformed.BAD_CHECKSUM) > 0);
    }

    @Test
    void anInitIsAnsweredWithASignedCookieAndNoState() {
        List<byte[]> out = new ArrayList<>();
        SctpAssociation a = new SctpAssociation(
                SctpConfig.DEFAULT,
                5000,
                5000,
                SctpAssociation.Output.copying(out::add),
                new NullListener(),
                new Random(3));
        byte[] init = sealed(INIT);
        a.receive(init, 0, init.length, 0);
        assertEquals(1, out.size());
        SctpPacket ack = SctpPacket.parse(out.get(0), 0, out.get(0).length, r -> {
            throw new AssertionError(r);
        });
        assertEquals(0x01020304, ack.verificationTag);
        assertEquals(Chunk.INIT_ACK, ack.chunks.get(0).type());
        assertEquals(SctpAssociation.State.CLOSED, a.state());
        // a COOKIE-ECHO with a cookie that has one bit flipped is refused
        Chunk c = ack.chunks.get(0);
        byte[][] cookie = {null};
        SctpPacket.forEachParameter(c.buf(), c.valueOff() + 16, c.valueLen() - 16, (t, b, off, len) -> {
            if (t == 7) {
                cookie[0] = java.util.Arrays.copyOfRange(b, off, off + len);
            }
            return true;
        });
        assertNotNull(cookie[0]);
        int localTag = c.i32(0);
        cookie[0][3] ^= 1;
        PacketWriter w = new PacketWriter(1200, 5000, 5000, localTag);
        w.beginChunk(Chunk.COOKIE_ECHO, 0).bytes(cookie[0], 0, cookie[0].length).endChunk();
        byte[] echo = w.finish();
        a.receive(echo, 0, echo.length, 1);
        assertEquals(1, a.counters().get(SctpMalformed.BAD_COOKIE));
        assertEquals(SctpAssociation.State.CLOSED, a.state());
        cookie[0][3] ^= 1;
        w = new PacketWriter(1200, 5000, 5000, localTag);
        w.beginChunk(Chunk.COOKIE_ECHO, 0).bytes(cookie[0], 0, cookie[0].length).endChunk();
        echo = w.finish();
        a.receive(echo, 0, echo.length, 2);
        assertEquals(SctpAssociation.State.ESTABLISHED, a.state());
    }

    private static final class NullListener implements SctpAssociation.Listener {
        @Override
        public void onEstablished() {}

        @Override
        public void onMessage(int stream, int ppid, byte[] data) {}

        @Override
        public void onIncomingStreamsReset(int[] streams) {}

        @Override
        public void onMessageTooLarge(int stream, long size) {}

        @Override
        public void onClosed(String reason) {}
    }
}
