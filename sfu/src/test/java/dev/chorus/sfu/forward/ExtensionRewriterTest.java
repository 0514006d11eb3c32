package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rewrite of a forwarded copy, over the elements its wrap noted and, for a block with more elements
 * than a packet notes, over the bytes: both must leave what RFC 8285 and the subscriber's ids say, element
 * by element, in place.
 */
class ExtensionRewriterTest {
    private static final HeaderExtensionIds PUBLISHER = HeaderExtensionIds.NONE
            .with(RtpExtension.MID, 1)
            .with(RtpExtension.ABS_SEND_TIME, 2)
            .with(RtpExtension.TRANSPORT_CC, 3)
            .with(RtpExtension.AUDIO_LEVEL, 4)
            .with(RtpExtension.RTP_STREAM_ID, 5);
    private static final HeaderExtensionIds SUBSCRIBER = HeaderExtensionIds.NONE
            .with(RtpExtension.MID, 9)
            .with(RtpExtension.ABS_SEND_TIME, 3)
            .with(RtpExtension.TRANSPORT_CC, 14)
            .with(RtpExtension.AUDIO_LEVEL, 20); // only the two-byte form can carry it
    private static final long NOW = 12_345_678_901L;

    @Test
    void noteBasedAndByteWalkingRewritesBothMatchTheModel() {
        Random random = new Random(77);
        for (int i = 0; i < 2_000; i++) {
            boolean oneByte = random.nextBoolean();
            int filler = random.nextBoolean() ? 0 : RtpPacket.INDEXED_EXTENSIONS + random.nextInt(4);
            check(random, oneByte, filler);
        }
    }

    private static void check(Random random, boolean oneByte, int filler) {
        // Each known kind at most once (publisher ids 1..5), plus unknown ids 6..8 that are stripped.
        List<int[]> elements = new ArrayList<>(); // {id, length}
        int[] lengths = {0, 1, 3, 2, 1, 2};
        for (int id = 1; id <= 5; id++) {
            if (random.nextInt(4) != 0) {
                elements.add(new int[] {id, lengths[id]});
            }
        }
        for (int k = 0; k < filler; k++) {
            elements.add(new int[] {6 + random.nextInt(3), 1 + random.nextInt(3)});
        }
        Collections.shuffle(elements, random);
        byte[] block = new byte[400];
        int pos = 0;
        List<int[]> placed = new ArrayList<>(); // {id, header position, length}
        for (int[] e : elements) {
            pos += random.nextInt(3) == 0 ? 1 : 0; // padding between elements
            placed.add(new int[] {e[0], pos, e[1]});
            if (oneByte) {
                block[pos++] = (byte) ((e[0] << 4) | (e[1] - 1));
            } else {
                block[pos++] = (byte) e[0];
                block[pos++] = (byte) e[1];
            }
            for (int j = 0; j < e[1]; j++) {
                block[pos++] = e[0] == 1 ? (byte) '0' : (byte) (0x40 + random.nextInt(64));
            }
        }
        int blockLength = (pos + 3) & ~3;
        byte[] b = new byte[16 + blockLength + 20];
        b[0] = (byte) 0x90;
        BigEndian.put16(b, 12, oneByte ? RtpHeaderExtensions.ONE_BYTE_PROFILE : RtpHeaderExtensions.TWO_BYTE_PROFILE);
        BigEndian.put16(b, 14, blockLength / 4);
        System.arraycopy(block, 0, b, 16, blockLength);

        byte[] expected = Arrays.copyOf(b, b.length);
        int header = oneByte ? 1 : 2;
        int expectedTcc = -1;
        for (int[] e : placed) {
            int at = 16 + e[1];
            int to = switch (e[0]) {
                case 1 -> 9;
                case 2 -> 3;
                case 3 -> 14;
                case 4 -> oneByte ? 0 : 20;
                default -> 0;
            };
            if (to == 0) {
                Arrays.fill(expected, at, at + header + e[2], (byte) 0);
                continue;
            }
            if (oneByte) {
                expected[at] = (byte) ((to << 4) | (e[2] - 1));
            } else {
                expected[at] = (byte) to;
            }
            if (to == 9) {
                expected[at + header] = '7';
            } else if (to == 3) {
                BigEndian.put24(expected, at + header, ExtensionRewriter.absSendTime(NOW));
            } else if (to == 14) {
                expectedTcc = at + header;
            }
        }

        RtpPacket original = new RtpPacket();
        assertEquals(RtpValidity.OK, original.wrap(b, 0, b.length));
        assertEquals(placed.size() > RtpPacket.INDEXED_EXTENSIONS, original.indexedExtensionCount() < 0);
        byte[] copy = Arrays.copyOf(b, b.length + 100);
        RtpPacket out = new RtpPacket();
        assertEquals(RtpValidity.OK, out.wrapCopy(copy, 0, original));
        ExtensionRewriter rewriter = new ExtensionRewriter(PUBLISHER, SUBSCRIBER, "7");
        rewriter.rewrite(out, NOW, copy.length);
        assertArrayEquals(
                expected, Arrays.copyOf(copy, b.length), (oneByte ? "one" : "two") + "-byte, " + placed.size());
        assertEquals(expectedTcc, rewriter.transportCcOffset());
        assertEquals(b.length, out.length(), "nothing moved");
        RtpPacket reparsed = new RtpPacket();
        assertEquals(RtpValidity.OK, reparsed.wrap(copy, 0, b.length));
        for (int id = 0; id <= 255; id++) {
            assertEquals(reparsed.findExtension(id), out.findExtension(id), "id " + id);
        }
        assertTrue(rewriter.stripped() >= 0);
    }
}
