package dev.chorus.sfu.cc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.config.CheckedConfig;

/**
 * Send-side bandwidth estimate towards one subscriber, from its transport-cc feedback.
 *
 * <p>Three signals, each aimed at a failure the others miss:
 * <ul>
 *   <li><b>Queueing delay</b>: one-way delay of each packet (arrival on the receiver's clock minus our
 *       send time) above the lowest seen in the last {@link #BASE_WINDOW_SECONDS} s. When it stays above
 *       {@link #OVERUSE_QUEUE_NANOS} for {@link #OVERUSE_SUSTAIN_NANOS} <em>and</em> the receiver got
 *       clearly less than was sent over the last second, a bottleneck is full: the estimate falls to 85 % of the
 *       delivered rate. Both conditions, because a receiver starved of CPU stamps arrivals late in bursts (delay
 *       without loss of rate), which must not read as congestion. A delay that jumped and then stays level while
 *       everything sent is delivered is the path's own delay having grown: after {@link #REBASE_NANOS} it becomes
 *       the new base.</li>
 *   <li><b>Heavy loss</b> (over 20 % of media packets in two windows running): a policer, or a
 *       drop-tail queue without delay growth. Moderate random loss (a few %) is left to NACK/RTX: it
 *       is not congestion and cutting video would not cure it.</li>
 *   <li><b>Probes</b>: bursts of padding at a target rate. The rate they arrive at is capacity the
 *       media did not use, which is how the estimate climbs back after video was paused.</li>
 * </ul>
 * Without congestion the estimate grows 8 % a second, but never beyond 1.5 times the delivered
 * rate plus 100 kbps: an estimate nothing has tested is not an estimate. Decreases are spaced by at
 * least an RTT (and 300 ms) so one congestion episode cuts once.
 *
 * <p>Two rules keep a congested link from being misread (a capped downlink, traced with Firefox):
 * <ul>
 *   <li><b>No cut below what the path delivers.</b> Neither signal takes the estimate below 85 % of
 *       the rate the receiver got over the last second: under a rate cap that rate is the cap. And
 *       only packets sent after the last decrease count as evidence for the next one (for the
 *       queue, from {@link #RESPONSE_NANOS} after it): the queue and losses of the old rate say
 *       nothing about the rate just cut to, and counting them cut again and again until video
 *       paused.</li>
 *   <li><b>No growth past a known bottleneck.</b> A congestion decrease remembers the delivered rate
 *       as the link's capacity; growth stops there (it follows the delivered rate upwards if the
 *       path shows more). Only a probe that gets through above it raises it: growing into the same
 *       bottleneck would climb a layer, congest and drop again.</li>
 * </ul>
 *
 * <p>Feed one feedback packet as {@link #beginFeedback}, a {@link #onReceived} or {@link #onLost}
 * per reported packet, then {@link #endFeedback}. Worker-thread only; allocates nothing per call.
 */
public final class BandwidthEstimator {
    static final int BASE_WINDOW_SECONDS = 10;
    static final long OVERUSE_QUEUE_NANOS = 50_000_000L;
    static final long UNDERUSE_QUEUE_NANOS = 20_000_000L;
    static final double HEAVY_LOSS = 0.20;
    static final double LOW_LOSS = 0.10;
    static final long MIN_DECREASE_INTERVAL_NANOS = 300_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Queueing delay must stay high this long: a stalled receiver's clock produces short spikes. */
    static final long OVERUSE_SUSTAIN_NANOS = 500_000_000L;
    /**
     * ... and the path must deliver clearly less than was sent, or lose at least {@link #OVERUSE_LOSS} of what was sent
     * while the queue stayed high: a queue that only delays is not a bottleneck, but a full one drops what does not
     * fit, and a sender only a tenth over a cap delivers 91 % (SimulcastFirefoxIT: the estimate stayed above a 300
     * kbps cap for 9 s, the video frozen 2.6 s).
     */
    static final double OVERUSE_DELIVERY_RATIO = 0.85;

