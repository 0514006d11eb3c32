package dev.chorus.sfu.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
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

    // ---- Fields for simulcast and temporal layers. Bits as RFC 7741 4.2 names them:
    // first byte X R N S R PID(3); extension byte I L T K RSV(4); picture id M then 7 or 15 bits;
    // TL0PICIDX; T/K byte TID(2) Y KEYIDX(5).

    /** Bytes put before a descriptor under test. */
    private static final int LEAD = 3;

    /** Bytes after it, standing for the VP8 payload. */
    private static final int TAIL = 4;

    /** Filler around a descriptor: read as a descriptor byte it would announce every field. */
    private static final byte JUNK = (byte) 0xFF;

    private static final int NEW_PICTURE_ID = 0x1ABC;

    private static final int NEW_TL0PICIDX = 0x1C3;

    /** What every getter reads from one place in a buffer. */
    record Reads(int pictureId, boolean longPictureId, int tl0PicIdx, int temporalId, boolean layerSync) {
        static final Reads NONE = new Reads(-1, false, -1, -1, false);

        static Reads of(byte[] b, int off, int len) {
            return new Reads(
                    Vp8Payload.pictureId(b, off, len),
                    Vp8Payload.hasLongPictureId(b, off, len),
                    Vp8Payload.tl0PicIdx(b, off, len),
                    Vp8Payload.temporalId(b, off, len),
                    Vp8Payload.isLayerSync(b, off, len));
        }
    }

    /** A hand-made descriptor (all of it, nothing after) and what the getters must read from it. */
    record Shape(String name, int[] descriptor, Reads expected) {
        @Override
        public String toString() {
            return name;
        }

        int pictureIdWidth() {
            return expected.pictureId() < 0 ? 0 : expected.longPictureId() ? 2 : 1;
        }
    }

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape(
                        "no X",
                        new int[] {
                            0x10, // X=0 R=0 N=0 S=1 R=0 PID=0
                        },
                        Reads.NONE),
                new Shape(
                        "X, no optional fields",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x00, // I=0 L=0 T=0 K=0
                        },
                        Reads.NONE),
                new Shape(
                        "I: 7-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0x05, // M=0 PictureID=5
                        },
                        new Reads(5, false, -1, -1, false)),
                new Shape(
                        "I: largest 7-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0x7F, // M=0 PictureID=127
                        },
                        new Reads(127, false, -1, -1, false)),
                new Shape(
                        "I: 15-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0x81, // M=1 PictureID high 7 bits=0x01
                            0x23, // PictureID low 8 bits=0x23
                        },
                        new Reads(0x0123, true, -1, -1, false)),
                new Shape(
                        "I: largest 15-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0xFF, // M=1 PictureID high 7 bits=0x7F
                            0xFF, // PictureID low 8 bits=0xFF
                        },
                        new Reads(0x7FFF, true, -1, -1, false)),
                new Shape(
                        "I L T, 7-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xE0, // I=1 L=1 T=1 K=0
                            0x05, // M=0 PictureID=5
                            0x07, // TL0PICIDX=7
                            0x80, // TID=2 Y=0 KEYIDX=0
                        },
                        new Reads(5, false, 7, 2, false)),
                new Shape(
                        "I L T, 15-bit picture id",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xE0, // I=1 L=1 T=1 K=0
                            0x92, // M=1 PictureID high 7 bits=0x12
                            0x34, // PictureID low 8 bits=0x34
                            0xFF, // TL0PICIDX=255
                            0x60, // TID=1 Y=1 KEYIDX=0
                        },
                        new Reads(0x1234, true, 255, 1, true)),
                new Shape(
                        "I T without L",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xA0, // I=1 L=0 T=1 K=0
                            0x05, // M=0 PictureID=5
                            0xE0, // TID=3 Y=1 KEYIDX=0
                        },
                        new Reads(5, false, -1, 3, true)),
                new Shape(
                        "T alone",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x20, // I=0 L=0 T=1 K=0
                            0x40, // TID=1 Y=0 KEYIDX=0
                        },
                        new Reads(-1, false, -1, 1, false)),
                new Shape(
                        "L alone",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x40, // I=0 L=1 T=0 K=0
                            0x07, // TL0PICIDX=7
                        },
                        new Reads(-1, false, 7, -1, false)),
                new Shape(
                        "K alone: its TID and Y bits mean nothing",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x10, // I=0 L=0 T=0 K=1
                            0xE5, // TID bits=3 Y bit=1 KEYIDX=5
                        },
                        Reads.NONE),
                new Shape(
                        "I(M) K, no L",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x90, // I=1 L=0 T=0 K=1
                            0x80, // M=1 PictureID high 7 bits=0
                            0x00, // PictureID low 8 bits=0
                            0xFF, // TID bits=3 Y bit=1 KEYIDX=31
                        },
                        new Reads(0, true, -1, -1, false)),
                new Shape(
                        "T and K",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x30, // I=0 L=0 T=1 K=1
                            0x45, // TID=1 Y=0 KEYIDX=5
                        },
                        new Reads(-1, false, -1, 1, false)),
                new Shape(
                        "I(M) L T K",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xF0, // I=1 L=1 T=1 K=1
                            0x80, // M=1 PictureID high 7 bits=0
                            0x01, // PictureID low 8 bits=1
                            0x07, // TL0PICIDX=7
                            0x60, // TID=1 Y=1 KEYIDX=0
                        },
                        new Reads(1, true, 7, 1, true)),
                new Shape(
                        "reserved and N bits set",
                        new int[] {
                            0xE8, // X=1 R=1 N=1 S=0 R=1 PID=0
                            0xCF, // I=1 L=1 T=0 K=0 RSV=0xF
                            0x05, // M=0 PictureID=5
                            0x09, // TL0PICIDX=9
                        },
                        new Reads(5, false, 9, -1, false)));
    }

    /** The descriptor at offset LEAD, with JUNK before it and as the payload after it. */
    private static byte[] placed(int[] descriptor) {
        byte[] b = new byte[LEAD + descriptor.length + TAIL];
        Arrays.fill(b, JUNK);
        for (int i = 0; i < descriptor.length; i++) {
            b[LEAD + i] = (byte) descriptor[i];
        }
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void readsEveryField(Shape s) {
        int d = s.descriptor().length;
        byte[] b = placed(s.descriptor());
        for (int len : new int[] {d, d + TAIL}) {
            assertEquals(d, Vp8Payload.descriptorLength(b, LEAD, len), "length " + len);
            assertEquals(s.expected(), Reads.of(b, LEAD, len), "length " + len);
        }
        byte[] atZero = bytes(s.descriptor(), DELTA_HEADER);
        assertEquals(s.expected(), Reads.of(atZero, 0, atZero.length));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void aTruncatedDescriptorReadsAsNothingAndIsNotRewritten(Shape s) {
        byte[] b = placed(s.descriptor());
        byte[] before = b.clone();
        // The rest of the descriptor is in the array, just beyond len: none of it may be read or written.
        for (int len = -1; len < s.descriptor().length; len++) {
            assertEquals(-1, Vp8Payload.descriptorLength(b, LEAD, len), "length " + len);
            assertEquals(Reads.NONE, Reads.of(b, LEAD, len), "length " + len);
            assertFalse(Vp8Payload.rewrite(b, LEAD, len, NEW_PICTURE_ID, NEW_TL0PICIDX), "length " + len);
            assertArrayEquals(before, b, "length " + len);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void rewriteKeepsWidthsAndTouchesOnlyTheTwoFields(Shape s) {
        int d = s.descriptor().length;
        byte[] b = placed(s.descriptor());
        byte[] before = b.clone();
        assertTrue(Vp8Payload.rewrite(b, LEAD, d + TAIL, NEW_PICTURE_ID, NEW_TL0PICIDX));

        Reads was = s.expected();
        int pictureId = was.pictureId() < 0 ? -1 : NEW_PICTURE_ID & (was.longPictureId() ? 0x7FFF : 0x7F);
        int tl0PicIdx = was.tl0PicIdx() < 0 ? -1 : NEW_TL0PICIDX & 0xFF;
        Reads expected = new Reads(pictureId, was.longPictureId(), tl0PicIdx, was.temporalId(), was.layerSync());
        assertEquals(expected, Reads.of(b, LEAD, d + TAIL));
        assertEquals(d, Vp8Payload.descriptorLength(b, LEAD, d + TAIL));
        if (was.longPictureId()) {
            assertEquals(0x80, b[LEAD + 2] & 0x80, "M stays set");
        }
        // The picture id starts at descriptor byte 2, TL0PICIDX follows it; every other byte is as it was.
        int idEnd = 2 + s.pictureIdWidth();
        int tl0At = was.tl0PicIdx() < 0 ? -1 : idEnd;
        for (int i = 0; i < b.length; i++) {
            int at = i - LEAD;
            boolean field = (at >= 2 && at < idEnd) || at == tl0At;
            if (!field) {
                assertEquals(before[i], b[i], "byte " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void minusOneLeavesAFieldAsItIs(Shape s) {
        int len = s.descriptor().length + TAIL;
        byte[] b = placed(s.descriptor());
        byte[] before = b.clone();
        assertTrue(Vp8Payload.rewrite(b, LEAD, len, -1, -1));
        assertArrayEquals(before, b);

        assertTrue(Vp8Payload.rewrite(b, LEAD, len, NEW_PICTURE_ID, -1));
        assertEquals(s.expected().tl0PicIdx(), Vp8Payload.tl0PicIdx(b, LEAD, len));

        byte[] c = placed(s.descriptor());
        assertTrue(Vp8Payload.rewrite(c, LEAD, len, -1, NEW_TL0PICIDX));
        assertEquals(s.expected().pictureId(), Vp8Payload.pictureId(c, LEAD, len));
        assertEquals(s.expected().longPictureId(), Vp8Payload.hasLongPictureId(c, LEAD, len));
    }

    static Stream<Arguments> rewrites() {
        return Stream.of(
                // name, descriptor before, new picture id, new TL0PICIDX, descriptor after
                Arguments.of(
                        "7-bit id and TL0PICIDX",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xE0, // I=1 L=1 T=1 K=0
                            0x05, // M=0 PictureID=5
                            0x07, // TL0PICIDX=7
                            0x80, // TID=2 Y=0 KEYIDX=0
                        },
                        0x1ABC,
                        0x1C3,
                        new int[] {
                            0x90, // unchanged
                            0xE0, // unchanged
                            0x3C, // M=0 PictureID=0x1ABC & 0x7F
                            0xC3, // TL0PICIDX=0x1C3 & 0xFF
                            0x80, // unchanged
                        }),
                Arguments.of(
                        "15-bit id and TL0PICIDX",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0xE0, // I=1 L=1 T=1 K=0
                            0x92, // M=1 PictureID high 7 bits=0x12
                            0x34, // PictureID low 8 bits=0x34
                            0xFF, // TL0PICIDX=255
                            0x60, // TID=1 Y=1 KEYIDX=0
                        },
                        0x1ABC,
                        0x1C3,
                        new int[] {
                            0x90, // unchanged
                            0xE0, // unchanged
                            0x9A, // M=1 PictureID high 7 bits=0x1A
                            0xBC, // PictureID low 8 bits=0xBC
                            0xC3, // TL0PICIDX=0xC3
                            0x60, // unchanged
                        }),
                Arguments.of(
                        "a small id in a 15-bit field keeps M",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0xFF, // M=1 PictureID high 7 bits=0x7F
                            0xFF, // PictureID low 8 bits=0xFF
                        },
                        0x12,
                        -1,
                        new int[] {
                            0x90, // unchanged
                            0x80, // unchanged
                            0x80, // M=1 PictureID high 7 bits=0
                            0x12, // PictureID low 8 bits=0x12
                        }),
                Arguments.of(
                        "a 16-bit id wraps to 15 bits",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0x80, // M=1 PictureID high 7 bits=0
                            0x00, // PictureID low 8 bits=0
                        },
                        0xFFFF,
                        -1,
                        new int[] {
                            0x90, // unchanged
                            0x80, // unchanged
                            0xFF, // M=1 PictureID high 7 bits=0x7F
                            0xFF, // PictureID low 8 bits=0xFF
                        }),
                Arguments.of(
                        "a wide id in a 7-bit field leaves M clear",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x80, // I=1 L=0 T=0 K=0
                            0x00, // M=0 PictureID=0
                        },
                        0xFF,
                        -1,
                        new int[] {
                            0x90, // unchanged
                            0x80, // unchanged
                            0x7F, // M=0 PictureID=0xFF & 0x7F
                        }),
                Arguments.of(
                        "TL0PICIDX only, T/K byte after it untouched",
                        new int[] {
                            0x90, // X=1 S=1 PID=0
                            0x70, // I=0 L=1 T=1 K=1
                            0x07, // TL0PICIDX=7
                            0x65, // TID=1 Y=1 KEYIDX=5
                        },
                        0x1ABC,
                        0x00,
                        new int[] {
                            0x90, // unchanged
                            0x70, // unchanged
                            0x00, // TL0PICIDX=0
                            0x65, // unchanged
                        }),
                Arguments.of(
                        "no X: nothing to rewrite",
                        new int[] {
                            0x10, // X=0 S=1 PID=0
                        },
                        0x1ABC,
                        0x1C3,
                        new int[] {
                            0x10, // unchanged
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rewrites")
    void rewriteWritesExactlyTheseBytes(String name, int[] descriptor, int pictureId, int tl0PicIdx, int[] after) {
        byte[] b = placed(descriptor);
        assertTrue(Vp8Payload.rewrite(b, LEAD, descriptor.length + TAIL, pictureId, tl0PicIdx));
        assertArrayEquals(placed(after), b, name);
    }

    @Test
    void everyPictureIdAndTl0PicIdxRoundTrips() {
        byte[] shortId = placed(new int[] {0x90, 0xC0, 0x00, 0x00}); // X=1; I=1 L=1; M=0 PictureID=0; TL0PICIDX=0
        byte[] longId = placed(new int[] {0x90, 0x80, 0x80, 0x00}); // X=1; I=1; M=1 PictureID=0 in 15 bits
        for (int v = 0; v <= 0xFFFF; v++) {
            assertTrue(Vp8Payload.rewrite(shortId, LEAD, 4, v, v));
            assertEquals(v & 0x7F, Vp8Payload.pictureId(shortId, LEAD, 4));
            assertFalse(Vp8Payload.hasLongPictureId(shortId, LEAD, 4));
            assertEquals(v & 0xFF, Vp8Payload.tl0PicIdx(shortId, LEAD, 4));
            assertTrue(Vp8Payload.rewrite(longId, LEAD, 4, v, v));
            assertEquals(v & 0x7FFF, Vp8Payload.pictureId(longId, LEAD, 4));
            assertTrue(Vp8Payload.hasLongPictureId(longId, LEAD, 4));
        }
    }

    @Test
    void randomBytesNeverThrowAndAgreeWithDescriptorLength() {
        Random random = new Random(7741);
        int truncated = 0;
        int longIds = 0;
        int temporal = 0;
        int keyIdxOnly = 0;
        for (int n = 0; n < 10_000; n++) {
            int len = random.nextInt(13);
            int off = random.nextInt(4);
            byte[] b = new byte[off + len + 4];
            random.nextBytes(b);
            byte[] before = b.clone();
            int d = Vp8Payload.descriptorLength(b, off, len);
            Reads r = Reads.of(b, off, len);
            String at = "case " + n + ": " + Arrays.toString(Arrays.copyOfRange(b, off, off + len));
            if (d < 0) {
                truncated++;
                assertEquals(Reads.NONE, r, at);
                assertFalse(Vp8Payload.rewrite(b, off, len, random.nextInt(), random.nextInt()), at);
                assertArrayEquals(before, b, at);
                continue;
            }
            assertTrue(d >= 1 && d <= len, at);
            // Only the descriptor counts: not the payload after it, nor anything outside [off, off + len).
            assertEquals(r, Reads.of(b, off, d), at);
            byte[] elsewhere = b.clone();
            for (int i = 0; i < elsewhere.length; i++) {
                if (i < off || i >= off + len) {
                    elsewhere[i] = (byte) ~elsewhere[i];
                }
            }
            assertEquals(r, Reads.of(elsewhere, off, len), at);
            assertEquals(d, Vp8Payload.descriptorLength(elsewhere, off, len), at);

            // A field is reported exactly when its flag is set, and the fields add up to the length.
            boolean x = (b[off] & 0x80) != 0;
            int ext = x ? b[off + 1] & 0xFF : 0;
            assertEquals((ext & 0x80) != 0, r.pictureId() >= 0, at);
            assertEquals((ext & 0x40) != 0, r.tl0PicIdx() >= 0, at);
            assertEquals((ext & 0x20) != 0, r.temporalId() >= 0, at);
            assertTrue(r.pictureId() <= (r.longPictureId() ? 0x7FFF : 0x7F), at);
            assertTrue(r.tl0PicIdx() <= 0xFF && r.temporalId() <= 3, at);
            assertTrue(!r.layerSync() || r.temporalId() >= 0, at);
            int idWidth = r.pictureId() < 0 ? 0 : r.longPictureId() ? 2 : 1;
            int tl0Width = r.tl0PicIdx() < 0 ? 0 : 1;
            int tkWidth = (ext & 0x30) != 0 ? 1 : 0;
            assertEquals(1 + (x ? 1 : 0) + idWidth + tl0Width + tkWidth, d, at);

            // A rewrite changes the two fields only, to what was asked, and keeps their widths.
            int pictureId = random.nextInt(4) == 0 ? -1 : random.nextInt(0x10000);
            int tl0PicIdx = random.nextInt(4) == 0 ? -1 : random.nextInt(0x200);
            assertTrue(Vp8Payload.rewrite(b, off, len, pictureId, tl0PicIdx), at);
            int wantId = r.pictureId() < 0 || pictureId == -1
                    ? r.pictureId()
                    : pictureId & (r.longPictureId() ? 0x7FFF : 0x7F);
            int wantTl0 = r.tl0PicIdx() < 0 || tl0PicIdx == -1 ? r.tl0PicIdx() : tl0PicIdx & 0xFF;
            Reads want = new Reads(wantId, r.longPictureId(), wantTl0, r.temporalId(), r.layerSync());
            assertEquals(want, Reads.of(b, off, len), at);
            assertEquals(d, Vp8Payload.descriptorLength(b, off, len), at);
            int fieldsFrom = off + 2;
            int fieldsTo = fieldsFrom + idWidth + tl0Width;
            for (int i = 0; i < b.length; i++) {
                if (i < fieldsFrom || i >= fieldsTo) {
                    assertEquals(before[i], b[i], at + " byte " + i);
                }
            }

            longIds += r.longPictureId() ? 1 : 0;
            temporal += r.temporalId() >= 0 ? 1 : 0;
            keyIdxOnly += (ext & 0x30) == 0x10 ? 1 : 0;
        }
        // The loop met every kind of descriptor, not just the easy ones.
        assertTrue(truncated > 500, "truncated " + truncated);
        assertTrue(longIds > 200, "15-bit ids " + longIds);
        assertTrue(temporal > 500, "TIDs " + temporal);
        assertTrue(keyIdxOnly > 200, "K without T " + keyIdxOnly);
    }

    @Test
    void aKeyframeAnnouncesItsSizeAndOtherPacketsDoNot() {
        byte[] key = {
            (byte) 0x90, // X=1, S=1, PID=0
            (byte) 0x80, // I=1
            (byte) 0x81, // M=1, picture id 0x0102
            0x02,
            0x50, // frame tag: P=0 (key frame)
            0x02,
            0x00,
            (byte) 0x9D, // start code
            0x01,
            0x2A,
            0x00, // width 1280 = 0x0500, little endian, scale 0
            0x05,
            (byte) 0xD0, // height 720 = 0x02D0, scale bits set: ignored
            (byte) 0xC2,
        };
        assertEquals(1280, Vp8Payload.keyframeWidth(key, 0, key.length));
        assertEquals(720, Vp8Payload.keyframeHeight(key, 0, key.length));
        byte[] delta = key.clone();
        delta[4] = 0x51; // P=1: an inter frame has no size
        assertEquals(-1, Vp8Payload.keyframeWidth(delta, 0, delta.length));
        assertEquals(-1, Vp8Payload.keyframeHeight(key, 0, key.length - 1), "truncated size field");
    }
}
