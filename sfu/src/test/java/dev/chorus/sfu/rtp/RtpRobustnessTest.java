package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated inputs: no exception may escape, every verdict is a declared
 * reason, and every OK packet keeps the layout invariants, also after adding an extension.
 */
class RtpRobustnessTest {
    private static final int ITERATIONS = 200_000;
    private static final String[] SEEDS = {
        RtpPacketParseTest.CHROME_VIDEO,
        RtpPacketParseTest.CSRC_TWO_BYTE_PADDED,
        "80 00 00 01 00 00 00 02 00 00 00 03 aa bb",
    };

    private final RtpPacket packet = new RtpPacket();
    private final Map<RtpValidity, Integer> verdicts = new EnumMap<>(RtpValidity.class);

    @Test
    void randomAndMutatedBuffersNeverThrow() {
        Random random = new Random(0xC0FFEE);
        byte[][] seeds = new byte[SEEDS.length][];
        for (int i = 0; i < SEEDS.length; i++) {
            seeds[i] = Hex.bytes(SEEDS[i]);
        }
        byte[] b = new byte[200];
        for (int i = 0; i < ITERATIONS; i++) {
            int len = fill(random, seeds, b);
            int off = random.nextInt(4);
            if (off + len > b.length) {
                off = 0;
            }
            if (off > 0) {
                System.arraycopy(b, 0, b, off, len);
            }
            RtpValidity v = packet.wrap(b, off, len);
            assertNotNull(v);
            verdicts.merge(v, 1, Integer::sum);
            if (v == RtpValidity.OK) {
                checkInvariants(off, len);
                checkAddingAnExtension(random, b, off, len);
            }
        }
        // The mutations must actually reach every reason, or the test proves little.
        for (RtpValidity v : RtpValidity.values()) {
            if (v != RtpValidity.OUT_OF_BOUNDS) {
                assertTrue(verdicts.getOrDefault(v, 0) > 0, "never saw " + v + ": " + verdicts);
            }
        }
    }

    private static int fill(Random random, byte[][] seeds, byte[] b) {
        if (random.nextInt(4) == 0) {
            int len = random.nextInt(64);
            for (int i = 0; i < len; i++) {
                b[i] = (byte) random.nextInt(256);
            }
            if (len > 0 && random.nextBoolean()) {
                b[0] = (byte) (0x80 | (b[0] & 0x3F)); // mostly version 2 to get deeper
            }
            return len;
        }
        byte[] seed = seeds[random.nextInt(seeds.length)];
        System.arraycopy(seed, 0, b, 0, seed.length);
        int len = seed.length;
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
            switch (random.nextInt(4)) {
                case 0 -> b[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(len)] = (byte) random.nextInt(256);
                case 2 -> len = random.nextInt(len + 1);
                default -> {
                    int extra = random.nextInt(40);
                    for (int i = 0; i < extra && len < 160; i++) {
                        b[len++] = (byte) random.nextInt(256);
                    }
                }
            }
            if (len == 0) {
                break;
            }
        }
        return len;
    }

    private void checkInvariants(int off, int len) {
        assertEquals(2, packet.version());
        assertEquals(len, packet.headerLength() + packet.payloadLength() + packet.paddingSize());
        assertTrue(packet.payloadLength() >= 0);
        assertTrue(packet.headerLength() >= RtpPacket.FIXED_HEADER_LENGTH);
        assertEquals(off + packet.headerLength(), packet.payloadOffset());
        for (int i = 0; i < packet.csrcCount(); i++) {
            assertTrue(packet.csrc(i) >= 0);
        }
        for (int id = 0; id <= 256; id++) {
            long ref = packet.findExtension(id);
            if (ref != RtpHeaderExtensions.NOT_FOUND) {
                int at = RtpHeaderExtensions.offsetOf(ref);
                assertTrue(at >= packet.extensionBlockOffset());
                assertTrue(at + RtpHeaderExtensions.lengthOf(ref) <= off + packet.headerLength());
            }
        }
        int[] seen = {0};
        packet.forEachExtension((id, at, l) -> {
            assertTrue(at + l <= off + packet.headerLength());
            seen[0]++;
        });
        assertTrue(seen[0] >= 0);
    }

    /** Adding an extension must keep the packet valid, the payload intact and others found. */
    private void checkAddingAnExtension(Random random, byte[] b, int off, int len) {
        byte[] work = Arrays.copyOf(b, b.length + 300);
        RtpPacket p = new RtpPacket();
        p.wrap(work, off, len);
        byte[] payload = Arrays.copyOfRange(b, packet.payloadOffset(), packet.payloadOffset() + packet.payloadLength());
        int id = 1 + random.nextInt(30);
        int dataLength = random.nextInt(20);
        int profile = p.extensionProfile();
        boolean opaque =
                p.hasExtension() && !RtpHeaderExtensions.isOneByte(profile) && !RtpHeaderExtensions.isTwoByte(profile);
        int at = p.reserveExtension(id, dataLength, work.length - off);
        if (opaque) {
            assertEquals(-1, at);
            return;
        }
        assertTrue(at >= 0, "room was plenty");
        for (int i = 0; i < dataLength; i++) {
            work[at + i] = (byte) (0xA0 + i);
        }
        int newLength = p.length();
        assertEquals(RtpValidity.OK, p.wrap(work, off, newLength));
        assertEquals(dataLength, p.extensionLength(id));
        assertEquals(at, p.extensionOffset(id));
        assertEquals(packet.paddingSize(), p.paddingSize());
        assertArrayEquals(payload, Arrays.copyOfRange(work, p.payloadOffset(), p.payloadOffset() + p.payloadLength()));
    }
}
