package dev.chorus.sfu.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The estimator against {@link SimulatedLink}s on a fake clock: a sender paced at a fixed rate,
 * feedback every 100 ms, as a browser sends it.
 */
class BandwidthEstimatorTest {
    private static final long MS = 1_000_000L;
    private static final int PACKET = 1200;
    private static final long RTT = 60 * MS;

    private final BandwidthEstimator estimator = new BandwidthEstimator(BandwidthEstimator.Settings.defaults());
    private long now;
    /** Receiver clock offset, to show only differences of arrival times matter. */
    private static final long RECEIVER_OFFSET_US = 123_456_789L;

    /** When the estimate first fell below {@link #watchBelowBps}, or -1. */
    private long watchBelowBps = -1;

    private long firstBelowNanos = -1;

    /** Feedback packets sent so far, and the one lost on its way to the SFU (-1: none). */
    private int feedbackNumber;

    private int lostFeedbackNumber = -1;

    /** Sent and not yet reported (send time, arrival time or -1, probe cluster), carried from one run to the next. */
    private final java.util.List<long[]> pending = new java.util.ArrayList<>();

    /** Sends at {@code bps} for {@code millis} over {@code link}; returns the bytes that arrived. */
    private long run(SimulatedLink link, long bps, long millis, int cluster) {
        long interval = PACKET * 8L * 1_000_000_000L / bps;
        long end = now + millis * MS;
        long nextFeedback = now + 100 * MS;
        long nextSend = now;
        long delivered = 0;
        while (now < end) {
            if (nextSend <= nextFeedback) {
                now = nextSend;
                long arrival = link.send(now, PACKET);
                pending.add(new long[] {now, arrival, cluster});
                if (cluster != 0) {
                    estimator.onProbeSent(now, PACKET);
                }
                nextSend += interval;
            } else {
                now = nextFeedback;
                nextFeedback += 100 * MS;
                if (feedbackNumber++ == lostFeedbackNumber) {
                    // What it reported is never reported again (transport-cc feedback is sent once).
                    pending.removeIf(p -> p[1] >= 0 && p[1] <= now);
                    continue;
                }
                estimator.beginFeedback();
                java.util.Iterator<long[]> it = pending.iterator();
                while (it.hasNext()) {
                    long[] p = it.next();
                    if (p[1] >= 0 && p[1] <= now) {
                        estimator.onReceived(p[0], PACKET, p[1] / 1000 + RECEIVER_OFFSET_US, (int) p[2], now);
                        delivered += PACKET;
                        it.remove();
                    } else if (p[1] < 0 && now - p[0] > 250 * MS) {
                        estimator.onLost(p[0], PACKET, (int) p[2], now);
                        it.remove();
                    }
                }
                estimator.endFeedback(now, RTT);
                if (firstBelowNanos < 0 && estimator.estimateBps() < watchBelowBps) {
                    firstBelowNanos = now;
                }
            }
        }
        return delivered;
    }

    @Test
    void aFastPathNeverLowersTheEstimate() {
        long start = estimator.estimateBps();
        run(new SimulatedLink(1).rate(50_000_000), 2_000_000, 10_000, 0);
        assertTrue(estimator.estimateBps() >= start, "estimate " + estimator.estimateBps());
        assertTrue(Math.abs(estimator.ackedBps() - 2_000_000) < 200_000, "acked " + estimator.ackedBps());
        assertEquals(0, estimator.toJson().get("delayDecreases").asLong());
    }

    @Test
    void aThinBottleneckBringsTheEstimateDownToItsRate() {
        run(new SimulatedLink(2).rate(300_000), 1_500_000, 4_000, 0);
        long estimate = estimator.estimateBps();
        assertTrue(estimate < 400_000 && estimate > 150_000, "estimate " + estimate);
        assertTrue(estimator.toJson().get("delayDecreases").asLong() >= 1);
    }

    @Test
    void aReceiverStampingArrivalsLateInBurstsIsNotCongestion() {
        long start = estimator.estimateBps();
        run(new SimulatedLink(10).stalls(1_000, 400), 3_000_000, 10_000, 0);
        assertEquals(start, estimator.estimateBps(), "400 ms stalls every second: " + estimator.toJson());
        assertTrue(estimator.queueDelayNanos() >= 0);
    }

