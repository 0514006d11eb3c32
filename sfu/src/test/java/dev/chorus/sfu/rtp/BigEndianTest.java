package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BigEndianTest {
    private final byte[] b = Hex.bytes("ff fe fd fc 80 00 01");

    @Test
    void readsUnsignedAndSignedValues() {
        assertEquals(0xFF, BigEndian.u8(b, 0));
        assertEquals(0xFFFE, BigEndian.u16(b, 0));
        assertEquals(-2, BigEndian.s16(b, 0));
        assertEquals(0xFFFEFD, BigEndian.u24(b, 0));
        assertEquals(-259, BigEndian.s24(b, 0));
        assertEquals(0x800001, BigEndian.u24(b, 4));
        assertEquals(-0x7FFFFF, BigEndian.s24(b, 4));
        assertEquals(0xFFFEFDFCL, BigEndian.u32(b, 0));
        assertEquals(0xFFFEFDFC, BigEndian.i32(b, 0));
    }

    @Test
    void writesLowBits() {
        byte[] out = new byte[10];
        BigEndian.put8(out, 0, 0x1AB);
        BigEndian.put16(out, 1, 0x12345);
        BigEndian.put24(out, 3, -1);
        BigEndian.put32(out, 6, 0x1_DEAD_BEEFL);
        assertArrayEquals(Hex.bytes("ab 2345 ffffff deadbeef"), out);
    }

    @Test
    void boundsCheckSurvivesOverflowAndNull() {
        assertTrue(BigEndian.inBounds(b, 0, 7));
        assertTrue(BigEndian.inBounds(b, 7, 0));
        assertFalse(BigEndian.inBounds(b, 1, 7));
        assertFalse(BigEndian.inBounds(b, -1, 2));
        assertFalse(BigEndian.inBounds(b, 2, -1));
        assertFalse(BigEndian.inBounds(b, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertFalse(BigEndian.inBounds(null, 0, 0));
    }
}
