package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

class FeedbackTest {
    private final PliView pli = new PliView();
    private final FirView fir = new FirView();
    private final NackView nack = new NackView();
    private final RembView remb = new RembView();

    @Test
    void pliParsesWritesAndRejects() {
        byte[] b = Hex.bytes(RtcpFixtures.PLI);
        assertEquals(RtcpValidity.OK, pli.wrap(b, 0, b.length));
        assertEquals(0x12345678L, pli.senderSsrc());
        assertEquals(0x9abcdef0L, pli.mediaSsrc());
        assertEquals(0, pli.fciLength());

        byte[] out = ViewAssertions.sentinel(13);
        assertEquals(12, PliWriter.write(out, 0, out.length, 0x12345678L, 0x9abcdef0L));
        assertArrayEquals(b, Arrays.copyOf(out, 12));
        assertEquals(0x5A, out[12]);
        assertEquals(-1, PliWriter.write(out, 2, out.length, 1, 2));

        ViewAssertions.assertEveryTruncationNamed(pli, b);
        assertEquals(RtcpValidity.TRUNCATED, pli.wrap(ViewAssertions.shortenedTo(b, 1), 0, 8));
        byte[] fmt2 = b.clone();
        fmt2[0] = (byte) 0x82; // SLI, not PLI
        assertEquals(RtcpValidity.WRONG_TYPE, pli.wrap(fmt2, 0, fmt2.length));
        assertEquals(RtcpValidity.WRONG_TYPE, nack.wrap(b, 0, b.length), "same FMT, other PT");
    }

    @Test
    void firParsesWritesAndRejects() {
        byte[] b = Hex.bytes(RtcpFixtures.FIR);
        assertEquals(RtcpValidity.OK, fir.wrap(b, 0, b.length));
        assertEquals(0x12345678L, fir.senderSsrc());
        assertEquals(0L, fir.mediaSsrc());
        assertEquals(1, fir.entryCount());
        assertEquals(0x9abcdef0L, fir.entrySsrc(0));
        assertEquals(5, fir.entrySeqNr(0));

        byte[] out = ViewAssertions.sentinel(40);
        assertEquals(20, FirWriter.write(out, 0, out.length, 0x12345678L, 0x9abcdef0L, 5));
        assertArrayEquals(b, Arrays.copyOf(out, 20));

        int n = FirWriter.write(out, 0, out.length, 9, new long[] {1, 0xFFFF_FFFFL, 3}, new int[] {0, 255, 256}, 3);
        assertEquals(36, n);
        assertEquals(RtcpValidity.OK, fir.wrap(out, 0, n));
        assertEquals(3, fir.entryCount());
        assertEquals(0xFFFF_FFFFL, fir.entrySsrc(1));
        assertEquals(255, fir.entrySeqNr(1));
        assertEquals(0, fir.entrySeqNr(2), "8-bit counter wraps");
        assertEquals(-1, FirWriter.write(out, 0, 35, 9, new long[3], new int[3], 3));
        assertEquals(-1, FirWriter.write(out, 0, out.length, 9, new long[3], new int[2], 3));
        assertEquals(-1, FirWriter.write(out, 0, out.length, 9, new long[0], new int[0], 0));

        ViewAssertions.assertEveryTruncationNamed(fir, b);
        assertEquals(RtcpValidity.BAD_FCI_LENGTH, fir.wrap(ViewAssertions.shortenedTo(b, 2), 0, 12));
        assertEquals(
                RtcpValidity.BAD_FCI_LENGTH,
                fir.wrap(ViewAssertions.shortenedTo(b, 3), 0, 16),
                "half an entry is not an entry");
    }

    /** A reusable sink, as production code would hold one: no per-call lambda capture. */
    private static final class Collect implements IntConsumer {
        final List<Integer> seqs = new ArrayList<>();

        @Override
        public void accept(int seq) {
            seqs.add(seq);
        }
    }

    @Test
    void nackListsLostSequenceNumbersAcrossTheWrap() {
        byte[] b = Hex.bytes(RtcpFixtures.NACK);
        assertEquals(RtcpValidity.OK, nack.wrap(b, 0, b.length));
        assertEquals(2, nack.itemCount());
        assertEquals(65534, nack.pid(0));
        assertEquals(0x8001, nack.blp(0));
        Collect sink = new Collect();
        assertEquals(4, nack.forEachLost(sink));
        assertEquals(List.of(65534, 65535, 14, 100), sink.seqs);
        assertEquals(4, nack.lostCount());
    }

    @Test
    void nackWriterMakesMinimalItems() {
        byte[] out = ViewAssertions.sentinel(64);
        int[] lost = {65534, 65535, 14, 100};
        assertEquals(2, NackWriter.itemCount(lost, 0, 4));
        int n = NackWriter.write(out, 0, out.length, 0x12345678L, 0x9abcdef0L, lost, 0, 4);
        assertEquals(20, n);
        assertArrayEquals(Hex.bytes(RtcpFixtures.NACK), Arrays.copyOf(out, n));

        int[] spread = {1, 2, 2, 17, 18, 40, 41, 56, 57};
        n = NackWriter.write(out, 0, out.length, 1, 2, spread, 0, spread.length);
        assertEquals(12 + 4 * 4, n, "items: 1 (2, 17) | 18 | 40 (41, 56) | 57");
        assertEquals(RtcpValidity.OK, nack.wrap(out, 0, n));
        assertEquals(0x8001, nack.blp(0));
        assertEquals(0, nack.blp(1));
        assertEquals(0x8001, nack.blp(2));
        assertEquals(57, nack.pid(3));
    }