    @Test
    void moderateRandomLossIsNotTakenForCongestion() {
        long start = estimator.estimateBps();
        run(new SimulatedLink(3).loss(0.05), 2_000_000, 10_000, 0);
        assertEquals(start, estimator.estimateBps(), "5 % random loss with no queue: NACK's job, not a cut");
    }

    @Test
    void aStepInPathDelayUnderRandomLossIsNotCongestion() {
        // LossRecoveryBrowserIT's case: a 130 kbps video on an open path that suddenly gets 50 ms more delay
        // and 5 % random loss. The delay reads as a queue until the old base delay ages out, and one second's
        // delivered rate, a dozen packets, dips below 85 % of the sent rate whenever a few are lost close
        // together: together they read as a full bottleneck, and the cut paused the only video. Over many seeds,
        // none may cut.
        int cut = 0;
        StringBuilder cuts = new StringBuilder();
        for (int seed = 100; seed < 140; seed++) {
            BandwidthEstimatorTest t = new BandwidthEstimatorTest();
            SimulatedLink link = new SimulatedLink(seed);
            t.run(link, 130_000, 5_000, 0);
            link.delayMillis(70).loss(0.05);
            t.run(link, 130_000, 15_000, 0);
            if (t.estimator.congestionCuts() > 0) {
                cut++;
                cuts.append(seed).append(": ").append(t.estimator.toJson()).append('\n');
            }
        }
        assertEquals(0, cut, "seeds that cut:\n" + cuts);
    }

    @Test
    void heavyLossWithoutQueueingLowersTheEstimate() {
        long start = estimator.estimateBps();
        run(new SimulatedLink(4).loss(0.4), 2_000_000, 3_000, 0);
        assertTrue(estimator.estimateBps() < start / 2, "estimate " + estimator.estimateBps());
        assertTrue(estimator.toJson().get("lossDecreases").asLong() >= 1);
    }

    @Test
    void growthIsBoundedByWhatWasDelivered() {
        run(new SimulatedLink(5).rate(300_000), 1_500_000, 4_000, 0);
        // The sender now only uses 100 kbps of a path that could carry far more.
        run(new SimulatedLink(6), 100_000, 20_000, 0);
        long estimate = estimator.estimateBps();
        assertTrue(
                estimate <= (long) (1.5 * estimator.ackedBps()) + 100_000 + 50_000,
                "estimate " + estimate + " acked " + estimator.ackedBps());
    }

    @Test
    void aProbeThroughAFreedPathRaisesTheEstimate() {
        run(new SimulatedLink(7).rate(300_000), 1_500_000, 4_000, 0);
        assertTrue(estimator.estimateBps() < 400_000);
        SimulatedLink free = new SimulatedLink(8);
        int cluster = estimator.startProbe(now, 2_000_000);
        run(free, 2_000_000, 400, cluster);
        estimator.onProbeSendingDone(now);
        run(free, 50_000, 500, 0);
        assertEquals(1, estimator.probesSucceeded());
        assertTrue(estimator.estimateBps() > 1_700_000, "estimate " + estimator.toJson());
        assertTrue(!estimator.probing());
    }

    @Test
    void aProbeWhoseFeedbackIsPartlyLostStillMeasuresThePath() {
        // One of the four feedback packets covering a 400 ms probe is lost: a quarter of its packets are never
        // reported, though they arrived. The probe must still show the path's room, not three quarters of it.
        run(new SimulatedLink(21).rate(300_000), 1_500_000, 4_000, 0);
        SimulatedLink free = new SimulatedLink(22);
        int cluster = estimator.startProbe(now, 2_000_000);
        lostFeedbackNumber = feedbackNumber + 2;
        run(free, 2_000_000, 400, cluster);
        estimator.onProbeSendingDone(now);
        run(free, 50_000, 1_500, 0);
        assertEquals(1, estimator.probesSucceeded(), estimator.toJson().toString());
        assertTrue(estimator.estimateBps() > 1_700_000, "estimate " + estimator.toJson());
    }

