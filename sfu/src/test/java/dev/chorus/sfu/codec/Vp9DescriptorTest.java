package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Vp9DescriptorTest {
    private final Vp9Descriptor d = new Vp9Descriptor();

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void keyframeOfL3T3KeyWithScalabilityStructure() {
        // I P L F B E V Z = 1 0 1 0 1 0 1 0 (0xAA): picture id, layer indices, non-flexible, begins frame, SS.
        // 0x80 0x2A: 15-bit picture id 42. 0x00: TID 0, U 0, SID 0, D 0. 0x07: TL0PICIDX 7.
        // SS 0x50: N_S=2 (3 layers), Y=1, G=0; sizes 160x120, 320x240, 640x480.
        byte[] b = hex("AA 802A 00 07 50 00A0 0078 0140 00F0 0280 01E0 9D");
        assertTrue(d.parse(b, 0, b.length));
        assertEquals(42, d.pictureId());
        assertTrue(d.longPictureId());
        assertEquals(0, d.spatialId());
        assertEquals(0, d.temporalId());
        assertEquals(7, d.tl0PicIdx());
        assertTrue(d.beginsFrame());
        assertFalse(d.endsFrame());
        assertFalse(d.interPicturePredicted());
        assertTrue(d.keyframeStart());
        assertTrue(Vp9Descriptor.isKeyframeStart(b, 0, b.length));
        assertEquals(3, d.ssSpatialLayers());
        assertEquals(640, d.ssWidth(2));
        assertEquals(480, d.ssHeight(2));
        assertEquals(160, d.ssWidth(0));
        assertEquals(0, d.ssWidth(3));
        assertEquals(b.length - 1, d.length());
    }

    @Test
    void upperLayerOfAKeyPictureIsNotAKeyframeStart() {
        // 0xAC: I L B E. 7-bit picture id 5. 0x23: TID 1, U 0, SID 1, D 1. TL0PICIDX 3.
        byte[] b = hex("AC 05 23 03 00");
        assertTrue(d.parse(b, 0, b.length));
        assertEquals(5, d.pictureId());
        assertFalse(d.longPictureId());
        assertEquals(1, d.spatialId());
        assertEquals(1, d.temporalId());
        assertTrue(d.interLayerDependent());
        assertTrue(d.endsFrame());
        assertFalse(d.keyframeStart());
        assertFalse(Vp9Descriptor.isKeyframeStart(b, 0, b.length));
    }

    @Test
    void deltaFrameWithSwitchingUpPoint() {
        // 0xE8: I P L B. id 0x1234. 0x54: TID 2, U 1, SID 2, D 0. TL0PICIDX 200.
        byte[] b = hex("E8 9234 54 C8");
        assertTrue(d.parse(b, 0, b.length));
        assertEquals(0x1234, d.pictureId());
        assertEquals(2, d.temporalId());
        assertTrue(d.switchingUp());
        assertEquals(2, d.spatialId());
        assertEquals(200, d.tl0PicIdx());
        assertTrue(d.interPicturePredicted());
        assertFalse(d.keyframeStart());
    }

    @Test
    void flexibleModeReferencesAndNoTl0PicIdx() {
        // 0xF8: I P L F B. id 9. 0x00 layers. P_DIFFs 1 (N set: 0x03) then 2 (0x04).
        byte[] b = hex("F8 09 00 03 04 FF");
        assertTrue(d.parse(b, 0, b.length));
        assertTrue(d.flexibleMode());
        assertEquals(-1, d.tl0PicIdx());
        assertEquals(2, d.referenceCount());
        assertEquals(5, d.length());
    }

    @Test
    void withoutLayerIndicesEverythingIsLayerZero() {
        byte[] b = hex("88 11 00");
        assertTrue(d.parse(b, 0, b.length));
        assertEquals(0, d.spatialId());
        assertEquals(0, d.temporalId());
        assertEquals(-1, d.tl0PicIdx());
        assertTrue(d.keyframeStart());
    }

    @Test
    void scalabilityStructureWithPictureGroup() {
        // 0x0A: B, V. SS 0x18: one layer, Y, G. 320x180. N_G=2: (TID 0, U 0, R 1) + P_DIFF 1; (TID 1, R 1) + 1.
        byte[] b = hex("0A 18 0140 00B4 02 04 01 24 01");
        assertTrue(d.parse(b, 0, b.length));
        assertEquals(1, d.ssSpatialLayers());
        assertEquals(320, d.ssWidth(0));
        assertEquals(180, d.ssHeight(0));
        assertEquals(b.length, d.length());
    }

    @Test
    void malformedDescriptorsAreRefusedAndClearTheFields() {
        byte[] good = hex("AC 05 23 03 00");
        assertTrue(d.parse(good, 0, good.length));
        String[] bad = {
            "", // nothing
            "80", // I without the id
            "80 80", // 15-bit id cut short
            "20", // L without the layer byte
            "20 00", // non-flexible L without TL0PICIDX
            "50", // F and P without a P_DIFF
            "50 03 03 03 03", // four P_DIFFs
            "50 00", // P_DIFF 0
            "02", // V without the SS
            "02 50 0140", // SS sizes of 3 layers cut short
            "02 08", // G without N_G
            "02 08 01 04", // one picture with one reference, the reference missing
        };
        for (String s : bad) {
            byte[] b = hex(s);
            assertFalse(d.parse(b, 0, b.length), s);
            assertFalse(d.valid(), s);
            assertEquals(-1, d.pictureId(), s);
            assertEquals(-1, d.tl0PicIdx(), s);
            assertEquals(0, d.ssSpatialLayers(), s);
        }
    }

    @Test
    void rewritesThePictureIdInItsOwnWidth() {
        byte[] longId = hex("AC 802A 00 07");
        assertTrue(Vp9Descriptor.rewritePictureId(longId, 0, longId.length, 0x7FFF + 3));
        assertArrayEquals(hex("AC 8002 00 07"), longId);
        byte[] shortId = hex("AC 05 00 07");
        assertTrue(Vp9Descriptor.rewritePictureId(shortId, 0, shortId.length, 130));
        assertArrayEquals(hex("AC 02 00 07"), shortId);
        byte[] none = hex("2C 00 07");
        assertFalse(Vp9Descriptor.rewritePictureId(none, 0, none.length, 1));
        assertArrayEquals(hex("2C 00 07"), none);
        byte[] cut = hex("AC 80");
        assertFalse(Vp9Descriptor.rewritePictureId(cut, 0, cut.length, 1));
    }

    /**
     * Fuzz-style: a million random and mutated descriptors inside a larger array. Parsing never throws,
     * never reports a descriptor longer than its payload, and reads and writes nothing outside the window.
     */
    @Test
    void randomBytesNeverCrashOrEscapeTheirWindow() {
        SplittableRandom random = new SplittableRandom(9628);
        byte[] seed = hex("AA 802A 00 07 50 00A0 0078 0140 00F0 0280 01E0 9D");
        byte[] b = new byte[64];
        int valid = 0;
        for (int run = 0; run < 1_000_000; run++) {
            int off = random.nextInt(8);
            int len = random.nextInt(b.length - off - 8);
            if (run % 2 == 0) {
                random.nextBytes(b);
            } else {
                Arrays.fill(b, (byte) 0x5A);
                System.arraycopy(seed, 0, b, off, Math.min(seed.length, len));
                b[off + random.nextInt(Math.max(1, Math.min(seed.length, len)))] ^= (byte) (1 << random.nextInt(8));
            }
            byte[] before = b.clone();
            boolean ok = d.parse(b, off, len);
            Vp9Descriptor.isKeyframeStart(b, off, len);
            if (ok) {
                valid++;
                assertTrue(d.length() >= 1 && d.length() <= len);
                assertTrue(d.spatialId() < 8 && d.temporalId() < 8);
                assertTrue(d.ssSpatialLayers() <= Vp9Descriptor.MAX_SPATIAL_LAYERS);
                assertEquals(d.keyframeStart(), Vp9Descriptor.isKeyframeStart(b, off, len));
            } else {
                assertEquals(-1, d.length());
            }
            Vp9Descriptor.rewritePictureId(b, off, len, random.nextInt(1 << 15));
            for (int i = 0; i < b.length; i++) {
                if (i < off || i >= off + len) {
                    assertEquals(before[i], b[i], "byte outside the window changed");
                }
            }
        }
        assertTrue(valid > 10_000, "the inputs exercised valid descriptors too: " + valid);
    }
}