    static final double OVERUSE_LOSS = 0.03;
    /** Fewer packets than this since the queue went high say nothing about its loss. */
    static final int OVERUSE_LOSS_MIN_PACKETS = 20;
    /** A decrease keeps at least this share of the delivered rate. */
    static final double DELIVERED_FLOOR = 0.85;
    /**
     * Queueing of packets sent this soon after a cut is no evidence for the next: the answer to a cut
     * (a lower simulcast layer) starts only at that layer's keyframe, and until then the old rate
     * keeps the queue full; cutting again on it paused video that the first cut had made fit.
     */
    static final long RESPONSE_NANOS = 500_000_000L;
    /**
     * A queueing delay that jumped (from none to its level in one feedback) and then stays level this long while the
     * path delivers all that was sent is the path's own delay having moved (a new route, 50 ms more): it becomes the
     * new base. Until the old base aged out of its {@link #BASE_WINDOW_SECONDS} s window it read as a full queue, and
     * with a few random losses close together as congestion (LossRecoveryBrowserIT, 5 % loss and 50 ms more delay: a
     * cut paused the only video). A queue that a bottleneck fills grows to its level over several feedbacks instead
     * (a sender a tenth over a 300 kbps cap fills a 200 ms queue in 2 s), and then stays level while full.
     */
    static final long REBASE_NANOS = 500_000_000L;
    /**
     * A jump: from no queue to the level within this (two or three feedbacks, since one feedback may average packets
     * from before and after the step).
     */
    static final long JUMP_NANOS = 250_000_000L;
    /** How far one feedback's queueing delay may stray from where it went level and still be level. */
    static final long LEVEL_TOLERANCE_NANOS = 10_000_000L;
    /** Cuts this close together are one congestion episode: the later ones floor on the earlier. */
    static final long CUT_FLOOR_MEMORY_NANOS = 3_000_000_000L;

    /**
     * @param startBps estimate before any feedback (the SFU forwards existing streams, so start high
     *                 enough for them and let evidence lower it)
     */
    public record Settings(long startBps, long minBps, long maxBps) {
        public Settings {
            if (minBps <= 0 || minBps > startBps || startBps > maxBps) {
                throw new IllegalArgumentException("bandwidth settings need 0 < min <= start <= max");
            }
        }

        /** The {@code chorus.media} defaults of reference.conf. */
        public static Settings defaults() {
            return from(CheckedConfig.mediaReference());
        }

        /** Reads the estimator's keys of {@code chorus.media}. */
        public static Settings from(CheckedConfig media) {
            long min = media.longValue("min-bitrate", bps -> bps > 0, "must be positive");
            long max = media.longValue("max-bitrate", bps -> bps >= min, "must be at least min-bitrate (" + min + ")");
            long start = media.longValue(
                    "start-bitrate",
                    bps -> bps >= min && bps <= max,
                    "must be min-bitrate..max-bitrate (" + min + ".." + max + " bits/s)");
            return new Settings(start, min, max);
        }
    }

    private final Settings settings;
    private double estimateBps;
    private long rembCapBps = Long.MAX_VALUE;
    private long lastUpdateNanos = -1;
    private long lastDecreaseNanos = Long.MIN_VALUE / 2;
    /** Delivered rate when congestion last cut the estimate: where growth stops; -1 unknown. */
    private long capacityBps = -1;
    /** Delivered rate at the last cut (probes leave it alone): the next cut's floor. */
    private long lastCutCapacityBps = -1;

    // queueing delay
    private final long[] baseMin = new long[BASE_WINDOW_SECONDS];
    private final long[] baseEpoch = new long[BASE_WINDOW_SECONDS];
    private double queueNanos;
    private boolean queueKnown;
    private long fbDelaySum;
    private int fbDelayCount;

    // loss over windows of media packets
    private int lossWindowPackets;
    private int lossWindowLost;
    private long lossWindowStart = -1;
    private double lossRatio;
    private boolean lossFresh;

    // delivered rate over the last second of arrivals, and the rate the same reports were sent at
    private final WindowRate delivered = new WindowRate();
    private final WindowRate sentRate = new WindowRate();
    private long fbBytes;
    private long fbSentBytes;
    private long fbLastArrivalUs = Long.MIN_VALUE;
    private long fbLastSendNanos = Long.MIN_VALUE;
    private long ackedBps = -1;
    private long sentBps = -1;
    /** Since when the queueing delay has stayed above the overuse threshold, or -1. */
    private long queueHighSinceNanos = -1;
    /** Since when the queueing delay has stayed up but level while the path delivered what was sent, or -1. */
    private long queueFlatSinceNanos = -1;
    /** When a feedback last showed no queue (at most the underuse threshold), or -1. */
    private long noQueueAtNanos = -1;
    /** The level a jump of the queueing delay went to (ns), or -1 while there is none. */
    private double jumpLevelNanos = -1;
    /**
     * What arrived while the queue stayed high: a full queue keeps the bottleneck busy, so this is
     * its rate, free of what arrived before the link shrank (the last second's rate is not).
     */
    private long queuedBytes;
    /** Of the packets reported while the queue stayed high (sent after the last cut's response time), how many. */
    private int queuedPackets;
    /** ... and how many of them were lost. */
    private int queuedLost;
    /** This feedback's share of those two (media packets sent after the response time of the last cut). */
    private int fbPackets;