    @Test
    void aProbeLostWholeInAnOutageFailsOnTheTickInsteadOfHoldingOffEveryLaterProbe() {
        run(new SimulatedLink(10), 500_000, 2_000, 0);
        estimator.startProbe(now, 2_000_000);
        for (int i = 0; i < 20; i++) { // padding sent into a path that is gone: no feedback ever comes
            estimator.onProbeSent(now, 1_000);
            now += 5_000_000;
        }
        estimator.onProbeSendingDone(now);
        now += 500_000_000;
        estimator.onTick(now, 50_000_000);
        assertTrue(estimator.probing(), "not timed out yet");
        now += 600_000_000;
        estimator.onTick(now, 50_000_000);
        assertTrue(!estimator.probing(), "judged without feedback");
        assertEquals(1, estimator.probesFailed());
    }

    @Test
    void aProbeIntoTheSameBottleneckFails() {
        SimulatedLink thin = new SimulatedLink(9).rate(300_000);
        run(thin, 1_500_000, 4_000, 0);
        long before = estimator.estimateBps();
        int cluster = estimator.startProbe(now, 2_000_000);
        run(thin, 2_000_000, 400, cluster);
        estimator.onProbeSendingDone(now);
        run(thin, 50_000, 1_500, 0);
        assertEquals(0, estimator.probesSucceeded());
        assertEquals(1, estimator.probesFailed());
        assertTrue(estimator.estimateBps() <= Math.max(before, 400_000), "estimate " + estimator.estimateBps());
    }

    @Test
    void aSenderThatKeepsOverfillingACapDoesNotDriveTheEstimateBelowIt() {
        // 1.2 Mbps into 300 kbps for 10 s: the queue is full and most packets are lost throughout,
        // but the path still delivers its 300 kbps; the estimate must not fall far below that.
        SimulatedLink thin = new SimulatedLink(11).rate(300_000);
        run(thin, 1_200_000, 10_000, 0);
        long estimate = estimator.estimateBps();
        assertTrue(estimate >= 200_000 && estimate <= 300_000, "estimate " + estimator.toJson());
    }

    @Test
    void aPolicerThatDropsMostPacketsCutsTheEstimateToItsRateNotBelow() {
        // A 300 kbps policer (10 ms queue: loss without queueing delay) under 1.2 Mbps for 10 s:
        // three packets in four are lost, every loss window is heavy, and each cut used to halve
        // what was left, down to the floor, though the path delivers 300 kbps throughout.
        SimulatedLink policer = new SimulatedLink(13).rate(300_000).queueMillis(10);
        run(policer, 1_200_000, 10_000, 0);
        long estimate = estimator.estimateBps();
        assertTrue(
                estimator.toJson().get("lossDecreases").asLong() >= 1,
                estimator.toJson().toString());
        assertTrue(estimate >= 200_000 && estimate <= 300_000, "estimate " + estimator.toJson());
    }

    @Test
    void growthStopsAtTheRateWhereTheLinkCongested() {
        SimulatedLink thin = new SimulatedLink(12).rate(300_000);
        run(thin, 1_200_000, 4_000, 0);
        long capacity = estimator.toJson().get("capacityBps").asLong();
        assertTrue(capacity > 250_000 && capacity <= 320_000, "capacity " + estimator.toJson());
        // The sender fits the link now and nothing congests, for 20 s.
        run(thin, 250_000, 20_000, 0);
        long estimate = estimator.estimateBps();
        assertTrue(estimate <= capacity, "estimate " + estimate + " stays at or below " + capacity);
        assertTrue(estimate >= 250_000, "estimate " + estimate + " grows back to the capacity");
    }

    @Test
    void aCapAfterASuccessfulProbeIsFollowedInOneCut() {
        // SimulcastBrowserIT's case: a probe showed an open path (a lower bound of its capacity,
        // not a bottleneck), then the subscriber's downlink is capped at 300 kbps under 375 kbps of
        // video. Flooring the cut on the probe's rate took three cuts and five seconds to get below
        // the cap, with the video frozen meanwhile.
        SimulatedLink open = new SimulatedLink(14);
        run(open, 375_000, 3_000, 0);
        int cluster = estimator.startProbe(now, 700_000);
        run(open, 700_000, 400, cluster);
        estimator.onProbeSendingDone(now);
        run(open, 375_000, 2_000, 0);
        assertEquals(1, estimator.probesSucceeded(), estimator.toJson().toString());
        assertTrue(estimator.estimateBps() > 600_000, "estimate after the probe " + estimator.toJson());

        assertBelowCapWithinTwoSeconds(new SimulatedLink(15).rate(300_000).queueMillis(200), 375_000);
    }

