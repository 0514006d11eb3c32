package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Vp8PayloadTest {
    /** A key frame's VP8 payload header: P=0, then the start code at bytes 3..5, then sizes. */
    private static final int[] KEY_HEADER = {0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01};

    private static final int[] DELTA_HEADER = {0x51, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};

    private static byte[] bytes(int[] descriptor, int[] header) {
        byte[] b = new byte[descriptor.length + header.length + 3];
        for (int i = 0; i < descriptor.length; i++) {
            b[i] = (byte) descriptor[i];
        }
        for (int i = 0; i < header.length; i++) {
            b[descriptor.length + i] = (byte) header[i];
        }
        return b;
    }

    static Stream<Arguments> descriptors() {
        return Stream.of(
                // name, descriptor bytes, descriptor length
                Arguments.of("no X", new int[] {0x10}, 1),
                Arguments.of("X, no optional fields", new int[] {0x90, 0x00}, 2),
                Arguments.of("I with 7-bit picture id", new int[] {0x90, 0x80, 0x05}, 3),
                Arguments.of("I with 15-bit picture id (M)", new int[] {0x90, 0x80, 0x81, 0x23}, 4),
                Arguments.of("L: TL0PICIDX", new int[] {0x90, 0x40, 0x07}, 3),
                Arguments.of("T: TID/Y", new int[] {0x90, 0x20, 0x40}, 3),
                Arguments.of("K: KEYIDX", new int[] {0x90, 0x10, 0x01}, 3),
                Arguments.of("I(M) L T K all", new int[] {0x90, 0xF0, 0x80, 0x01, 0x07, 0x60}, 6),
                Arguments.of("N bit set", new int[] {0xB0, 0x80, 0x05}, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("descriptors")
    void findsKeyframesBehindEveryDescriptorShape(String name, int[] descriptor, int length) {
        byte[] key = bytes(descriptor, KEY_HEADER);
        assertEquals(length, Vp8Payload.descriptorLength(key, 0, key.length));
        assertTrue(Vp8Payload.isKeyframeStart(key, 0, key.length), name);
        byte[] delta = bytes(descriptor, DELTA_HEADER);
        assertFalse(Vp8Payload.isKeyframeStart(delta, 0, delta.length), name + " delta");
    }

    @Test
    void onlyTheStartOfPartitionZeroCounts() {
        byte[] notStart = bytes(new int[] {0x00}, KEY_HEADER);
        assertFalse(Vp8Payload.isKeyframeStart(notStart, 0, notStart.length));
        byte[] partitionOne = bytes(new int[] {0x11}, KEY_HEADER);
        assertFalse(Vp8Payload.isKeyframeStart(partitionOne, 0, partitionOne.length));
    }

    @Test
    void truncatedPayloadsAreNotKeyframesAndDoNotThrow() {
        byte[] full = bytes(new int[] {0x90, 0xF0, 0x80, 0x01, 0x07, 0x60}, KEY_HEADER);
        for (int len = 0; len < 6 + KEY_HEADER.length; len++) {
            assertFalse(Vp8Payload.isKeyframeStart(full, 0, len), "length " + len);
        }
        assertTrue(Vp8Payload.isKeyframeStart(full, 0, 6 + KEY_HEADER.length));
        assertEquals(-1, Vp8Payload.descriptorLength(new byte[] {(byte) 0x90}, 0, 1));
    }

    @Test
    void h264IdrSpsStapAAndFuAStart() {
        assertTrue(H264Payload.isKeyframeStart(new byte[] {0x65, 1}, 0, 2)); // IDR
        assertTrue(H264Payload.isKeyframeStart(new byte[] {0x67, 1}, 0, 2)); // SPS
        assertFalse(H264Payload.isKeyframeStart(new byte[] {0x41, 1}, 0, 2)); // non-IDR slice
        byte[] stapA = {0x78, 0, 2, 0x67, 0x42, 0, 1, 0x68};
        assertTrue(H264Payload.isKeyframeStart(stapA, 0, stapA.length));
        assertTrue(H264Payload.isKeyframeStart(new byte[] {0x7C, (byte) 0x85, 0}, 0, 3)); // FU-A start, IDR
        assertFalse(H264Payload.isKeyframeStart(new byte[] {0x7C, 0x05, 0}, 0, 3)); // FU-A middle
        assertFalse(H264Payload.isKeyframeStart(new byte[] {0x78, 0, 50}, 0, 3)); // truncated STAP-A
    }
}