    private int fbLost;

    private long queuedFirstArrivalUs = Long.MAX_VALUE;
    private long queuedLastArrivalUs = Long.MIN_VALUE;
    private long fbFirstArrivalUs = Long.MAX_VALUE;

    private int heavyLossWindows;

    // probing
    private int nextCluster = 1;
    private final ProbeCluster probe = new ProbeCluster();

    // counters for /debug
    private long feedbacks;
    private long packetsReported;
    private long packetsLost;
    private long delayDecreases;
    private long lossDecreases;
    private long rebases;
    private long probesStarted;
    private long probesSucceeded;
    private long probesFailed;
    private long lastProbeBps = -1;

    public BandwidthEstimator(Settings settings) {
        this.settings = settings;
        this.estimateBps = settings.startBps();
        java.util.Arrays.fill(baseEpoch, -1);
    }

    /** The current estimate in bits per second, within the settings' bounds and any REMB cap. */
    public long estimateBps() {
        return Math.min((long) estimateBps, rembCapBps);
    }

    /** Rate the receiver got over the last second of arrivals, or -1 before enough feedback. */
    public long ackedBps() {
        return ackedBps;
    }

    public long queueDelayNanos() {
        return queueKnown ? (long) queueNanos : 0;
    }

    /** A REMB from the receiver caps the estimate (values are checked by the caller). */
    public void onRemb(long bps) {
        rembCapBps = Math.max(settings.minBps(), bps);
    }

    // ------------------------------------------------------------------ feedback

    public void beginFeedback() {
        feedbacks++;
        fbDelaySum = 0;
        fbDelayCount = 0;
        fbBytes = 0;
        fbSentBytes = 0;
        fbPackets = 0;
        fbLost = 0;
        fbFirstArrivalUs = Long.MAX_VALUE;
    }

    public void onReceived(long sentNanos, int bytes, long arrivalUs, int cluster, long nowNanos) {
        packetsReported++;
        long owd = arrivalUs * 1000 - sentNanos;
        updateBase(owd, nowNanos);
        fbDelaySum += owd - baseDelay(nowNanos);
        fbDelayCount++;
        fbBytes += bytes;
        fbLastArrivalUs = Math.max(fbLastArrivalUs, arrivalUs);
        fbFirstArrivalUs = Math.min(fbFirstArrivalUs, arrivalUs);
        countSent(sentNanos, bytes);
        if (cluster != 0) {
            if (cluster == probe.id()) {
                probe.onReceived(sentNanos, arrivalUs);
            }
            return;
        }
        countForLoss(false, sentNanos, nowNanos);
    }

    /** A packet reported lost; {@code sentNanos}/{@code bytes} from the send history. */
    public void onLost(long sentNanos, int bytes, int cluster, long nowNanos) {
        countSent(sentNanos, bytes);
        packetsReported++;
        packetsLost++;
        if (cluster != 0) {
            if (cluster == probe.id()) {
                probe.onLost();
            }
            return;
        }
        countForLoss(true, sentNanos, nowNanos);
    }

    private void countSent(long sentNanos, int bytes) {
        fbSentBytes += bytes;
        fbLastSendNanos = Math.max(fbLastSendNanos, sentNanos);
    }

    private void countForLoss(boolean lost, long sentNanos, long nowNanos) {
        if (sentNanos < lastDecreaseNanos) {
            return; // sent at the rate before the last cut: no evidence about the current one
        }
        if (sentNanos >= lastDecreaseNanos + RESPONSE_NANOS) {
            fbPackets++;
            if (lost) {
                fbLost++;
            }
        }
        if (lossWindowStart < 0) {
            lossWindowStart = nowNanos;
        }
        lossWindowPackets++;
        if (lost) {
            lossWindowLost++;
        }
    }

