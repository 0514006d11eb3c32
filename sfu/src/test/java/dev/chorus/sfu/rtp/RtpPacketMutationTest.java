package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtpPacketMutationTest {
    private final RtpPacket packet = new RtpPacket();

    /** Copies {@code hex} into an array with {@code room} spare bytes and wraps it. */
    private byte[] wrapWithRoom(String hex, int room) {
        byte[] exact = Hex.bytes(hex);
        byte[] b = Arrays.copyOf(exact, exact.length + room);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, exact.length));
        return b;
    }

    @Test
    void settersRewriteFieldsInPlaceAndKeepNeighbours() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 0);
        packet.setMarker(true);
        packet.setPayloadType(127);
        packet.setSequenceNumber(0x1_0001); // only the low 16 bits count
        packet.setTimestamp(0xFFFF_FFFFL);
        packet.setSsrc(0xCAFEBABEL);
        assertTrue(packet.marker());
        assertEquals(127, packet.payloadType());
        assertEquals(1, packet.sequenceNumber());
        assertEquals(0xFFFF_FFFFL, packet.timestamp());
        assertEquals(0xCAFEBABEL, packet.ssrc());
        packet.setMarker(false);
        packet.setPayloadType(96);
        assertFalse(packet.marker());
        assertEquals(96, packet.payloadType());
        assertEquals(0x90, b[0] & 0xFF, "first byte untouched");
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertEquals(7, BigEndian.u16(b, packet.extensionOffset(4)));
    }

    @Test
    void writeExtensionOverwritesOnlyMatchingLength() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 0);
        byte[] before = b.clone();
        assertTrue(packet.writeExtension(4, Hex.bytes("beef"), 0, 2));
        assertEquals(0xBEEF, BigEndian.u16(b, packet.extensionOffset(4)));
        assertFalse(packet.writeExtension(4, Hex.bytes("beefff"), 0, 3), "length differs");
        assertFalse(packet.writeExtension(5, Hex.bytes("00"), 0, 1), "absent");
        before[21] = (byte) 0xbe;
        before[22] = (byte) 0xef;
        assertArrayEquals(before, b);
    }

    @Test
    void reserveOfSameLengthReusesTheElement() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 0);
        byte[] before = b.clone();
        assertEquals(21, packet.reserveExtension(4, 2, b.length));
        assertArrayEquals(before, b);
    }

    @Test
    void addsOneByteBlockToPacketWithoutExtensions() {
        byte[] b = wrapWithRoom("""
                81 60 00 05  // V=2 CC=1 PT=96 seq=5
                00 00 00 64  // ts
                00 00 00 01  // ssrc
                00 00 00 09  // csrc
                aa bb cc     // payload
                """, 16);
        assertTrue(packet.putExtension(3, Hex.bytes("0102"), 0, 2));
        assertEquals(27, packet.length());
        assertArrayEquals(Hex.bytes("""
                91 60 00 05  // X bit now set
                00 00 00 64
                00 00 00 01
                00 00 00 09
                be de 00 01  // one-byte profile, 1 word
                31 01 02 00  // id=3 L=1 (2 bytes) data=0102, padding
                aa bb cc     // payload moved behind the block
                """), Arrays.copyOf(b, packet.length()));
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, 27));
        assertEquals(3, packet.payloadLength());
    }

    @Test
    void appendsToAnExistingOneByteBlockAndGrowsIt() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 8);
        int at = packet.reserveExtension(5, 3, b.length);
        assertTrue(at > 0);
        b[at] = 1;
        b[at + 1] = 2;
        b[at + 2] = 3;
        // 9 bytes of elements (compacted) + 4 = 13 -> 16 bytes, one word more than before.
        assertEquals(37, packet.length());
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(16, packet.extensionBlockLength());
        assertEquals(0x123456, BigEndian.u24(b, packet.extensionOffset(2)));
        assertEquals(7, BigEndian.u16(b, packet.extensionOffset(4)));
        assertEquals('0', b[packet.extensionOffset(9)]);
        assertEquals("010203", Hex.of(b, packet.extensionOffset(5), 3));
        assertEquals("90e0123456", Hex.of(b, packet.payloadOffset(), packet.payloadLength()));
    }

    @Test
    void resizingAnElementCanShrinkThePacket() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 0);
        // Replace abs-send-time (3 bytes) by 1 byte: 2+3+2 elements -> 8 bytes, 2 words.
        assertTrue(packet.putExtension(2, Hex.bytes("ee"), 0, 1));
        assertEquals(29, packet.length());
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(8, packet.extensionBlockLength());
        assertEquals(1, packet.extensionLength(2));
        assertEquals((byte) 0xee, b[packet.extensionOffset(2)]);
        assertEquals(7, BigEndian.u16(b, packet.extensionOffset(4)));
        assertEquals("90e0123456", Hex.of(b, packet.payloadOffset(), packet.payloadLength()));
    }

    @Test
    void switchesToTwoByteFormWhenIdNeedsIt() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 16);
        assertTrue(packet.putExtension(20, Hex.bytes("abcd"), 0, 2));
        assertArrayEquals(Hex.bytes("""
                90 60 1a 2b  00 01 e2 40  12 34 56 78  // fixed header unchanged
                10 00 00 04  // two-byte profile, 4 words
                02 03 12 34 56  // abs-send-time, widened
                04 02 00 07     // transport-cc, widened
                09 01 30        // mid, widened
                14 02 ab cd     // id=20 len=2 (16 bytes exactly: no padding)
                90 e0 12 34 56  // payload
                """), Arrays.copyOf(b, packet.length()));
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(0x123456, BigEndian.u24(b, packet.extensionOffset(2)));
    }

    @Test
    void zeroLengthOrLongDataAlsoNeedsTwoByteForm() {
        byte[] b = wrapWithRoom("80 00 00 01 00 00 00 02 00 00 00 03 ff", 40);
        assertTrue(packet.reserveExtension(1, 0, b.length) > 0);
        assertEquals(0x1000, packet.extensionProfile());
        byte[] seventeen = new byte[17];
        Arrays.fill(seventeen, (byte) 7);
        assertTrue(packet.putExtension(2, seventeen, 0, 17));
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(0, packet.extensionLength(1));
        assertEquals(17, packet.extensionLength(2));
        assertEquals((byte) 0xff, b[packet.payloadOffset()]);
    }

    @Test
    void addsToTwoByteBlockKeepingAppBitsAndRtpPadding() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CSRC_TWO_BYTE_PADDED, 8);
        assertTrue(packet.putExtension(7, Hex.bytes("11223344"), 0, 4));
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(0x1005, packet.extensionProfile());
        assertEquals("aabbcc", Hex.of(b, packet.extensionOffset(16), 3));
        assertEquals(0, packet.extensionLength(200));
        assertEquals("dd", Hex.of(b, packet.extensionOffset(15), 1));
        assertEquals("11223344", Hex.of(b, packet.extensionOffset(7), 4));
        assertEquals("010203", Hex.of(b, packet.payloadOffset(), packet.payloadLength()));
        assertEquals(4, packet.paddingSize());
        assertEquals(2, packet.csrcCount());
    }

    @Test
    void refusesWhenItDoesNotFitAndChangesNothing() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 3);
        byte[] before = b.clone();
        int length = packet.length();
        assertEquals(-1, packet.reserveExtension(5, 3, b.length), "needs 4 more bytes, 3 spare");
        assertEquals(-1, packet.reserveExtension(5, 3, length + 3), "capacity below the array");
        assertFalse(packet.putExtension(5, Hex.bytes("010203"), 0, 3, length));
        assertArrayEquals(before, b);
        assertEquals(length, packet.length());
        assertTrue(packet.isValid());
    }

    @Test
    void refusesBadArgumentsOpaqueProfilesAndInvalidPackets() {
        byte[] b = wrapWithRoom(RtpPacketParseTest.CHROME_VIDEO, 300);
        assertEquals(-1, packet.reserveExtension(0, 1, b.length));
        assertEquals(-1, packet.reserveExtension(256, 1, b.length));
        assertEquals(-1, packet.reserveExtension(1, 256, b.length));
        assertEquals(-1, packet.reserveExtension(1, -1, b.length));
        byte[] opaque = wrapWithRoom("90 00 00 01 00 00 00 00 00 00 00 01 ab cd 00 01 ff ff ff ff", 40);
        assertEquals(-1, packet.reserveExtension(1, 1, opaque.length));
        packet.wrap(b, 0, 5);
        assertEquals(-1, packet.reserveExtension(1, 1, b.length));
    }

    @Test
    void addedExtensionsSurviveAsEgressWouldUseThem() {
        // Egress: stamp a transport-wide seq and abs-send-time on a packet that had neither.
        byte[] b = wrapWithRoom("80 6f 00 10 00 00 10 00 11 22 33 44 01 02 03 04 05", 16);
        int tcc = packet.reserveExtension(5, 2, b.length);
        BigEndian.put16(b, tcc, 4242);
        int ast = packet.reserveExtension(3, 3, b.length);
        BigEndian.put24(b, ast, 0xABCDEF);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, packet.length()));
        assertEquals(4242, BigEndian.u16(b, packet.extensionOffset(5)));
        assertEquals(0xABCDEF, BigEndian.u24(b, packet.extensionOffset(3)));
        assertEquals(8, packet.extensionBlockLength());
        assertEquals("0102030405", Hex.of(b, packet.payloadOffset(), packet.payloadLength()));
        // A second stamp on the same packet reuses the slots: the length stays put.
        int length = packet.length();
        assertEquals(tcc, packet.reserveExtension(5, 2, b.length));
        assertEquals(length, packet.length());
    }
}
