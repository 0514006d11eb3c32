package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RtcpCompoundReaderTest {
    private final RtcpCompoundReader reader = new RtcpCompoundReader();

    static byte[] compound(String... packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : packets) {
            out.writeBytes(Hex.bytes(p));
        }
        return out.toByteArray();
    }

    @Test
    void walksEveryPacketOfACompound() {
        byte[] b = compound(RtcpFixtures.ALL);
        assertEquals(RtcpValidity.OK, reader.reset(b, 0, b.length));
        List<String> seen = new ArrayList<>();
        int expectedOffset = 0;
        while (reader.next()) {
            assertEquals(expectedOffset, reader.packetOffset());
            seen.add(reader.packetType() + "/" + reader.fmt() + ":" + reader.packetLength());
            expectedOffset += reader.packetLength();
        }
        assertEquals(RtcpValidity.OK, reader.error());
        assertEquals(b.length, expectedOffset);
        assertEquals(9, reader.packetsRead());
        assertEquals(
                List.of(
                        "200/1:52",
                        "201/2:56",
                        "202/2:36",
                        "203/2:20",
                        "206/1:12",
                        "206/4:20",
                        "205/1:20",
                        "206/15:24",
                        "205/15:52"),
                seen);
    }

    @Test
    void reportsPaddingOfThePacket() {
        byte[] b = compound(RtcpFixtures.PLI, RtcpFixtures.TRANSPORT_CC);
        reader.reset(b, 0, b.length);
        assertTrue(reader.next());
        assertEquals(0, reader.paddingSize());
        assertTrue(reader.next());
        assertEquals(2, reader.paddingSize());
        assertFalse(reader.next());
        assertFalse(reader.next(), "stays at the end");
        assertEquals(RtcpValidity.OK, reader.error());
    }

    @Test
    void readsAtAnOffsetAndIgnoresBytesOutsideTheRegion() {
        byte[] pli = Hex.bytes(RtcpFixtures.PLI);
        byte[] b = new byte[pli.length + 10];
        System.arraycopy(pli, 0, b, 5, pli.length);
        b[5 + pli.length] = (byte) 0xFF; // garbage right after the region
        reader.reset(b, 5, pli.length);
        assertTrue(reader.next());
        assertEquals(5, reader.packetOffset());
        assertFalse(reader.next());
        assertEquals(RtcpValidity.OK, reader.error());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty", "", RtcpValidity.TOO_SHORT, 0),
                Arguments.of("3 bytes", "81 c9 00", RtcpValidity.TOO_SHORT, 0),
                Arguments.of("version 1", "41 c9 00 01 00 00 00 01", RtcpValidity.BAD_VERSION, 0),
                Arguments.of("version 3", "c1 c9 00 01 00 00 00 01", RtcpValidity.BAD_VERSION, 0),
                Arguments.of("length past end", "80 c9 00 02 00 00 00 01", RtcpValidity.LENGTH_OVERFLOW, 0),
                Arguments.of("length 0xffff", "80 c9 ff ff 00 00 00 01", RtcpValidity.LENGTH_OVERFLOW, 0),
                Arguments.of("pad count 0", "a0 c9 00 01 00 00 00 00", RtcpValidity.BAD_PADDING, 0),
                Arguments.of("pad count larger than body", "a0 c9 00 01 00 00 00 05", RtcpValidity.BAD_PADDING, 0),
                Arguments.of("good then bad version", RtcpFixtures.PLI + "01 02 03 04", RtcpValidity.BAD_VERSION, 1),
                Arguments.of("good then 2 stray bytes", RtcpFixtures.PLI + "80 c9", RtcpValidity.TOO_SHORT, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void stopsWithTheSpecificReason(String name, String hex, RtcpValidity expected, int goodPackets) {
        byte[] b = Hex.bytes(hex);
        reader.reset(b, 0, b.length);
        int read = 0;
        while (reader.next()) {
            read++;
        }
        assertEquals(expected, reader.error());
        assertEquals(goodPackets, read);
    }

    @Test
    void impossibleRegionIsOutOfBounds() {
        assertEquals(RtcpValidity.OUT_OF_BOUNDS, reader.reset(null, 0, 0));
        assertFalse(reader.next());
        assertEquals(RtcpValidity.OUT_OF_BOUNDS, reader.error());
        byte[] b = new byte[8];
        assertEquals(RtcpValidity.OUT_OF_BOUNDS, reader.reset(b, 4, 8));
        assertEquals(RtcpValidity.OUT_OF_BOUNDS, reader.reset(b, -1, 2));
        assertEquals(RtcpValidity.OK, reader.reset(b, 8, 0));
        assertFalse(reader.next());
        assertEquals(RtcpValidity.TOO_SHORT, reader.error());
    }

    @Test
    void everyTruncationOfACompoundNamesItsReason() {
        byte[] b = compound(RtcpFixtures.SR, RtcpFixtures.SDES);
        int first = 52;
        for (int len = 0; len <= b.length; len++) {
            reader.reset(b, 0, len);
            int read = 0;
            while (reader.next()) {
                read++;
            }
            RtcpValidity expected;
            int expectedRead;
            if (len < 4) {
                expected = RtcpValidity.TOO_SHORT;
                expectedRead = 0;
            } else if (len < first) {
                expected = RtcpValidity.LENGTH_OVERFLOW;
                expectedRead = 0;
            } else if (len == first) {
                expected = RtcpValidity.OK;
                expectedRead = 1;
            } else if (len < first + 4) {
                expected = RtcpValidity.TOO_SHORT;
                expectedRead = 1;
            } else if (len < b.length) {
                expected = RtcpValidity.LENGTH_OVERFLOW;
                expectedRead = 1;
            } else {
                expected = RtcpValidity.OK;
                expectedRead = 2;
            }
            assertEquals(expected, reader.error(), "length " + len);
            assertEquals(expectedRead, read, "length " + len);
        }
    }
}
