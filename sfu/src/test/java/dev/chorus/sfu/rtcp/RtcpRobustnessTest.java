package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated compounds through the reader and every view: nothing may throw,
 * each verdict is a declared reason, and valid views keep their internal consistency.
 */
class RtcpRobustnessTest {
    private static final int ITERATIONS = 200_000;

    private final RtcpCompoundReader reader = new RtcpCompoundReader();
    private final SenderReportView sr = new SenderReportView();
    private final ReceiverReportView rr = new ReceiverReportView();
    private final SdesView sdes = new SdesView();
    private final ByeView bye = new ByeView();
    private final PliView pli = new PliView();
    private final FirView fir = new FirView();
    private final NackView nack = new NackView();
    private final RembView remb = new RembView();
    private final TransportCcView tcc = new TransportCcView();
    private final RtcpPacketView[] views = {sr, rr, sdes, bye, pli, fir, nack, remb, tcc};
    private final Map<RtcpValidity, Integer> verdicts = new EnumMap<>(RtcpValidity.class);

    private static final class CountingSink implements IntConsumer, TransportCcPacketConsumer {
        int calls;
        int received;

        @Override
        public void accept(int seq) {
            assertTrue(seq >= 0 && seq <= 0xFFFF);
            calls++;
        }

        @Override
        public void onPacket(int seq, boolean isReceived, int deltaUs) {
            assertTrue(seq >= 0 && seq <= 0xFFFF);
            assertTrue(deltaUs % 250 == 0 && (isReceived || deltaUs == 0));
            calls++;
            received += isReceived ? 1 : 0;
        }
    }

    private final CountingSink sink = new CountingSink();

    @Test
    void randomAndMutatedCompoundsNeverThrow() {
        Random random = new Random(0xBADC0DE);
        byte[][] seeds = new byte[RtcpFixtures.ALL.length + 1][];
        for (int i = 0; i < RtcpFixtures.ALL.length; i++) {
            seeds[i] = Hex.bytes(RtcpFixtures.ALL[i]);
        }
        seeds[RtcpFixtures.ALL.length] = RtcpCompoundReaderTest.compound(RtcpFixtures.ALL);
        byte[] b = new byte[1024];
        for (int i = 0; i < ITERATIONS; i++) {
            int len = fill(random, seeds, b);
            RtcpValidity start = reader.reset(b, 0, len);
            assertEquals(RtcpValidity.OK, start);
            int consumed = 0;
            while (reader.next()) {
                assertEquals(consumed, reader.packetOffset());
                consumed += reader.packetLength();
                assertTrue(consumed <= len);
                for (RtcpPacketView view : views) {
                    RtcpValidity v = view.wrap(b, reader.packetOffset(), reader.packetLength());
                    assertNotNull(v);
                    if (v != RtcpValidity.WRONG_TYPE) {
                        verdicts.merge(v, 1, Integer::sum);
                    }
                    if (v == RtcpValidity.OK) {
                        exercise(view);
                    }
                }
            }
            verdicts.merge(reader.error(), 1, Integer::sum);
        }
        for (RtcpValidity v : RtcpValidity.values()) {
            if (v != RtcpValidity.OUT_OF_BOUNDS && v != RtcpValidity.WRONG_TYPE) {
                assertTrue(verdicts.getOrDefault(v, 0) > 0, "never saw " + v + ": " + verdicts);
            }
        }
    }

    private static int fill(Random random, byte[][] seeds, byte[] b) {
        if (random.nextInt(5) == 0) {
            int len = random.nextInt(80);
            for (int i = 0; i < len; i++) {
                b[i] = (byte) random.nextInt(256);
            }
            if (len > 0 && random.nextBoolean()) {
                b[0] = (byte) (0x80 | (b[0] & 0x3F));
            }
            return len;
        }
        byte[] seed = seeds[random.nextInt(seeds.length)];
        System.arraycopy(seed, 0, b, 0, seed.length);
        int len = seed.length;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && len > 0; m++) {
            switch (random.nextInt(6)) {
                case 0 -> b[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(len)] = (byte) random.nextInt(256);
                case 2 -> len = random.nextInt(len + 1);
                case 3 -> {
                    // Aim at header fields: count/FMT, padding bit, length low byte.
                    int at = random.nextInt(Math.min(len, 4));
                    b[at] = (byte) random.nextInt(256);
                }
                case 4 -> {
                    // Zero a 16-bit field: counts and lengths of 0 are classic edge cases.
                    int at = random.nextInt(len) & ~1;
                    b[at] = 0;
                    if (at + 1 < len) {
                        b[at + 1] = 0;
                    }
                }
                default -> {
                    int extra = random.nextInt(16);
                    for (int i = 0; i < extra && len < b.length; i++) {
                        b[len++] = (byte) random.nextInt(256);
                    }
                }
            }
        }
        return len;
    }

    /** Reads everything a caller could read from a valid view and checks cross-invariants. */
    private void exercise(RtcpPacketView view) {
        int end = view.offset() + view.contentLength();
        assertTrue(view.contentLength() >= RtcpHeader.LENGTH && view.contentLength() <= view.packetLength());
        if (view instanceof ReportBlocksView reports) {
            for (int i = 0; i < reports.reportCount(); i++) {
                int lost = reports.cumulativeLost(i);
                assertTrue(lost >= -0x800000 && lost <= 0x7FFFFF);
                assertTrue(reports.delaySinceLastSr(i) >= 0 && reports.fractionLost(i) <= 255);
            }
        } else if (view == sdes) {
            int chunks = 0;
            while (sdes.nextChunk()) {
                chunks++;
                while (sdes.nextItem()) {
                    assertTrue(sdes.itemOffset() + sdes.itemLength() <= end);
                }
            }
            assertEquals(sdes.chunkCount(), chunks);
        } else if (view == bye) {
            for (int i = 0; i < bye.ssrcCount(); i++) {
                assertTrue(bye.ssrc(i) >= 0);
            }
            if (bye.hasReason()) {
                assertTrue(bye.reasonOffset() + bye.reasonLength() <= end);
            }
        } else if (view == fir) {
            for (int i = 0; i < fir.entryCount(); i++) {
                assertTrue(fir.entrySeqNr(i) <= 255);
            }
        } else if (view == nack) {
            sink.calls = 0;
            assertEquals(nack.lostCount(), nack.forEachLost(sink));
            assertEquals(nack.lostCount(), sink.calls);
        } else if (view == remb) {
            assertTrue(remb.bitrateBps() >= 0);
            for (int i = 0; i < remb.ssrcCount(); i++) {
                assertTrue(remb.ssrc(i) >= 0);
            }
        } else if (view == tcc) {
            sink.calls = 0;
            sink.received = 0;
            assertEquals(tcc.packetStatusCount(), tcc.forEachPacket(sink));
            assertEquals(tcc.packetStatusCount(), sink.calls);
            assertEquals(tcc.receivedCount(), sink.received);
        }
    }
}
