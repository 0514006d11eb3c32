package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransportCcTest {
    private static final long REFERENCE_US = 258L * 64_000;

    private final TransportCcView view = new TransportCcView();
    private final TransportCcWriter writer = new TransportCcWriter();

    /** Records statuses and rebuilds arrival times the way a sender-side estimator would. */
    private static final class Recorder implements TransportCcPacketConsumer {
        final List<String> statuses = new ArrayList<>();
        final List<Integer> receivedSeqs = new ArrayList<>();
        final List<Long> arrivalsUs = new ArrayList<>();
        long clockUs;

        Recorder(long referenceUs) {
            clockUs = referenceUs;
        }

        @Override
        public void onPacket(int seq, boolean received, int deltaUs) {
            if (received) {
                clockUs += deltaUs;
                receivedSeqs.add(seq);
                arrivalsUs.add(clockUs);
                statuses.add(seq + ":" + deltaUs);
            } else {
                statuses.add(seq + ":lost");
            }
        }
    }

    /** The fixture's received packets: transport seq and arrival time. */
    private static final int[] FIXTURE_SEQS = {
        65534, 0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 33
    };

    private static long[] fixtureArrivals() {
        int[] deltaTicks = {4, 20, 300, -4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 0, 250};
        long[] arrivals = new long[deltaTicks.length];
        long t = REFERENCE_US;
        for (int i = 0; i < deltaTicks.length; i++) {
            t += deltaTicks[i] * 250L;
            arrivals[i] = t;
        }
        return arrivals;
    }

    @Test
    void parsesAllChunkKindsWrapAndNegativeDeltas() {
        byte[] b = Hex.bytes(RtcpFixtures.TRANSPORT_CC);
        assertEquals(RtcpValidity.OK, view.wrap(b, 0, b.length));
        assertEquals(0x12345678L, view.senderSsrc());
        assertEquals(0x9abcdef0L, view.mediaSsrc());
        assertEquals(65534, view.baseSequenceNumber());
        assertEquals(36, view.packetStatusCount());
        assertEquals(258, view.referenceTime());
        assertEquals(REFERENCE_US, view.referenceTimeUs());
        assertEquals(42, view.feedbackPacketCount());
        assertEquals(22, view.receivedCount());
        assertEquals(50, view.contentLength());

        Recorder r = new Recorder(view.referenceTimeUs());
        assertEquals(36, view.forEachPacket(r));
        assertEquals(36, r.statuses.size());
        assertEquals(
                List.of("65534:1000", "65535:lost", "0:5000", "1:75000", "2:-1000", "3:lost", "4:lost", "5:250"),
                r.statuses.subList(0, 8));
        assertEquals(List.of("19:250", "20:lost", "21:2000", "22:0", "23:lost"), r.statuses.subList(21, 26));
        assertEquals("33:62500", r.statuses.get(35));
        assertEquals(Arrays.stream(FIXTURE_SEQS).boxed().toList(), r.receivedSeqs);
        assertArrayEquals(
                fixtureArrivals(),
                r.arrivalsUs.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    void writerReproducesTheFixtureByteForByte() {
        byte[] out = ViewAssertions.sentinel(80);
        long[] arrivals = fixtureArrivals();
        int n = writer.write(
                out,
                0,
                out.length,
                0x12345678L,
                0x9abcdef0L,
                65534,
                42,
                FIXTURE_SEQS,
                arrivals,
                0,
                FIXTURE_SEQS.length);
        assertEquals(52, n);
        assertEquals(Hex.of(Hex.bytes(RtcpFixtures.TRANSPORT_CC), 0, 52), Hex.of(out, 0, n));
        assertEquals(0x5A, out[52]);
        assertEquals(22, writer.consumed());
        assertEquals(36, writer.packetStatusCount());
        assertEquals(34, writer.nextBaseSequenceNumber());
    }

    @Test
    void negativeReferenceTimeIsSignExtended() {
        byte[] b = Hex.bytes(RtcpFixtures.TRANSPORT_CC);
        b[16] = (byte) 0xFF;
        b[17] = (byte) 0xFF;
        b[18] = (byte) 0xFE;
        assertEquals(RtcpValidity.OK, view.wrap(b, 0, b.length));
        assertEquals(-2, view.referenceTime());
        assertEquals(-128_000L, view.referenceTimeUs());
    }

    @Test
    void largeGapsBecomeRunLengthChunksOfAtMost8191() {
        int[] seqs = {100, 100 + 20_000};
        long[] arrivals = {1_000_000, 1_050_000};
        byte[] out = new byte[200];
        int n = writer.write(out, 0, out.length, 1, 2, 100, 0, seqs, arrivals, 0, 2);
        assertTrue(n > 0);
        assertEquals(20_001, writer.packetStatusCount());
        assertEquals(RtcpValidity.OK, view.wrap(out, 0, n));
        Recorder r = new Recorder(view.referenceTimeUs());
        view.forEachPacket(r);
        assertEquals(List.of(100, 20_100), r.receivedSeqs);
        assertEquals(List.of(1_000_000L, 1_050_000L), r.arrivalsUs);
        // 1 received + 19999 lost + 1 received: small | lost run 8191 | 8191 | rest, then the last.
        assertTrue(n <= 20 + 2 * 5 + 3 + 3, "compact encoding, got " + n);
    }

    @Test
    void lostPacketsBeforeTheFirstReceivedAreReported() {
        int[] seqs = {10};
        long[] arrivals = {5_000};
        byte[] out = new byte[64];
        int n = writer.write(out, 0, out.length, 1, 2, 7, 0, seqs, arrivals, 0, 1);
        assertEquals(RtcpValidity.OK, view.wrap(out, 0, n));
        assertEquals(7, view.baseSequenceNumber());
        assertEquals(4, view.packetStatusCount());
        Recorder r = new Recorder(view.referenceTimeUs());
        view.forEachPacket(r);
        assertEquals(List.of("7:lost", "8:lost", "9:lost", "10:5000"), r.statuses);
    }

    @Test
    void stopsAtADeltaBeyondSixteenBitsAndReportsConsumption() {
        int[] seqs = {1, 2, 3};
        long[] arrivals = {0, 1_000, 1_000 + 8_200_000}; // third is 32800 ticks later
        byte[] out = new byte[64];
        int n = writer.write(out, 0, out.length, 1, 2, 1, 0, seqs, arrivals, 0, 3);
        assertTrue(n > 0);
        assertEquals(2, writer.consumed());
        assertEquals(3, writer.nextBaseSequenceNumber());
        // The caller continues with the rest in a new feedback.
        n = writer.write(out, 0, out.length, 1, 2, writer.nextBaseSequenceNumber(), 1, seqs, arrivals, 2, 1);
        assertEquals(1, writer.consumed());
        assertEquals(RtcpValidity.OK, view.wrap(out, 0, n));
        Recorder r = new Recorder(view.referenceTimeUs());
        view.forEachPacket(r);
        assertEquals(List.of(8_201_000L), r.arrivalsUs);
    }

    @Test
    void stopsWhenTheBufferIsFullAndAtTheStatusCountLimit() {
        int count = 400;
        int[] seqs = new int[count];
        long[] arrivals = new long[count];
        for (int i = 0; i < count; i++) {
            seqs[i] = (65_000 + i) & 0xFFFF;
            arrivals[i] = 1_000_000 + i * 2_000L; // 8 ticks apart: small deltas
        }
        byte[] out = new byte[100];
        int n = writer.write(out, 0, out.length, 1, 2, 65_000, 0, seqs, arrivals, 0, count);
        assertTrue(n > 0 && n <= 100);
        int consumed = writer.consumed();
        assertTrue(consumed > 10 && consumed < count, "consumed " + consumed);
        assertEquals(RtcpValidity.OK, view.wrap(out, 0, n));
        assertEquals(consumed, view.receivedCount());
        // One more packet would not have fitted.
        int more = writer.write(new byte[n], 0, n, 1, 2, 65_000, 0, seqs, arrivals, 0, consumed + 1);
        assertEquals(n, more);
        assertEquals(consumed, writer.consumed());

        int[] far = {0, 40_000, 65_534};
        long[] times = {0, 250, 500};
        n = writer.write(new byte[1000], 0, 1000, 1, 2, 0, 0, far, times, 0, 3);
        assertTrue(n > 0);
        assertEquals(1, writer.consumed(), "40000 ahead reads as behind: stop rather than guess");
    }

    @Test
    void statusCountNeverExceedsSixteenBits() {
        int[] seqs = new int[5];
        long[] arrivals = new long[5];
        for (int i = 0; i < 5; i++) {
            seqs[i] = (i * 30_000) & 0xFFFF; // 0, 30000, 60000, 24464 (90000), 54464 (120000)
            arrivals[i] = i * 1_000L;
        }
        byte[] out = new byte[1000];
        int n = writer.write(out, 0, out.length, 1, 2, 0, 0, seqs, arrivals, 0, 5);
        assertTrue(n > 0);
        assertEquals(3, writer.consumed(), "the fourth would need 90001 statuses");
        assertEquals(60_001, writer.packetStatusCount());
        assertEquals(RtcpValidity.OK, view.wrap(out, 0, n));
    }

    @Test
    void refusesUnusableArguments() {
        byte[] out = new byte[64];
        int[] seqs = {5};
        long[] arrivals = {0};
        assertEquals(-1, writer.write(out, 0, out.length, 1, 2, 6, 0, seqs, arrivals, 0, 1), "seq before base");
        assertEquals(-1, writer.write(out, 0, 23, 1, 2, 5, 0, seqs, arrivals, 0, 1), "needs 24 bytes");
        assertEquals(24, writer.write(out, 0, 24, 1, 2, 5, 0, seqs, arrivals, 0, 1));
        assertEquals(-1, writer.write(out, 0, out.length, 1, 2, 5, 0, seqs, arrivals, 0, 0));
        assertEquals(-1, writer.write(out, 0, out.length, 1, 2, 5, 0, seqs, new long[0], 0, 1));
        assertEquals(-1, writer.write(out, 0, 100, 1, 2, 5, 0, seqs, arrivals, 0, 1));
        assertEquals(-1, writer.write(null, 0, 0, 1, 2, 5, 0, seqs, arrivals, 0, 1));
        assertEquals(0, writer.consumed());
    }

    @Test
    void randomFeedbackRoundTripsWithin250MicrosecondQuantisation() {
        Random random = new Random(11);
        byte[] out = new byte[1500];
        for (int round = 0; round < 3000; round++) {
            int count = 1 + random.nextInt(300);
            int[] seqs = new int[count];
            long[] arrivals = new long[count];
            int seq = random.nextInt(65536);
            int base = (seq - random.nextInt(3)) & 0xFFFF;
            long t = random.nextLong() >>> 20;
            for (int i = 0; i < count; i++) {
                seqs[i] = seq;
                arrivals[i] = t;
                seq = (seq + 1 + (random.nextInt(5) == 0 ? random.nextInt(random.nextBoolean() ? 20 : 3000) : 0))
                        & 0xFFFF;
                int kind = random.nextInt(10);
                t += kind < 6 ? random.nextInt(20_000) : kind < 9 ? -random.nextInt(30_000) : random.nextInt(3_000_000);
            }
            int limit = 40 + random.nextInt(out.length - 40);
            int n = writer.write(out, 0, limit, 1, 2, base, round, seqs, arrivals, 0, count);
            assertTrue(n > 0, "round " + round);
            assertTrue(n <= limit && n % 4 == 0);
            int consumed = writer.consumed();
            assertEquals(RtcpValidity.OK, view.wrap(out, 0, n), "round " + round);
            assertEquals(base, view.baseSequenceNumber());
            assertEquals(round & 0xFF, view.feedbackPacketCount());
            Recorder r = new Recorder(view.referenceTimeUs());
            assertEquals(writer.packetStatusCount(), view.forEachPacket(r));
            assertEquals(consumed, r.receivedSeqs.size());
            for (int i = 0; i < consumed; i++) {
                assertEquals(seqs[i], r.receivedSeqs.get(i));
                long error = r.arrivalsUs.get(i) - arrivals[i] + referenceWrapCorrection(arrivals[0]);
                assertTrue(Math.abs(error) <= 125, "round " + round + " packet " + i + " off by " + error);
            }
        }
    }

    /** The 24-bit reference time drops high bits of absolute times; undo that for comparison. */
    private static long referenceWrapCorrection(long firstArrivalUs) {
        long reference = Math.floorDiv(firstArrivalUs, 64_000L);
        long wrapped = (reference << 40) >> 40; // what a reader sees: sign-extended 24 bits
        return (reference - wrapped) * 64_000L;
    }

    static Stream<Arguments> malformed() {
        String head = "8f cd 00 05 00 00 00 01 00 00 00 02 ";
        return Stream.of(
                Arguments.of(
                        "no room for the fixed fields",
                        "8f cd 00 03 00 00 00 01 00 00 00 02 00 00 00 01",
                        RtcpValidity.TRUNCATED),
                Arguments.of("status count 0", head + "00 0a 00 00 00 00 00 01 00 00 00 00", RtcpValidity.TCC_EMPTY),
                Arguments.of(
                        "chunks cover 14 of 15",
                        head + "00 0a 00 0f 00 00 00 01 80 00 00 00",
                        RtcpValidity.TCC_CHUNKS_OVERFLOW),
                Arguments.of(
                        "two large deltas in 2 bytes",
                        head + "00 0a 00 02 00 00 00 01 40 02 00 01",
                        RtcpValidity.TCC_DELTAS_OVERFLOW),
                Arguments.of(
                        "run of reserved symbol",
                        head + "00 0a 00 01 00 00 00 01 60 01 00 00",
                        RtcpValidity.TCC_RESERVED_STATUS),
                Arguments.of(
                        "reserved symbol in 2-bit vector",
                        head + "00 0a 00 01 00 00 00 01 f0 00 00 00",
                        RtcpValidity.TCC_RESERVED_STATUS),
                Arguments.of(
                        "count past 0 chunk only",
                        head + "00 0a ff ff 00 00 00 01 00 00 00 00",
                        RtcpValidity.TCC_CHUNKS_OVERFLOW),
                Arguments.of(
                        "reserved symbol beyond the count is ignored",
                        head + "00 0a 00 01 00 00 00 01 c3 00 00 00",
                        RtcpValidity.OK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void namesTheReason(String name, String hex, RtcpValidity expected) {
        byte[] b = Hex.bytes(hex);
        assertEquals(expected, view.wrap(b, 0, b.length));
        Recorder r = new Recorder(0);
        assertEquals(expected == RtcpValidity.OK ? view.packetStatusCount() : 0, view.forEachPacket(r));
    }

    @Test
    void everyTruncationAndDeltaCutNamesTheReason() {
        byte[] b = Hex.bytes(RtcpFixtures.TRANSPORT_CC);
        ViewAssertions.assertEveryTruncationNamed(view, b);
        // Keep the length field honest but drop trailing words: first deltas, then chunks go missing.
        assertEquals(RtcpValidity.TCC_DELTAS_OVERFLOW, view.wrap(ViewAssertions.shortenedTo(noPadding(b), 11), 0, 48));
        assertEquals(RtcpValidity.TCC_DELTAS_OVERFLOW, view.wrap(ViewAssertions.shortenedTo(noPadding(b), 6), 0, 28));
        assertEquals(RtcpValidity.TCC_CHUNKS_OVERFLOW, view.wrap(ViewAssertions.shortenedTo(noPadding(b), 5), 0, 24));
        assertEquals(RtcpValidity.TRUNCATED, view.wrap(ViewAssertions.shortenedTo(noPadding(b), 3), 0, 16));
        byte[] padTooLarge = b.clone();
        padTooLarge[51] = 60;
        assertEquals(RtcpValidity.BAD_PADDING, view.wrap(padTooLarge, 0, padTooLarge.length));
        byte[] padEatsDeltas = b.clone();
        padEatsDeltas[51] = 8;
        assertEquals(RtcpValidity.TCC_DELTAS_OVERFLOW, view.wrap(padEatsDeltas, 0, padEatsDeltas.length));
    }

    private static byte[] noPadding(byte[] b) {
        byte[] c = b.clone();
        c[0] = (byte) (c[0] & ~0x20);
        return c;
    }
}
