package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Picture sizes from real SPS NAL units, written by x264 (ffmpeg 7, {@code -profile:v baseline|high}, one
 * frame of testsrc): cropped heights (180 and 1080 are not multiples of 16), emulation-prevention bytes, and the
 * High profile's extra fields.
 */
class H264SpsSizeTest {
    private static final String SPS_320X180_BASELINE = "6742c00dd901419f9f0110000003001000000303c0f142a480";
    private static final String SPS_1280X720_BASELINE = "6742c01fd9005005bb0110000003001000000303c0f1832480";
    private static final String SPS_640X360_HIGH = "6764001eacd940a02ff970110000030001000003003c0f162d96";
    private static final String SPS_1920X1080_HIGH = "67640028acd940780227e5c044000003000400000300f03c60c658";

    private final H264SpsSize size = new H264SpsSize();

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private void assertSize(String sps, int width, int height) {
        byte[] nal = hex(sps);
        assertTrue(size.parse(nal, 0, nal.length), sps);
        assertEquals(width, size.width(), sps);
        assertEquals(height, size.height(), sps);
    }

    @Test
    void theSizeOfASingleSpsNalUnitIsReadWithCroppingAndEmulationPrevention() {
        assertSize(SPS_320X180_BASELINE, 320, 180);
        assertSize(SPS_1280X720_BASELINE, 1280, 720);
        assertSize(SPS_640X360_HIGH, 640, 360);
        assertSize(SPS_1920X1080_HIGH, 1920, 1080);
    }

    @Test
    void anSpsInsideAStapAIsFoundAfterOtherUnitsAndAtAnOffset() {
        byte[] sps = hex(SPS_1280X720_BASELINE);
        byte[] aud = {0x09, (byte) 0xF0};
        byte[] pps = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
        byte[] packet = new byte[3 + 1 + 2 + aud.length + 2 + sps.length + 2 + pps.length];
        int p = 3; // three bytes before the payload, as after an RTP header
        packet[p++] = 24; // STAP-A
        packet[p++] = 0;
        packet[p++] = (byte) aud.length;
        System.arraycopy(aud, 0, packet, p, aud.length);
        p += aud.length;
        packet[p++] = 0;
        packet[p++] = (byte) sps.length;
        System.arraycopy(sps, 0, packet, p, sps.length);
        p += sps.length;
        packet[p++] = 0;
        packet[p++] = (byte) pps.length;
        System.arraycopy(pps, 0, packet, p, pps.length);
        assertTrue(size.parse(packet, 3, packet.length - 3));
        assertEquals(1280, size.width());
        assertEquals(720, size.height());
    }

    @Test
    void whatIsNoSpsOrNoWholeSpsLeavesTheLastSize() {
        assertSize(SPS_640X360_HIGH, 640, 360);
        byte[] sps = hex(SPS_1920X1080_HIGH);
        for (int cut = 1; cut < 8; cut++) {
            assertFalse(size.parse(sps, 0, cut), "cut at " + cut);
        }
        byte[] idr = {0x65, (byte) 0x88, (byte) 0x84, 0x00};
        assertFalse(size.parse(idr, 0, idr.length));
        byte[] fuA = {0x7C, (byte) 0x85, 0x11};
        assertFalse(size.parse(fuA, 0, fuA.length));
        byte[] stapOverrun = {24, 0, 50, 0x67, 0x42};
        assertFalse(size.parse(stapOverrun, 0, stapOverrun.length));
        byte[] zeros = new byte[40];
        zeros[0] = 0x67;
        assertFalse(size.parse(zeros, 0, zeros.length), "a run of zeros is no exp-Golomb number");
        assertFalse(size.parse(new byte[0], 0, 0));
        assertEquals(640, size.width(), "unchanged");
        assertEquals(360, size.height());
    }

    @Test
    void randomBytesNeverThrow() {
        java.util.Random random = new java.util.Random(7);
        byte[] b = new byte[64];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(b);
            b[0] = (byte) (i % 2 == 0 ? 0x67 : 24);
            int len = 1 + random.nextInt(b.length);
            size.parse(b, 0, len);
            assertTrue(size.width() >= 0 && size.height() >= 0, Arrays.toString(b));
        }
    }
}