    /** Ends one feedback packet: updates the delivered rate, the signals, then the estimate. */
    public void endFeedback(long nowNanos, long rttNanos) {
        double sample = -1;
        if (fbDelayCount > 0) {
            sample = (double) fbDelaySum / fbDelayCount;
            queueNanos = queueKnown ? queueNanos + 0.3 * (sample - queueNanos) : sample;
            queueKnown = true;
        }
        if (fbBytes > 0) {
            ackedBps = delivered.add(fbLastArrivalUs, fbBytes);
        }
        if (fbSentBytes > 0) {
            sentBps = sentRate.add(fbLastSendNanos / 1000, fbSentBytes);
        }
        trackLevelQueue(sample, deliveryShortfall(), nowNanos);
        if (queueKnown && queueNanos > OVERUSE_QUEUE_NANOS) {
            // The sustain time starts with packets sent after the last cut: the old queue must drain first.
            if (queueHighSinceNanos < 0 && fbLastSendNanos >= lastDecreaseNanos + RESPONSE_NANOS) {
                queueHighSinceNanos = nowNanos;
                resetQueuedRate();
            } else if (queueHighSinceNanos >= 0) {
                queuedPackets += fbPackets;
                queuedLost += fbLost;
                if (fbBytes > 0) {
                    queuedBytes += fbBytes;
                    queuedFirstArrivalUs = Math.min(queuedFirstArrivalUs, fbFirstArrivalUs);
                    queuedLastArrivalUs = Math.max(queuedLastArrivalUs, fbLastArrivalUs);
                }
            }
        } else {
            queueHighSinceNanos = -1;
        }
        if (lossWindowPackets >= 50 || (lossWindowPackets >= 10 && nowNanos - lossWindowStart >= NANOS_PER_SECOND)) {
            lossRatio = (double) lossWindowLost / lossWindowPackets;
            lossFresh = true;
            heavyLossWindows = lossRatio > HEAVY_LOSS ? heavyLossWindows + 1 : 0;
            lossWindowPackets = 0;
            lossWindowLost = 0;
            lossWindowStart = -1;
        }
        evaluateProbe(nowNanos, rttNanos);
        update(nowNanos, rttNanos);
    }

    private void update(long nowNanos, long rttNanos) {
        long dt = lastUpdateNanos < 0 ? 0 : nowNanos - lastUpdateNanos;
        lastUpdateNanos = nowNanos;
        boolean mayDecrease = nowNanos - lastDecreaseNanos >= Math.max(MIN_DECREASE_INTERVAL_NANOS, rttNanos);
        boolean queueHigh = queueKnown && queueNanos > OVERUSE_QUEUE_NANOS;
        boolean overuse = queueHigh
                && queueHighSinceNanos >= 0
                && nowNanos - queueHighSinceNanos >= OVERUSE_SUSTAIN_NANOS
                && (deliveryShortfall() || queuedLossy());
        // A loss ratio counts once, on the feedback that completed its window.
        boolean freshLoss = lossFresh;
        lossFresh = false;
        if (overuse) {
            if (mayDecrease && ackedBps > 0) {
                decrease(DELIVERED_FLOOR * bottleneckBps(), nowNanos);
                delayDecreases++;
            }
        } else if (freshLoss && heavyLossWindows >= 2) {
            if (mayDecrease) {
                double cut = estimateBps * (1 - 0.5 * lossRatio);
                decrease(ackedBps > 0 ? Math.max(cut, DELIVERED_FLOOR * ackedBps) : cut, nowNanos);
                lossDecreases++;
            }
        } else if (queueNanos < UNDERUSE_QUEUE_NANOS && lossRatio < LOW_LOSS && ackedBps > 0 && probe.id() == 0) {
            if (capacityBps >= 0 && ackedBps > capacityBps) {
                capacityBps = ackedBps; // the path now delivers more than when it last congested
            }
            double grown = estimateBps * (1 + 0.08 * Math.min(dt, NANOS_PER_SECOND) / NANOS_PER_SECOND);
            double ceiling = 1.5 * ackedBps + 100_000;
            if (capacityBps >= 0) {
                ceiling = Math.min(ceiling, capacityBps);
            }
            estimateBps = Math.min(grown, Math.max(estimateBps, ceiling));
        }
        estimateBps = Math.max(settings.minBps(), Math.min(settings.maxBps(), estimateBps));
    }

