package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtpSeqTest {

    @ParameterizedTest(name = "delta({0}, {1}) = {2}")
    @CsvSource({
        "1,     0,     1",
        "0,     1,     -1",
        "0,     65535, 1", // wrap forward
        "65535, 0,     -1", // wrap backward
        "5,     65530, 11",
        "65530, 5,     -11",
        "32767, 0,     32767", // largest forward distance
        "32768, 0,     -32768", // exactly half: ambiguous, reported as the negative extreme
        "0,     32768, -32768",
        "100,   100,   0",
    })
    void sequenceDelta(int a, int b, int expected) {
        assertEquals(expected, RtpSeq.delta(a, b));
        assertEquals(expected > 0, RtpSeq.isNewer(a, b));
    }

    @Test
    void halfwayIsNewerInNeitherDirection() {
        assertFalse(RtpSeq.isNewer(32768, 0));
        assertFalse(RtpSeq.isNewer(0, 32768));
        assertTrue(RtpSeq.isNewer(32767, 0));
        assertFalse(RtpSeq.isNewer(7, 7));
    }

    @Test
    void addWraps() {
        assertEquals(0, RtpSeq.add(65535, 1));
        assertEquals(65535, RtpSeq.add(0, -1));
        assertEquals(4, RtpSeq.add(65530, 10));
    }

    @ParameterizedTest(name = "timestampDelta({0}, {1}) = {2}")
    @CsvSource({
        "1,          0,          1",
        "0,          4294967295, 1",
        "4294967295, 0,          -1",
        "90000,      4294962296, 95000",
        "2147483647, 0,          2147483647",
        "2147483648, 0,          -2147483648",
    })
    void timestampDelta(long a, long b, long expected) {
        assertEquals(expected, RtpSeq.timestampDelta(a, b));
        assertEquals(expected > 0, RtpSeq.isNewerTimestamp(a, b));
    }

    @Test
    void addTimestampWraps() {
        assertEquals(999L, RtpSeq.addTimestamp(0xFFFF_FFFFL, 1000));
        assertEquals(0xFFFF_FFFFL, RtpSeq.addTimestamp(0, -1));
    }
}
