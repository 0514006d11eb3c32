package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.DependencyDescriptor.Outcome;
import dev.chorus.sfu.codec.DependencyDescriptorBytes.Structure;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DependencyDescriptorTest {
    private final DependencyDescriptor d = new DependencyDescriptor();
    private final Structure l3t3 = DependencyDescriptorBytes.keyStructure(3, 3, 5, 1280, 720);

    private Outcome parse(byte[] b) {
        return d.parse(b, 0, b.length);
    }

    @Test
    void keyFrameCarriesTheStructure() {
        assertEquals(Outcome.OK, parse(DependencyDescriptorBytes.withStructure(l3t3, true, false, 0, 1000)));
        assertTrue(d.startOfFrame());
        assertFalse(d.endOfFrame());
        assertEquals(1000, d.frameNumber());
        assertEquals(5, d.templateId());
        assertTrue(d.structureAttached());
        assertTrue(d.keyframeStart());
        assertEquals(0x1FF, d.activeDecodeTargets(), "a structure activates every decode target");
        FrameDependencyStructure s = d.structure();
        assertEquals(12, s.templateCount());
        assertEquals(9, s.decodeTargetCount());
        assertEquals(3, s.spatialLayers());
        assertEquals(3, s.temporalLayers());
        assertEquals(3, s.chainCount());
        assertEquals(320, s.width(0));
        assertEquals(180, s.height(0));
        assertEquals(1280, s.width(2));
        assertEquals(720, s.height(2));
        assertEquals(0, s.width(3));
        assertEquals(7, s.decodeTargetOf(2, 1));
        assertEquals(2, s.decodeTargetSpatialId(7));
        assertEquals(1, s.decodeTargetTemporalId(7));
        assertEquals(1, d.structures());
    }

    @Test
    void laterFramesNameTemplatesOfTheKeptStructure() {
        parse(DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1));
        // Template index sid * 4 + (1 + tid) for tid > 0: sid 1, tid 2.
        assertEquals(Outcome.OK, parse(DependencyDescriptorBytes.frame(l3t3, false, true, 4 + 3, 2)));
        assertEquals(1, d.spatialId());
        assertEquals(2, d.temporalId());
        assertFalse(d.startOfFrame());
        assertTrue(d.endOfFrame());
        assertFalse(d.structureAttached());
        assertFalse(d.keyframeStart());
        assertEquals(-1, d.activeDecodeTargets());
        assertEquals(1, d.frameDiffCount());
        assertTrue(d.switchingUp(), "its DTI for S1T2 is switch");
        assertEquals(FrameDependencyStructure.DTI_NOT_PRESENT, d.dti(0));
        // sid 2 key template: not a key frame start (it references the layer below).
        assertEquals(Outcome.OK, parse(DependencyDescriptorBytes.frame(l3t3, true, true, 8, 3)));
        assertEquals(2, d.spatialId());
        assertFalse(d.keyframeStart());
    }

    @Test
    void activeTargetsAndCustomFrameDiffs() {
        parse(DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1));
        assertEquals(Outcome.OK, parse(DependencyDescriptorBytes.withActiveTargets(l3t3, 1, 2, 0x3F, 1, 20, 300)));
        assertEquals(0x3F, d.activeDecodeTargets());
        assertEquals(3, d.frameDiffCount());
        assertEquals(0, d.spatialId());
    }

    @Test
    void framesBeforeAnyStructureAreUnknownTemplates() {
        assertEquals(Outcome.UNKNOWN_TEMPLATE, parse(DependencyDescriptorBytes.frame(l3t3, true, true, 0, 7)));
        assertEquals(-1, d.frameNumber());
        assertEquals(0, d.structure().templateCount());
    }

    @Test
    void aTemplateIdOutsideTheStructureIsUnknown() {
        parse(DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1));
        assertEquals(Outcome.UNKNOWN_TEMPLATE, parse(DependencyDescriptorBytes.frame(l3t3, true, true, 40, 2)));
        // A structure whose own frame names a template it lacks is malformed, and not taken.
        Structure other = DependencyDescriptorBytes.keyStructure(1, 2, 0, 320, 180);
        assertEquals(Outcome.MALFORMED, parse(DependencyDescriptorBytes.withStructure(other, true, true, 10, 3)));
        assertEquals(12, d.structure().templateCount());
    }

    @Test
    void aNewStructureReplacesTheOldOneOnlyWhenItParses() {
        parse(DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1));
        Structure l1t2 = DependencyDescriptorBytes.keyStructure(1, 2, 63, 640, 360);
        byte[] good = DependencyDescriptorBytes.withStructure(l1t2, true, true, 0, 9);
        assertEquals(Outcome.MALFORMED, d.parse(good, 0, good.length - 2), "cut inside the resolutions");
        assertEquals(12, d.structure().templateCount());
        assertEquals(Outcome.OK, parse(good));
        assertEquals(3, d.structure().templateCount());
        assertEquals(1, d.structure().spatialLayers());
        assertEquals(63, d.templateId());
        // Template ids wrap around 64 from the offset.
        assertEquals(Outcome.OK, parse(DependencyDescriptorBytes.frame(l1t2, true, true, 2, 10)));
        assertEquals(1, DependencyDescriptorBytes.frame(l1t2, true, true, 2, 10)[0] & 0x3F, "(63 + 2) % 64");
        assertEquals(1, d.temporalId());
    }

    @Test
    void tooShortIsMalformed() {
        assertEquals(Outcome.MALFORMED, d.parse(new byte[] {(byte) 0xC0, 0}, 0, 2));
        assertEquals(Outcome.MALFORMED, d.parse(new byte[0], 0, 0));
    }

    @Test
    void readsOnlyItsOwnBytes() {
        byte[] el = DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 77);
        byte[] framed = new byte[el.length + 20];
        Arrays.fill(framed, (byte) 0xFF);
        System.arraycopy(el, 0, framed, 10, el.length);
        assertEquals(Outcome.OK, d.parse(framed, 10, el.length));
        assertEquals(77, d.frameNumber());
    }

    @Test
    void everyTruncationFailsCleanly() {
        byte[] el = DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1);
        for (int len = 0; len < el.length; len++) {
            DependencyDescriptor fresh = new DependencyDescriptor();
            Outcome o = fresh.parse(el, 0, len);
            if (len == 3) {
                assertEquals(Outcome.UNKNOWN_TEMPLATE, o, "mandatory fields alone, no structure yet");
            } else if (len > 3) {
                // The structure's zero padding may be cut at the end: the parse still succeeds then.
                assertTrue(o == Outcome.MALFORMED || len >= el.length - 1, len + " bytes: " + o);
            }
            if (o != Outcome.OK) {
                assertEquals(0, fresh.structure().templateCount(), len + " bytes: a failed parse keeps no structure");
            }
        }
    }

    @Test
    void randomBytesNeverThrowAndNeverLoseTheStructure() {
        parse(DependencyDescriptorBytes.withStructure(l3t3, true, true, 0, 1));
        SplittableRandom random = new SplittableRandom(19);
        byte[] b = new byte[64];
        int ok = 0;
        for (int i = 0; i < 200_000; i++) {
            int len = random.nextInt(b.length + 1);
            for (int j = 0; j < len; j++) {
                b[j] = (byte) random.nextInt(256);
            }
            Outcome o = d.parse(b, 0, len);
            if (o == Outcome.OK) {
                ok++;
                assertTrue(d.spatialId() < FrameDependencyStructure.MAX_SPATIAL_LAYERS);
                assertTrue(d.structure().templateCount() > 0);
            } else {
                assertEquals(-1, d.frameNumber());
            }
            assertTrue(d.structure().templateCount() > 0, "a kept structure is only ever replaced by another");
        }
        assertNotEquals(0, ok, "random descriptors that name a kept template parse");
    }

    @Test
    void keyframeStartFromTheAggregationHeader() {
        HexFormat hex = HexFormat.of();
        assertTrue(Av1Payload.isKeyframeStart(hex.parseHex("1812"), 0, 2), "N set, W=1");
        assertFalse(Av1Payload.isKeyframeStart(hex.parseHex("9812"), 0, 2), "Z: a continuation");
        assertFalse(Av1Payload.isKeyframeStart(hex.parseHex("1012"), 0, 2), "no N");
        assertFalse(Av1Payload.isKeyframeStart(hex.parseHex("18"), 0, 1), "no OBU data");
    }
}
