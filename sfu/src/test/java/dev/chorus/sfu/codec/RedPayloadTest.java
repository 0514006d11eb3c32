package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RedPayloadTest {
    private final RedPayload red = new RedPayload();

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }

    @Test
    void chromesShapeOneRedundantBlockThenThePrimary() {
        byte[] payload = bytes(
                0xEF, 0x0F, 0x00, 0x03, // F=1, PT 111, timestamp offset 960 (0x3C0 << 10), length 3
                0x6F, //                   F=0, PT 111: the primary
                0xA1, 0xA2, 0xA3, //       the earlier frame
                0xB1, 0xB2); //            the primary frame
        assertTrue(red.wrap(payload, 0, payload.length));
        assertEquals(2, red.count());
        assertEquals(111, red.payloadType(0));
        assertEquals(960, red.timestampOffset(0));
        assertEquals(5, red.offset(0));
        assertEquals(3, red.length(0));
        assertEquals(111, red.payloadType(1));
        assertEquals(0, red.timestampOffset(1));
        assertEquals(8, red.offset(1));
        assertEquals(2, red.length(1));
        assertTrue(red.allOf(111));
        assertFalse(red.allOf(109));
    }

    @Test
    void primaryAloneAndAnEmptyPrimaryAreValid() {
        byte[] alone = bytes(0x6F, 1, 2, 3);
        assertTrue(red.wrap(alone, 0, alone.length));
        assertEquals(1, red.count());
        assertEquals(1, red.offset(0));
        assertEquals(3, red.length(0));
        byte[] empty = bytes(0x6F);
        assertTrue(red.wrap(empty, 0, 1));
        assertEquals(0, red.length(0));
    }

    @Test
    void parsesAtAnOffsetInsideALargerBuffer() {
        byte[] buf = bytes(9, 9, 0xEF, 0x00, 0x04, 0x01, 0x6F, 0xAA, 0xBB, 7);
        assertTrue(red.wrap(buf, 2, 7));
        assertEquals(2, red.count());
        assertEquals(1, red.timestampOffset(0));
        assertEquals(7, red.offset(0));
        assertEquals(8, red.offset(1));
        assertEquals(1, red.length(1));
    }

    @Test
    void malformedPayloadsAreRefused() {
        byte[][] bad = {
            bytes(), // no header at all
            bytes(0xEF, 0x0F, 0x00, 0x03), // only a redundant header: no primary header
            bytes(0xEF, 0x0F, 0x00), // a redundant header cut short
            bytes(0xEF, 0x0F, 0x00, 0x09, 0x6F, 1, 2, 3), // redundant block of 9 bytes, 3 there
        };
        for (byte[] b : bad) {
            assertFalse(red.wrap(b, 0, b.length), Arrays.toString(b));
            assertEquals(0, red.count());
        }
        byte[] tooMany = new byte[RedPayload.MAX_BLOCKS * 4 + 1];
        for (int i = 0; i < RedPayload.MAX_BLOCKS; i++) tooMany[i * 4] = (byte) 0xEF;
        assertFalse(red.wrap(tooMany, 0, tooMany.length), "more blocks than MAX_BLOCKS");
        assertFalse(red.wrap(new byte[4], 2, 3), "region outside the buffer");
    }

    @Test
    void writtenHeadersParseBack() {
        byte[] b = new byte[16];
        int pos = RedPayload.writeRedundantHeader(
                b, 0, 109, RedPayload.MAX_TIMESTAMP_OFFSET, RedPayload.MAX_BLOCK_LENGTH);
        pos = RedPayload.writeRedundantHeader(b, pos, 109, 960, 2);
        pos = RedPayload.writePrimaryHeader(b, pos, 109);
        assertEquals(9, pos);
        // Blocks: 1023 bytes would not fit; use a buffer that holds them.
        byte[] whole = new byte[9 + 1023 + 2 + 4];
        System.arraycopy(b, 0, whole, 0, 9);
        assertTrue(red.wrap(whole, 0, whole.length));
        assertEquals(3, red.count());
        assertEquals(RedPayload.MAX_TIMESTAMP_OFFSET, red.timestampOffset(0));
        assertEquals(RedPayload.MAX_BLOCK_LENGTH, red.length(0));
        assertEquals(960, red.timestampOffset(1));
        assertEquals(2, red.length(1));
        assertEquals(4, red.length(2));
        assertTrue(red.allOf(109));
        assertThrows(IllegalArgumentException.class, () -> RedPayload.writeRedundantHeader(b, 0, 109, 0x4000, 1));
        assertThrows(IllegalArgumentException.class, () -> RedPayload.writeRedundantHeader(b, 0, 109, 1, 0x400));
    }
}
