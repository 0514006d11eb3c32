package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The extension elements a wrap notes must always say what walking the bytes says: lookups through the
 * notes, a copy that takes them over ({@link RtpPacket#wrapCopy}), and the notes after the block is
 * renumbered, stripped or re-laid out.
 */
class RtpExtensionIndexTest {
    private static final int ITERATIONS = 50_000;

    @Test
    void notesAgreeWithTheByteWalkOnRandomBlocks() {
        Random random = new Random(0x1D3);
        RtpPacket original = new RtpPacket();
        RtpPacket copy = new RtpPacket();
        int ok = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] b = randomPacket(random);
            int off = random.nextInt(5);
            byte[] in = new byte[off + b.length + 300];
            System.arraycopy(b, 0, in, off, b.length);
            RtpValidity v = original.wrap(in, off, b.length);
            assertEquals(new RtpPacket().wrap(Arrays.copyOf(b, b.length), 0, b.length), v, "verdict is the bytes'");
            if (v != RtpValidity.OK) {
                continue;
            }
            ok++;
            agreesWithWalk(original);

            int copyOff = random.nextInt(40);
            byte[] out = new byte[copyOff + b.length + 300];
            System.arraycopy(in, off, out, copyOff, b.length);
            assertEquals(RtpValidity.OK, copy.wrapCopy(out, copyOff, original));
            sameLayout(copy, new RtpPacket(), out, copyOff, b.length);
            agreesWithWalk(copy);

            mutate(random, copy);
            agreesWithWalk(copy);
            RtpPacket reparsed = new RtpPacket();
            assertEquals(RtpValidity.OK, reparsed.wrap(out, copyOff, copy.length()), "mutations keep it valid");
            sameLayout(copy, reparsed, out, copyOff, copy.length());
            agreesWithWalk(original); // the copy's changes never reach the original's notes
        }
        assertTrue(ok > ITERATIONS / 10, "enough valid packets: " + ok);
    }

    @Test
    void aBlockWithMoreElementsThanNotedIsWalked() {
        int elements = RtpPacket.INDEXED_EXTENSIONS + 3;
        byte[] b = new byte[12 + 4 + 4 * elements + 10];
        b[0] = (byte) 0x90;
        BigEndian.put16(b, 12, RtpHeaderExtensions.ONE_BYTE_PROFILE);
        BigEndian.put16(b, 14, elements);
        for (int i = 0; i < elements; i++) {
            int at = 16 + 4 * i;
            b[at] = (byte) (((1 + i % 14) << 4) | 2); // ids repeat: the first must win, as in the walk
            b[at + 1] = (byte) i;
        }
        RtpPacket p = new RtpPacket();
        assertEquals(RtpValidity.OK, p.wrap(b, 0, b.length));
        assertEquals(-1, p.indexedExtensionCount());
        agreesWithWalk(p);
        assertEquals(17, p.extensionOffset(1));
        RtpPacket copy = new RtpPacket();
        byte[] out = Arrays.copyOf(b, b.length + 100);
        assertEquals(RtpValidity.OK, copy.wrapCopy(out, 0, p));
        assertEquals(-1, copy.indexedExtensionCount());
        agreesWithWalk(copy);
    }

    /** Every id's lookup matches the walk over the bytes, and the notes list exactly the walk's elements. */
    private static void agreesWithWalk(RtpPacket p) {
        int start = p.extensionBlockOffset();
        int end = start + p.extensionBlockLength();
        for (int id = -1; id <= 256; id++) {
            long walked = p.hasExtension()
                    ? RtpHeaderExtensions.find(p.buffer(), start, end, p.extensionProfile(), id)
                    : RtpHeaderExtensions.NOT_FOUND;
            assertEquals(walked, p.findExtension(id), "id " + id);
        }
        int n = p.indexedExtensionCount();
        if (n < 0 || !p.hasExtension()) {
            return;
        }
        int[] k = {0};
        p.forEachExtension((id, at, length) -> {
            while (p.indexedExtensionId(k[0]) == 0) {
                k[0]++; // stripped: padding to the walk
            }
            assertEquals(id, p.indexedExtensionId(k[0]));
            assertEquals(at, p.indexedExtensionOffset(k[0]));
            assertEquals(length, p.indexedExtensionLength(k[0]));
            k[0]++;
        });
        for (; k[0] < n; k[0]++) {
            assertEquals(0, p.indexedExtensionId(k[0]), "only stripped elements after the walk's last");
        }
    }

    private static void sameLayout(RtpPacket a, RtpPacket fresh, byte[] buf, int off, int len) {
        assertEquals(RtpValidity.OK, fresh.wrap(buf, off, len));
        assertEquals(fresh.length(), a.length());
        assertEquals(fresh.headerLength(), a.headerLength());
        assertEquals(fresh.payloadOffset(), a.payloadOffset());
        assertEquals(fresh.payloadLength(), a.payloadLength());
        assertEquals(fresh.paddingSize(), a.paddingSize());
        assertEquals(fresh.extensionProfile(), a.extensionProfile());
        assertEquals(fresh.extensionBlockOffset(), a.extensionBlockOffset());
        assertEquals(fresh.extensionBlockLength(), a.extensionBlockLength());
        for (int id = 0; id <= 255; id++) {
            assertEquals(fresh.findExtension(id), a.findExtension(id), "id " + id);
        }
    }

    /** What the forwarding rewrite does to a copy: renumber, strip, re-lay out for a value of another size. */
    private static void mutate(Random random, RtpPacket p) {
        int n = p.indexedExtensionCount();
        boolean oneByte = RtpHeaderExtensions.isOneByte(p.extensionProfile());
        for (int i = 0; i < Math.max(n, 0); i++) {
            if (p.indexedExtensionId(i) == 0) {
                continue;
            }
            switch (random.nextInt(3)) {
                case 0 -> p.stripIndexedExtension(i);
                case 1 ->
                    p.renumberIndexedExtension(
                            i, 1 + random.nextInt(oneByte ? RtpHeaderExtensions.ONE_BYTE_MAX_ID : 255));
                default -> {}
            }
        }
        if (random.nextBoolean()
                && (!p.hasExtension() || oneByte || RtpHeaderExtensions.isTwoByte(p.extensionProfile()))) {
            byte[] before = Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
            int at = p.reserveExtension(1 + random.nextInt(20), random.nextInt(18), p.buffer().length - p.offset());
            assertTrue(at >= 0, "room was plenty");
            assertArrayEquals(
                    before, Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength()));
        }
    }

    /** A header with a random RFC 8285 block (either form, padding between elements, sometimes a stop id). */
    private static byte[] randomPacket(Random random) {
        byte[] block = new byte[4 * random.nextInt(12)];
        boolean oneByte = random.nextInt(4) != 0;
        int pos = 0;
        while (pos < block.length) {
            int r = random.nextInt(10);
            if (r == 0) {
                block[pos++] = 0;
                continue;
            }
            if (oneByte && r == 1 && random.nextInt(8) == 0) {
                block[pos++] = (byte) 0xF0; // stop: the rest is not read
                continue;
            }
            int id = oneByte ? 1 + random.nextInt(14) : 1 + random.nextInt(255);
            int length = oneByte ? 1 + random.nextInt(16) : random.nextInt(12);
            if (random.nextInt(20) == 0) {
                length += 3; // sometimes past the end: malformed
            }
            if (oneByte) {
                block[pos++] = (byte) ((id << 4) | ((length - 1) & 0x0F));
            } else {
                block[pos++] = (byte) id;
                if (pos < block.length) {
                    block[pos++] = (byte) length;
                }
            }
            for (int i = 0; i < length && pos < block.length; i++) {
                block[pos++] = (byte) random.nextInt(256);
            }
        }
        boolean padded = random.nextInt(4) == 0;
        int payload = random.nextInt(30);
        byte[] b = new byte[12 + 4 + block.length + payload + (padded ? 4 : 0)];
        b[0] = (byte) (0x90 | (padded ? 0x20 : 0));
        BigEndian.put16(b, 2, random.nextInt(65536));
        BigEndian.put16(b, 12, oneByte ? RtpHeaderExtensions.ONE_BYTE_PROFILE : 0x1000 | random.nextInt(16));
        BigEndian.put16(b, 14, block.length / 4);
        System.arraycopy(block, 0, b, 16, block.length);
        if (padded) {
            b[b.length - 1] = 4;
        }
        return b;
    }
}
