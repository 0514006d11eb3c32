package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RtpPacketParseTest {

    /** A VP8 packet as Chrome sends it: mid, abs-send-time and transport-cc in one-byte form. */
    static final String CHROME_VIDEO = """
            90 60 1a 2b  // V=2 P=0 X=1 CC=0 | M=0 PT=96 | seq=6699
            00 01 e2 40  // timestamp=123456
            12 34 56 78  // ssrc
            be de 00 03  // one-byte profile, 3 words of extensions
            22 12 34 56  // id=2 L=2 (3 bytes): abs-send-time=0x123456
            41 00 07     // id=4 L=1 (2 bytes): transport-wide seq=7
            90 30        // id=9 L=0 (1 byte): mid="0"
            00 00 00     // padding to the 32-bit boundary
            90 e0 12 34 56  // payload: VP8 descriptor and data
            """;

    /** Marker set, two CSRCs, two-byte extensions (with app bits), RTP padding. */
    static final String CSRC_TWO_BYTE_PADDED = """
            b2 e6 ff ff  // V=2 P=1 X=1 CC=2 | M=1 PT=102 | seq=65535
            ff ff ff ff  // timestamp=2^32-1
            de ad be ef  // ssrc
            00 00 00 01  // csrc[0]
            80 00 00 02  // csrc[1]
            10 05 00 03  // two-byte profile 0x100 + app bits 5, 3 words
            10 03 aa bb cc  // id=16 len=3
            00              // padding byte between elements
            c8 00           // id=200 len=0 (legal only in two-byte form)
            0f 01 dd        // id=15 len=1 (15 is an ordinary id here)
            00              // padding to the boundary
            01 02 03        // payload
            00 00 00 04     // RTP padding: 4 bytes, last one is the count
            """;

    private final RtpPacket packet = new RtpPacket();

    @Test
    void parsesChromeLikePacketWithOneByteExtensions() {
        byte[] b = Hex.bytes(CHROME_VIDEO);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertEquals(2, packet.version());
        assertFalse(packet.hasPadding());
        assertTrue(packet.hasExtension());
        assertEquals(0, packet.csrcCount());
        assertFalse(packet.marker());
        assertEquals(96, packet.payloadType());
        assertEquals(6699, packet.sequenceNumber());
        assertEquals(123456L, packet.timestamp());
        assertEquals(0x12345678L, packet.ssrc());
        assertEquals(28, packet.headerLength());
        assertEquals(28, packet.payloadOffset());
        assertEquals(5, packet.payloadLength());
        assertEquals(0, packet.paddingSize());
        assertEquals(RtpHeaderExtensions.ONE_BYTE_PROFILE, packet.extensionProfile());
        assertEquals(16, packet.extensionBlockOffset());
        assertEquals(12, packet.extensionBlockLength());

        assertEquals(17, packet.extensionOffset(2));
        assertEquals(3, packet.extensionLength(2));
        assertEquals(0x123456, BigEndian.u24(b, packet.extensionOffset(2)));
        assertEquals(7, BigEndian.u16(b, packet.extensionOffset(4)));
        long mid = packet.findExtension(9);
        assertEquals(1, RtpHeaderExtensions.lengthOf(mid));
        assertEquals('0', b[RtpHeaderExtensions.offsetOf(mid)]);
        assertEquals(RtpHeaderExtensions.NOT_FOUND, packet.findExtension(3));
        assertEquals(-1, packet.extensionOffset(1));
        assertEquals(-1, packet.extensionLength(14));
        assertEquals(RtpHeaderExtensions.NOT_FOUND, packet.findExtension(0));
    }

    @Test
    void parsesCsrcsTwoByteExtensionsAndPadding() {
        byte[] b = Hex.bytes(CSRC_TWO_BYTE_PADDED);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertTrue(packet.hasPadding());
        assertTrue(packet.marker());
        assertEquals(102, packet.payloadType());
        assertEquals(65535, packet.sequenceNumber());
        assertEquals(0xFFFF_FFFFL, packet.timestamp());
        assertEquals(0xDEADBEEFL, packet.ssrc());
        assertEquals(2, packet.csrcCount());
        assertEquals(1L, packet.csrc(0));
        assertEquals(0x80000002L, packet.csrc(1));
        assertEquals(0x1005, packet.extensionProfile());
        assertEquals(36, packet.headerLength());
        assertEquals(3, packet.payloadLength());
        assertEquals(4, packet.paddingSize());
        assertEquals(b.length, packet.headerLength() + packet.payloadLength() + packet.paddingSize());

        assertEquals(3, packet.extensionLength(16));
        assertEquals("aabbcc", Hex.of(b, packet.extensionOffset(16), 3));
        assertEquals(0, packet.extensionLength(200));
        assertEquals(1, packet.extensionLength(15));
        assertEquals((byte) 0xdd, b[packet.extensionOffset(15)]);
    }

    @Test
    void parsesAtAnOffsetInsideALargerBuffer() {
        byte[] inner = Hex.bytes(CHROME_VIDEO);
        byte[] b = new byte[inner.length + 20];
        System.arraycopy(inner, 0, b, 7, inner.length);
        assertEquals(RtpValidity.OK, packet.wrap(b, 7, inner.length));
        assertEquals(7 + 28, packet.payloadOffset());
        assertEquals(7 + 17, packet.extensionOffset(2));
        assertEquals(7, BigEndian.u16(b, packet.extensionOffset(4)));
    }

    @Test
    void visitsEveryExtensionInOrder() {
        byte[] b = Hex.bytes(CSRC_TWO_BYTE_PADDED);
        packet.wrap(b, 0, b.length);
        List<String> seen = new ArrayList<>();
        int n = packet.forEachExtension((id, offset, length) -> seen.add(id + "@" + offset + "+" + length));
        assertEquals(3, n);
        assertEquals(List.of("16@26+3", "200@32+0", "15@34+1"), seen);
    }

    @Test
    void oneByteIdFifteenStopsParsing() {
        byte[] b = Hex.bytes("""
                90 00 00 01  00 00 00 00  00 00 00 01  // header, X=1
                be de 00 01  // one-byte, 1 word
                10 aa        // id=1 L=0
                f0           // id=15: stop, the rest is ignored
                20           // would be id=2 but is never read
                """);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertEquals(1, packet.extensionLength(1));
        assertEquals(-1, packet.extensionLength(2));
        assertEquals(1, packet.forEachExtension((id, o, l) -> {}));
    }

    @Test
    void unknownProfileIsOpaqueButValid() {
        byte[] b = Hex.bytes("""
                90 00 00 01  00 00 00 00  00 00 00 01  // header, X=1
                ab cd 00 01  // profile 0xABCD, 1 word
                ff ff ff ff  // opaque data
                """);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertEquals(0xABCD, packet.extensionProfile());
        assertEquals(-1, packet.extensionOffset(1));
        assertEquals(0, packet.forEachExtension((id, o, l) -> {}));
        assertEquals(20, packet.headerLength());
    }

    @Test
    void paddingOnlyProbeHasEmptyPayload() {
        byte[] b = Hex.bytes("""
                a0 7f 00 05  00 00 00 00  00 00 00 01  // V=2 P=1, no payload
                00 00 00 00  00 00 00 08               // 8 bytes of padding
                """);
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
        assertEquals(0, packet.payloadLength());
        assertEquals(8, packet.paddingSize());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty", "", RtpValidity.TOO_SHORT),
                Arguments.of("11 bytes", "80 00 00 01 00 00 00 00 00 00 00", RtpValidity.TOO_SHORT),
                Arguments.of("version 0", "00 00 00 01 00 00 00 00 00 00 00 01", RtpValidity.BAD_VERSION),
                Arguments.of("version 1", "40 00 00 01 00 00 00 00 00 00 00 01", RtpValidity.BAD_VERSION),
                Arguments.of("version 3", "c0 00 00 01 00 00 00 00 00 00 00 01", RtpValidity.BAD_VERSION),
                Arguments.of("CC=15 without CSRCs", "8f 00 00 01 00 00 00 00 00 00 00 01", RtpValidity.CSRC_OVERFLOW),
                Arguments.of(
                        "CC=1, 3 of 4 bytes",
                        "81 00 00 01 00 00 00 00 00 00 00 01 aa bb cc",
                        RtpValidity.CSRC_OVERFLOW),
                Arguments.of(
                        "X=1 without ext header",
                        "90 00 00 01 00 00 00 00 00 00 00 01 be de",
                        RtpValidity.EXTENSION_OVERFLOW),
                Arguments.of(
                        "ext length past end",
                        "90 00 00 01 00 00 00 00 00 00 00 01 be de ff ff 10 00",
                        RtpValidity.EXTENSION_OVERFLOW),
                Arguments.of(
                        "one-byte element past block",
                        "90 00 00 01 00 00 00 00 00 00 00 01 be de 00 01 1f 00 00 00 00 00 00 00",
                        RtpValidity.BAD_EXTENSION_ELEMENT),
                Arguments.of(
                        "two-byte element past block",
                        "90 00 00 01 00 00 00 00 00 00 00 01 10 00 00 01 01 09 00 00 00 00 00 00",
                        RtpValidity.BAD_EXTENSION_ELEMENT),
                Arguments.of(
                        "two-byte header split at block end",
                        "90 00 00 01 00 00 00 00 00 00 00 01 10 00 00 01 00 00 00 07",
                        RtpValidity.BAD_EXTENSION_ELEMENT),
                Arguments.of("pad count 0", "a0 00 00 01 00 00 00 00 00 00 00 01 aa 00", RtpValidity.BAD_PADDING),
                Arguments.of(
                        "pad count past header", "a0 00 00 01 00 00 00 00 00 00 00 01 aa 03", RtpValidity.BAD_PADDING),
                Arguments.of(
                        "P=1 and nothing after header",
                        "a0 00 00 01 00 00 00 00 00 00 00 01",
                        RtpValidity.BAD_PADDING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void reportsTheSpecificReason(String name, String hex, RtpValidity expected) {
        byte[] b = Hex.bytes(hex);
        assertEquals(expected, packet.wrap(b, 0, b.length));
        assertFalse(packet.isValid());
        assertEquals(expected, packet.validity());
    }

    @Test
    void impossibleRegionsAreOutOfBounds() {
        byte[] b = Hex.bytes(CHROME_VIDEO);
        assertEquals(RtpValidity.OUT_OF_BOUNDS, packet.wrap(null, 0, 0));
        assertEquals(RtpValidity.OUT_OF_BOUNDS, packet.wrap(b, -1, 12));
        assertEquals(RtpValidity.OUT_OF_BOUNDS, packet.wrap(b, 0, b.length + 1));
        assertEquals(RtpValidity.OUT_OF_BOUNDS, packet.wrap(b, 5, -1));
        assertEquals(RtpValidity.OUT_OF_BOUNDS, packet.wrap(b, Integer.MAX_VALUE, 12));
    }

    @Test
    void everyTruncationOfTheChromePacketNamesItsReason() {
        byte[] b = Hex.bytes(CHROME_VIDEO);
        for (int len = 0; len <= b.length; len++) {
            RtpValidity expected;
            if (len < 12) {
                expected = RtpValidity.TOO_SHORT;
            } else if (len < 28) {
                expected = RtpValidity.EXTENSION_OVERFLOW; // header word or the 12 bytes of elements
            } else {
                expected = RtpValidity.OK; // a shorter payload is still a packet
            }
            assertEquals(expected, packet.wrap(b, 0, len), "length " + len);
        }
    }

    @Test
    void everyTruncationOfThePaddedPacketNamesItsReason() {
        byte[] b = Hex.bytes(CSRC_TWO_BYTE_PADDED);
        for (int len = 0; len <= b.length; len++) {
            RtpValidity expected;
            if (len < 12) {
                expected = RtpValidity.TOO_SHORT;
            } else if (len < 20) {
                expected = RtpValidity.CSRC_OVERFLOW;
            } else if (len < 36) {
                expected = RtpValidity.EXTENSION_OVERFLOW;
            } else {
                // The last byte becomes the pad count; only the full packet ends with a sane one.
                int pad = len == 36 ? 0 : b[len - 1] & 0xFF;
                expected = pad == 0 || pad > len - 36 ? RtpValidity.BAD_PADDING : RtpValidity.OK;
            }
            assertEquals(expected, packet.wrap(b, 0, len), "length " + len);
        }
        assertEquals(RtpValidity.OK, packet.wrap(b, 0, b.length));
    }

    @Test
    void rewrapResetsStateFromThePreviousPacket() {
        byte[] chrome = Hex.bytes(CHROME_VIDEO);
        byte[] plain = Hex.bytes("80 00 00 01 00 00 00 02 00 00 00 03 aa bb");
        packet.wrap(chrome, 0, chrome.length);
        assertEquals(RtpValidity.OK, packet.wrap(plain, 0, plain.length));
        assertEquals(-1, packet.extensionProfile());
        assertEquals(-1, packet.extensionOffset(2));
        assertEquals(0, packet.extensionBlockLength());
        assertEquals(12, packet.headerLength());
        assertEquals(2, packet.payloadLength());
    }
}
