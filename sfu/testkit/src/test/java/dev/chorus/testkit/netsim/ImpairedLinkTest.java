package dev.chorus.testkit.netsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testkit.netsim.ImpairedLink.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ImpairedLink on a fake clock: arrival times are plain numbers, nothing sleeps. */
class ImpairedLinkTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;

    @Test
    void noneDeliversEveryPacketAtItsArrival() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE, 1);
        for (int i = 0; i < 1000; i++) {
            long t = T0 + i * 20 * MS;
            assertEquals(Outcome.DELIVER, link.offer(t, 1200));
            assertEquals(t, link.deliveryNanos());
        }
        assertEquals(1000, link.accepted());
        assertEquals(0, link.droppedLoss());
    }

    @Test
    void independentLossRateWithinToleranceOver100kPackets() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withLoss(0.05), 42);
        int lost = 0;
        for (int i = 0; i < 100_000; i++) {
            if (link.offer(T0 + i * MS, 100) == Outcome.LOSS) {
                lost++;
            }
        }
        assertEquals(lost, link.droppedLoss());
        assertTrue(lost > 4_700 && lost < 5_300, "lost " + lost + " of 100000 at 5%");
    }

    @Test
    void burstyLossKeepsRateAndHasConfiguredMeanBurst() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withLoss(0.10, 4), 7);
        boolean[] pattern = pattern(link, 100_000);
        int lost = 0;
        int bursts = 0;
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i]) {
                lost++;
                if (i == 0 || !pattern[i - 1]) {
                    bursts++;
                }
            }
        }
        double meanBurst = (double) lost / bursts;
        assertTrue(lost > 9_000 && lost < 11_000, "lost " + lost + " of 100000 at 10%");
        assertTrue(meanBurst > 3.6 && meanBurst < 4.4, "mean burst " + meanBurst + ", configured 4");
    }

    @Test
    void independentLossHasShortBursts() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withLoss(0.10, 1), 7);
        boolean[] pattern = pattern(link, 100_000);
        int lost = 0;
        int bursts = 0;
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i]) {
                lost++;
                if (i == 0 || !pattern[i - 1]) {
                    bursts++;
                }
            }
        }
        double meanBurst = (double) lost / bursts;
        // Bernoulli runs have mean length 1/(1-p) = 1.11
        assertTrue(meanBurst > 1.05 && meanBurst < 1.18, "mean burst " + meanBurst);
    }

    @Test
    void sameSeedSameDropPatternOtherSeedDifferent() {
        Impairment imp = Impairment.parse("loss=20%,burst=3");
        boolean[] a = pattern(new ImpairedLink(imp, 99), 10_000);
        boolean[] b = pattern(new ImpairedLink(imp, 99), 10_000);
        boolean[] c = pattern(new ImpairedLink(imp, 100), 10_000);
        assertTrue(java.util.Arrays.equals(a, b), "same seed, same pattern");
        assertFalse(java.util.Arrays.equals(a, c), "another seed, another pattern");
    }

    @Test
    void fullLossDropsEverything() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withLoss(1), 1);
        for (int i = 0; i < 100; i++) {
            assertEquals(Outcome.LOSS, link.offer(T0 + i, 10));
        }
        assertEquals(100, link.droppedLoss());
    }

    @Test
    void delayIsExactAndKeepsOrder() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withDelay(50), 1);
        for (int i = 0; i < 100; i++) {
            long t = T0 + i * 3 * MS;
            assertEquals(Outcome.DELIVER, link.offer(t, 500));
            assertEquals(t + 50 * MS, link.deliveryNanos());
        }
    }

    @Test
    void jitterStaysWithinBoundsAndReorders() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withDelay(30).withJitter(20), 3);
        long previous = Long.MIN_VALUE;
        int reordered = 0;
        for (int i = 0; i < 10_000; i++) {
            long t = T0 + i * MS;
            assertEquals(Outcome.DELIVER, link.offer(t, 100));
            long d = link.deliveryNanos() - t;
            assertTrue(d >= 30 * MS && d <= 50 * MS, "delay " + d);
            if (link.deliveryNanos() < previous) {
                reordered++;
            }
            previous = Math.max(previous, link.deliveryNanos());
        }
        assertTrue(reordered > 1000, "1 ms spacing with 20 ms jitter reorders often, saw " + reordered);
    }

    @Test
    void withoutJitterOrReorderDeliveryIsNonDecreasing() {
        ImpairedLink link = new ImpairedLink(Impairment.parse("loss=10%,burst=2,delay=40ms,rate=2mbps"), 5);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 20_000; i++) {
            if (link.offer(T0 + i * MS / 2, 100 + (i * 37) % 1100) == Outcome.DELIVER) {
                assertTrue(link.deliveryNanos() >= previous, "packet " + i + " overtook");
                previous = link.deliveryNanos();
            }
        }
    }

    @Test
    void reorderHoldsSomePacketsBackSoOthersOvertake() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withDelay(10).withReorder(0.1), 11);
        int held = 0;
        for (int i = 0; i < 10_000; i++) {
            long t = T0 + i * 5 * MS;
            link.offer(t, 100);
            long d = link.deliveryNanos() - t;
            if (d == 10 * MS + ImpairedLink.MIN_REORDER_HOLD_NANOS) {
                held++;
            } else {
                assertEquals(10 * MS, d);
            }
        }
        assertTrue(held > 850 && held < 1150, "held " + held + " of 10000 at 10%");
    }

    @Test
    void rateCapSpacesPacketsBySerialisationTime() {
        // 1000 bytes at 800 kbit/s = 10 ms each
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withRate(800).withQueue(1000), 1);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            assertEquals(Outcome.DELIVER, link.offer(T0, 1000)); // a burst arriving at once
            times.add(link.deliveryNanos());
        }
        for (int i = 0; i < times.size(); i++) {
            assertEquals(T0 + (i + 1) * 10 * MS, times.get(i));
        }
        // after the queue drained, a packet leaves after its own serialisation time only
        assertEquals(Outcome.DELIVER, link.offer(T0 + 1000 * MS, 500));
        assertEquals(T0 + 1005 * MS, link.deliveryNanos());
    }

    @Test
    void rateCapDropsTailWhenQueueWouldExceedQueueMillis() {
        // 1000 bytes at 800 kbit/s = 10 ms each; 50 ms queue: packets waiting more than 50 ms are dropped
        ImpairedLink link = new ImpairedLink(Impairment.parse("rate=800kbps,queue=50ms"), 1);
        int delivered = 0;
        for (int i = 0; i < 20; i++) {
            if (link.offer(T0, 1000) == Outcome.DELIVER) {
                delivered++;
            }
        }
        assertEquals(6, delivered, "waits of 0,10,..,50 ms fit");
        assertEquals(14, link.droppedQueue());
        // the link drains: 60 ms later the queue is empty again
        assertEquals(Outcome.DELIVER, link.offer(T0 + 60 * MS, 1000));
        assertEquals(T0 + 70 * MS, link.deliveryNanos());
    }

    @Test
    void rateCapWithDelayAddsPropagationAfterSerialisation() {
        ImpairedLink link = new ImpairedLink(Impairment.parse("rate=800kbps,delay=25ms"), 1);
        link.offer(T0, 1000);
        assertEquals(T0 + 35 * MS, link.deliveryNanos());
        link.offer(T0, 1000);
        assertEquals(T0 + 45 * MS, link.deliveryNanos());
    }

    @Test
    void parameterChangesApplyToLaterPacketsAndNeverReorderWithoutJitter() {
        ImpairedLink link = new ImpairedLink(Impairment.NONE.withDelay(100), 1);
        link.offer(T0, 100);
        assertEquals(T0 + 100 * MS, link.deliveryNanos());
        link.setImpairment(Impairment.NONE.withDelay(10));
        link.offer(T0 + MS, 100);
        assertEquals(T0 + 100 * MS, link.deliveryNanos(), "a later packet must not overtake the earlier one");
        link.offer(T0 + 200 * MS, 100);
        assertEquals(T0 + 210 * MS, link.deliveryNanos(), "the new delay applies once the old packets are out");

        link.setImpairment(Impairment.NONE.withLoss(1));
        assertEquals(Outcome.LOSS, link.offer(T0 + 300 * MS, 100));
        link.setImpairment(Impairment.NONE);
        assertEquals(Outcome.DELIVER, link.offer(T0 + 301 * MS, 100));
        assertEquals(T0 + 301 * MS, link.deliveryNanos());

        link.setImpairment(Impairment.NONE.withLoss(0.3));
        int lost = 0;
        for (int i = 0; i < 10_000; i++) {
            if (link.offer(T0 + 400 * MS + i * MS, 100) == Outcome.LOSS) {
                lost++;
            }
        }
        assertTrue(lost > 2_700 && lost < 3_300, "lost " + lost + " of 10000 at 30%");
        assertEquals(lost + 1, link.droppedLoss());
    }

    private static boolean[] pattern(ImpairedLink link, int n) {
        boolean[] lost = new boolean[n];
        for (int i = 0; i < n; i++) {
            lost[i] = link.offer(T0 + i * MS, 100) == Outcome.LOSS;
        }
        return lost;
    }
}