    @Test
    void aNewCapLongAfterAnEarlierCongestionIsFollowedInOneCut() {
        // A first episode at 1 Mbps, then a long quiet time, then a 300 kbps cap: the old
        // episode's capacity is no floor for the new one.
        run(new SimulatedLink(16).rate(1_000_000), 1_500_000, 3_000, 0);
        assertTrue(
                estimator.toJson().get("delayDecreases").asLong() >= 1,
                estimator.toJson().toString());
        run(new SimulatedLink(17).rate(1_000_000), 700_000, 10_000, 0);
        assertTrue(estimator.estimateBps() > 700_000, "estimate after the quiet time " + estimator.toJson());
        assertBelowCapWithinTwoSeconds(new SimulatedLink(18).rate(300_000).queueMillis(200), 700_000);
    }

    @Test
    void aSenderJustOverACapIsCutBelowItThoughMostOfWhatItSendsArrives() {
        // SimulcastFirefoxIT's case: a video of about 330 kbps with its RTX under a 300 kbps cap with a 200 ms
        // queue. The queue fills in about 2 s, then stays full, losing the tenth that does not fit: 91 % arrives,
        // so "delivered clearly less than sent" never held, and the full queue's level delay was taken for a step
        // in the path's own delay (re-based). The estimate stayed above the cap and the page froze for seconds.
        for (int seed = 40; seed < 60; seed++) {
            BandwidthEstimatorTest t = new BandwidthEstimatorTest();
            t.run(new SimulatedLink(seed), 330_000, 2_000, 0);
            t.watchBelowBps = 300_000;
            long capAt = t.now;
            t.run(new SimulatedLink(seed + 100).rate(300_000).queueMillis(200), 330_000, 6_000, 0);
            assertTrue(t.firstBelowNanos >= 0, "seed " + seed + ": never below the cap: " + t.estimator.toJson());
            long millis = (t.firstBelowNanos - capAt) / MS;
            assertTrue(
                    millis <= 4_000,
                    "seed " + seed + ": below the cap after " + millis + " ms: " + t.estimator.toJson());
            assertTrue(t.estimator.estimateBps() >= 200_000, "seed " + seed + ": " + t.estimator.toJson());
        }
    }

    @Test
    void theQueueLeftWhileTheSenderAnswersACutDoesNotCutAgain() {
        // A subscriber's layer switch waits for a keyframe: after the cut the old rate goes on for
        // a few hundred ms and the queue stays full, then the lower layer fits the cap. One cut.
        SimulatedLink cap = new SimulatedLink(19).rate(300_000).queueMillis(200);
        run(new SimulatedLink(20), 375_000, 2_000, 0);
        watchBelowBps = 300_000;
        for (int i = 0; i < 40 && firstBelowNanos < 0; i++) {
            run(cap, 375_000, 100, 0);
        }
        assertTrue(firstBelowNanos >= 0, "never cut: " + estimator.toJson());
        long cuts = estimator.congestionCuts();
        run(cap, 375_000, 400, 0);
        run(cap, 190_000, 3_000, 0);
        assertEquals(cuts, estimator.congestionCuts(), "cut again on the old rate's queue: " + estimator.toJson());
        assertTrue(estimator.estimateBps() >= 240_000, "estimate " + estimator.toJson());
    }

    /**
     * Sends at {@code bps} into a 300 kbps cap: the estimate must get under the cap within 2 s (the
     * queue fills, stays high for the sustain time, one cut follows) and stay at or above 200 kbps.
     */
    private void assertBelowCapWithinTwoSeconds(SimulatedLink cap, long bps) {
        long capAt = now;
        watchBelowBps = 300_000;
        run(cap, bps, 4_000, 0);
        assertTrue(firstBelowNanos >= 0, "never below the cap: " + estimator.toJson());
        long millis = (firstBelowNanos - capAt) / MS;
        assertTrue(millis <= 2_000, "below the cap after " + millis + " ms: " + estimator.toJson());
        long estimate = estimator.estimateBps();
        assertTrue(estimate >= 200_000 && estimate < 300_000, "estimate " + estimator.toJson());
    }

    @Test
    void rembCapsTheEstimate() {
        estimator.onRemb(800_000);
        assertEquals(800_000, estimator.estimateBps());
    }
}