    /**
     * The bottleneck's rate, as what arrived while the queue stayed high (at least the sustain
     * time of it), or the last second's delivered rate when that span is too short to tell.
     */
    private long bottleneckBps() {
        long spanUs = queuedLastArrivalUs - queuedFirstArrivalUs;
        if (queuedBytes <= 0 || spanUs < OVERUSE_SUSTAIN_NANOS / 2000) {
            return ackedBps;
        }
        return Math.min(ackedBps, queuedBytes * 8 * 1_000_000L / spanUs);
    }

    private void resetQueuedRate() {
        queuedBytes = 0;
        queuedFirstArrivalUs = Long.MAX_VALUE;
        queuedLastArrivalUs = Long.MIN_VALUE;
        queuedPackets = 0;
        queuedLost = 0;
    }

    /** What was sent while the queue stayed high lost at least {@link #OVERUSE_LOSS}: the queue is full. */
    private boolean queuedLossy() {
        return queuedPackets >= OVERUSE_LOSS_MIN_PACKETS && queuedLost >= OVERUSE_LOSS * queuedPackets;
    }

    /**
     * A congestion cut to {@code targetBps} (never up), but within one congestion episode not below
     * 85 % of the capacity the previous cut measured: one second's delivered rate swings with bursts
     * of loss, and the next cut (which sets the capacity anew) still follows a link that really
     * shrank. Only a cut's measurement is a floor, and only for {@link #CUT_FLOOR_MEMORY_NANOS}: a
     * probe's result is a lower bound of an open path, and an old cut says nothing of a link capped
     * since; flooring on them took three cuts and five seconds to follow a new 300 kbps cap.
     */
    private void decrease(double targetBps, long nowNanos) {
        boolean sameEpisode = lastCutCapacityBps > 0 && nowNanos - lastDecreaseNanos < CUT_FLOOR_MEMORY_NANOS;
        double floor = sameEpisode ? DELIVERED_FLOOR * lastCutCapacityBps : 0;
        estimateBps = Math.min(estimateBps, Math.max(targetBps, floor));
        lastDecreaseNanos = nowNanos;
        queueHighSinceNanos = -1;
        lossWindowPackets = 0;
        lossWindowLost = 0;
        lossWindowStart = -1;
        if (ackedBps > 0) {
            capacityBps = bottleneckBps();
            lastCutCapacityBps = capacityBps;
        }
        resetQueuedRate();
    }

    /** The receiver got clearly less than was sent over the last second (both rates known). */
    private boolean deliveryShortfall() {
        return ackedBps > 0 && sentBps > 0 && ackedBps < OVERUSE_DELIVERY_RATIO * sentBps;
    }

    /**
     * Re-bases once one feedback after another has shown the same queueing delay (above the underuse threshold, so
     * not noise) for {@link #REBASE_NANOS} while nothing fell short: see {@link #REBASE_NANOS}.
     */
    private void trackLevelQueue(double sample, boolean shortfall, long nowNanos) {
        if (sample < 0) {
            return; // nothing arrived in this feedback: no evidence either way
        }
        if (sample <= UNDERUSE_QUEUE_NANOS) {
            noQueueAtNanos = nowNanos;
            jumpLevelNanos = -1;
            queueFlatSinceNanos = -1;
            return;
        }
        if (jumpLevelNanos < 0 || Math.abs(sample - jumpLevelNanos) > LEVEL_TOLERANCE_NANOS) {
            if (noQueueAtNanos < 0 || nowNanos - noQueueAtNanos > JUMP_NANOS) {
                jumpLevelNanos = -1; // it grew to here: a queue filling, not the path's delay stepping
                queueFlatSinceNanos = -1;
                return;
            }
            jumpLevelNanos = sample; // a jump, or still settling on its level
            queueFlatSinceNanos = -1;
        }
        if (shortfall) {
            queueFlatSinceNanos = -1; // random losses close together: wait for the path to deliver again
        } else if (queueFlatSinceNanos < 0) {
            queueFlatSinceNanos = nowNanos;
        } else if (nowNanos - queueFlatSinceNanos >= REBASE_NANOS) {
            rebase();
        }
    }