    @Test
    void nackWriterRoundTripsRandomLossPatterns() {
        Random random = new Random(3);
        byte[] out = new byte[4096];
        for (int round = 0; round < 500; round++) {
            TreeSet<Integer> unwrapped = new TreeSet<>();
            int start = random.nextInt(65536);
            int count = 1 + random.nextInt(200);
            for (int i = 0; i < count; i++) {
                unwrapped.add(start + random.nextInt(random.nextBoolean() ? 40 : 2000));
            }
            int[] lost = unwrapped.stream().mapToInt(s -> s & 0xFFFF).toArray();
            int n = NackWriter.write(out, 0, out.length, 1, 2, lost, 0, lost.length);
            assertEquals(RtcpValidity.OK, nack.wrap(out, 0, n));
            Collect sink = new Collect();
            nack.forEachLost(sink);
            assertEquals(Arrays.stream(lost).boxed().toList(), sink.seqs);
            // Minimal: a greedy cover of a sorted list cannot be beaten.
            assertEquals(greedyItems(unwrapped), nack.itemCount());
        }
    }

    private static int greedyItems(TreeSet<Integer> sorted) {
        int items = 0;
        int coverEnd = Integer.MIN_VALUE;
        for (int s : sorted) {
            if (s > coverEnd) {
                items++;
                coverEnd = s + 16;
            }
        }
        return items;
    }

    @Test
    void nackRejectsEmptyAndTruncated() {
        byte[] b = Hex.bytes(RtcpFixtures.NACK);
        ViewAssertions.assertEveryTruncationNamed(nack, b);
        assertEquals(RtcpValidity.BAD_FCI_LENGTH, nack.wrap(ViewAssertions.shortenedTo(b, 2), 0, 12));
        assertEquals(RtcpValidity.TRUNCATED, nack.wrap(ViewAssertions.shortenedTo(b, 1), 0, 8));
        assertEquals(0, nack.forEachLost(seq -> {}), "an invalid view reports nothing");
        byte[] out = new byte[64];
        assertEquals(-1, NackWriter.write(out, 0, out.length, 1, 2, new int[0], 0, 0));
        assertEquals(-1, NackWriter.write(out, 0, 15, 1, 2, new int[] {5}, 0, 1));
        assertEquals(-1, NackWriter.write(out, 0, out.length, 1, 2, new int[] {5}, 1, 1));
    }

    @Test
    void rembParsesWritesAndRejects() {
        byte[] b = Hex.bytes(RtcpFixtures.REMB);
        assertEquals(RtcpValidity.OK, remb.wrap(b, 0, b.length));
        assertEquals(0x12345678L, remb.senderSsrc());
        assertEquals(2, remb.exponent());
        assertEquals(250_000, remb.mantissa());
        assertEquals(1_000_000L, remb.bitrateBps());
        assertEquals(1, remb.ssrcCount());
        assertEquals(0x9abcdef0L, remb.ssrc(0));

        byte[] out = ViewAssertions.sentinel(64);
        int n = RembWriter.write(out, 0, out.length, 0x12345678L, 1_000_000L, new long[] {0x9abcdef0L}, 1);
        assertEquals(24, n);
        assertArrayEquals(b, Arrays.copyOf(out, n));

        ViewAssertions.assertEveryTruncationNamed(remb, b);
        byte[] notRemb = b.clone();
        notRemb[15] = 'X';
        assertEquals(RtcpValidity.NOT_REMB, remb.wrap(notRemb, 0, notRemb.length));
        byte[] twoSsrcs = b.clone();
        twoSsrcs[16] = 2;
        assertEquals(RtcpValidity.SSRC_LIST_OVERFLOW, remb.wrap(twoSsrcs, 0, twoSsrcs.length));
        assertEquals(RtcpValidity.TRUNCATED, remb.wrap(ViewAssertions.shortenedTo(b, 3), 0, 16));
        assertEquals(RtcpValidity.TRUNCATED, remb.wrap(ViewAssertions.shortenedTo(b, 2), 0, 12));
    }

    @Test
    void rembBitrateEncodingRoundsDownAndSaturates() {
        byte[] out = new byte[64];
        long[] rates = {0, 1, 262_143, 262_144, 262_145, 1_234_567, 2_500_000_000L, Long.MAX_VALUE};
        for (long rate : rates) {
            int n = RembWriter.write(out, 0, out.length, 1, rate, null, 0);
            assertEquals(20, n);
            assertEquals(RtcpValidity.OK, remb.wrap(out, 0, n));
            long decoded = remb.bitrateBps();
            assertTrue(decoded <= rate, rate + " decoded as " + decoded);
            assertTrue(decoded > rate - (rate >>> 17) - 1, "precision for " + rate);
        }
        // An exponent of 63 with a full mantissa cannot be a long: saturate instead of wrapping.
        byte[] huge = Hex.bytes(RtcpFixtures.REMB);
        huge[17] = (byte) 0xFF;
        huge[18] = (byte) 0xFF;
        huge[19] = (byte) 0xFF;
        assertEquals(RtcpValidity.OK, remb.wrap(huge, 0, huge.length));
        assertEquals(Long.MAX_VALUE, remb.bitrateBps());
        assertEquals(-1, RembWriter.write(out, 0, out.length, 1, -5, null, 0));
        assertEquals(-1, RembWriter.write(out, 0, out.length, 1, 5, new long[300], 256));
        assertEquals(-1, RembWriter.write(out, 0, 19, 1, 5, null, 0));
    }
}