    /** The path's delay moved: forget the base, so the next packets set it anew. */
    private void rebase() {
        java.util.Arrays.fill(baseEpoch, -1);
        queueKnown = false;
        queueNanos = 0;
        queueHighSinceNanos = -1;
        queueFlatSinceNanos = -1;
        noQueueAtNanos = -1;
        jumpLevelNanos = -1;
        resetQueuedRate();
        rebases++;
    }

    private void updateBase(long owd, long nowNanos) {
        long epoch = nowNanos / NANOS_PER_SECOND;
        int i = (int) Math.floorMod(epoch, (long) BASE_WINDOW_SECONDS);
        if (baseEpoch[i] != epoch) {
            baseEpoch[i] = epoch;
            baseMin[i] = owd;
        } else if (owd < baseMin[i]) {
            baseMin[i] = owd;
        }
    }

    private long baseDelay(long nowNanos) {
        long epoch = nowNanos / NANOS_PER_SECOND;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < BASE_WINDOW_SECONDS; i++) {
            if (baseEpoch[i] >= 0 && epoch - baseEpoch[i] < BASE_WINDOW_SECONDS && baseMin[i] < min) {
                min = baseMin[i];
            }
        }
        return min;
    }

    // ------------------------------------------------------------------ probing

    /** Starts a probe cluster; tag its padding packets with the returned id. */
    public int startProbe(long nowNanos, long targetBps) {
        int id = nextCluster++;
        if (nextCluster == Integer.MAX_VALUE) {
            nextCluster = 1;
        }
        probesStarted++;
        probe.start(id, nowNanos, targetBps);
        return id;
    }

    public boolean probing() {
        return probe.id() != 0;
    }

    public long probeTargetBps() {
        return probe.targetBps();
    }

    public long probeStartNanos() {
        return probe.startNanos();
    }

    /** A padding packet of the active probe left. */
    public void onProbeSent(long nowNanos, int bytes) {
        probe.onSent(nowNanos, bytes);
    }

    /** The active probe sent its last packet; it is judged once its feedback is in. */
    public void onProbeSendingDone(long nowNanos) {
        probe.sendingDone(nowNanos);
    }

    /**
     * The allocation tick: a probe whose feedback never comes (every padding packet lost to an outage, and nothing
     * else sent to report on) is judged failed once it timed out, instead of holding off every later probe.
     */
    public void onTick(long nowNanos, long rttNanos) {
        evaluateProbe(nowNanos, rttNanos);
    }

    private void evaluateProbe(long nowNanos, long rttNanos) {
        if (!probe.readyToJudge(nowNanos, rttNanos)) {
            return;
        }
        long result = probe.resultBps();
        if (result > 0) {
            probesSucceeded++;
            lastProbeBps = result;
            estimateBps = Math.max(estimateBps, Math.min(settings.maxBps(), 0.95 * result));
            capacityBps = Math.max(capacityBps, result);
            // Losses counted before the probe describe the path it has just shown to be better.
            lossWindowPackets = 0;
            lossWindowLost = 0;
            lossWindowStart = -1;
            lossRatio = 0;
        } else {
            probesFailed++;
            lastProbeBps = 0;
        }
        probe.end();
    }

    /** Congestion cuts so far (delay and loss): a verdict on the path, not a dip to wait out. */
    public long congestionCuts() {
        return delayDecreases + lossDecreases;
    }

    public long probesSucceeded() {
        return probesSucceeded;
    }

    public long probesFailed() {
        return probesFailed;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("estimateBps", estimateBps());
        n.put("ackedBps", ackedBps);
        n.put("sentBps", sentBps);
        n.put("capacityBps", capacityBps);
        n.put("queueDelayMillis", queueDelayNanos() / 1e6);
        n.put("lossRatio", lossRatio);
        n.put("rembCapBps", rembCapBps == Long.MAX_VALUE ? -1 : rembCapBps);
        n.put("feedbacks", feedbacks);
        n.put("packetsReported", packetsReported);
        n.put("packetsLost", packetsLost);
        n.put("delayDecreases", delayDecreases);
        n.put("lossDecreases", lossDecreases);
        n.put("rebases", rebases);
        n.put("probesStarted", probesStarted);
        n.put("probesSucceeded", probesSucceeded);
        n.put("probesFailed", probesFailed);
        n.put("lastProbeBps", lastProbeBps);
        n.put("probing", probing());
        return n;
    }
}
