package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.cc.RetransmissionBudget;
import dev.chorus.sfu.cc.SentPacketHistory;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtcp.TransportCcPacketConsumer;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.worker.Timer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Congestion control towards one subscriber (one endpoint as receiver): stamps transport-wide
 * sequence numbers on what the endpoint sends, turns the subscriber's transport-cc feedback
 * into a {@link BandwidthEstimator} estimate, and fits the forwarded video into it.
 *
 * <p>Allocation: audio is never dropped for bandwidth, so its rate comes off the estimate
 * first. Video consumers then get layers in priority order (see {@link #prioritize}): screen
 * shares, then the videos the subscriber shows largest (a pinned tile), then the most recent
 * speakers, then subscription order. Each video climbs its {@link QualityLadder}: (spatial,
 * temporal) steps, so a consumer first lowers its frame rate (VP8 temporal layers, no keyframe
 * needed), then steps down a spatial layer, before any video pauses; what does not fit even at the
 * lowest step is paused (counted as {@code BANDWIDTH_PAUSED} drops), the least important first,
 * and only from its lowest step. Going up a step needs 10 % headroom; a video keeps its lowest step down to 90 % of
 * its rate (see {@link #required}). A change needs
 * the condition to hold for {@link #HOLD_NANOS}, so a short dip in the estimate does not make
 * video flicker, except a step down to a lower layer after a congestion cut: the estimator only
 * cuts on sustained evidence (a queue that stayed full, or heavy loss), and holding then lets the
 * queue overflow and freeze the video it is meant to save (a 300 kbps cap froze it 2 to 3 s). While video is paused the SFU probes: padding on a paused consumer's RTX
 * stream at the rate resuming would need (or, without RTX, a trial resume); probes back off
 * from 2 to 8 s while they fail. A resumed consumer restarts on a keyframe.
 *
 * <p>Nothing is decided before the subscriber's first transport-cc feedback: a receiver that
 * did not negotiate transport-cc gets everything, as before. Worker-thread only.
 */
final class SubscriberBandwidth implements TransportCcPacketConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberBandwidth.class);
    static final long HOLD_NANOS = 2_000_000_000L;
    static final long ALLOCATE_INTERVAL_NANOS = 250_000_000L;
    static final long PROBE_TICK_NANOS = 5_000_000L;
    static final long PROBE_DURATION_NANOS = 400_000_000L;
    static final long PROBE_BACKOFF_MIN_NANOS = 2_000_000_000L;
    static final long PROBE_BACKOFF_MAX_NANOS = 8_000_000_000L;
    /** Floor for a video stream's need, so a publisher that went quiet is not resumed into nothing. */
    static final long MIN_VIDEO_NEED_BPS = 100_000;

    private final Endpoint endpoint;
    private final SentPacketHistory history = new SentPacketHistory();
    private final BandwidthEstimator estimator;
    private final RetransmissionBudget retransmissions;
    private final Timer timer;
    private boolean feedbackSeen;
    // state of the feedback being walked (forEachPacket callback)
    private long walkArrivalUs;
    private long walkNowNanos;
    // allocation
    private long overSinceNanos = -1;
    private long underSinceNanos = -1;
    /** The estimator's congestion cuts already answered by a step down. */
    private long cutsAnswered;

    private long nextProbeNanos;
    private long probeBackoffNanos = PROBE_BACKOFF_MIN_NANOS;
    private Consumer probeConsumer;
    private int probeCluster;
    private long probeBytesSent;
    private long lastAllocateNanos = -1;
    private long availableVideoBps = -1;
    private long usedVideoBps;
    /** The video consumers in allocation order, rebuilt each allocation (reused: no garbage). */
    private Consumer[] byPriority = new Consumer[8];

    private int videoCount;
    // counters
    private long feedbackUnknown;
    private long feedbackDuplicates;
    private long pauses;
    private long resumes;
    private long trialResumes;
    private long layerDowns;
    private long layerUps;
    private long paddingPackets;

    SubscriberBandwidth(Endpoint endpoint, Router router) {
        this.endpoint = endpoint;
        this.estimator = new BandwidthEstimator(router.config().congestion().estimator());
        this.retransmissions =
                new RetransmissionBudget(router.config().congestion().retransmissionPercent());
        this.timer = new Timer("bwe:" + endpoint.id(), this::onTimer);
    }

    /** Transport-wide sequence number for a packet about to leave. */
    int onSent(long nowNanos, int bytes, int cluster) {
        return history.onSent(nowNanos, bytes, cluster);
    }

    /**
     * Whether a retransmission of {@code bytes} fits this subscriber's retransmission budget (and
     * takes it). Before the first feedback there is no estimate to budget against: yes.
     */
    boolean allowRetransmission(int bytes, long nowNanos) {
        return !feedbackSeen || retransmissions.tryTake(bytes, estimator.estimateBps(), nowNanos);
    }

    // ------------------------------------------------------------------ feedback

    void onTransportCc(TransportCcView feedback, long nowNanos) {
        estimator.beginFeedback();
        walkArrivalUs = feedback.referenceTimeUs();
        walkNowNanos = nowNanos;
        feedback.forEachPacket(this);
        long succeededBefore = estimator.probesSucceeded();
        estimator.endFeedback(nowNanos, endpoint.rttNanos());
        if (!feedbackSeen) {
            feedbackSeen = true;
            endpoint.router().worker().timers().schedule(timer, nowNanos + ALLOCATE_INTERVAL_NANOS);
        }
        if (estimator.probesSucceeded() > succeededBefore) {
            // The probe found room: act on it now rather than after the hold time.
            lastAllocateNanos = nowNanos;
            allocate(nowNanos, true);
        }
    }

    @Override
    public void onPacket(int seq, boolean received, int deltaUs) {
        if (received) {
            walkArrivalUs += deltaUs;
        }
        int slot = history.find(seq);
        if (slot < 0) {
            feedbackUnknown++;
            return;
        }
        if (received) {
            if (!history.markReported(slot)) {
                feedbackDuplicates++;
                return;
            }
            estimator.onReceived(
                    history.sentNanos(slot),
                    history.size(slot),
                    walkArrivalUs,
                    history.probeCluster(slot),
                    walkNowNanos);
        } else {
            estimator.onLost(history.sentNanos(slot), history.size(slot), history.probeCluster(slot), walkNowNanos);
        }
    }

    void onRemb(long bps) {
        estimator.onRemb(bps);
    }

    // ------------------------------------------------------------------ allocation and probing

    private void onTimer(long nowNanos) {
        if (probeConsumer != null) {
            sendProbePadding(nowNanos);
        }
        if (lastAllocateNanos < 0 || nowNanos - lastAllocateNanos >= ALLOCATE_INTERVAL_NANOS) {
            lastAllocateNanos = nowNanos;
            estimator.onTick(nowNanos, endpoint.rttNanos());
            allocate(nowNanos, false);
        }
        long next = probeConsumer != null ? PROBE_TICK_NANOS : ALLOCATE_INTERVAL_NANOS;
        endpoint.router().worker().timers().schedule(timer, nowNanos + next);
    }

    /**
     * Fits video into the estimate; starts a probe when some video is held back and it is time.
     * {@code probeSucceeded}: a probe just showed room, so going up need not wait the hold time.
     *
     * <p>Two passes over the video consumers in priority order ({@link #prioritize}): first each
     * gets its lowest step (a plain track without temporal layers its only one) while that fits,
     * and is paused when it does not; then, in the same order, each climbs step by step up to the
     * subscriber's preferred layer at its full frame rate while the extra fits. So a subscriber whose link shrinks first loses
     * resolution everywhere, and video only pauses when even the lowest layers do not fit. Going up
     * needs 10 % headroom; keeping the lowest step 90 % of its rate. One change is applied per allocation, after the
     * condition held for
     * {@link #HOLD_NANOS}: a step down for the least important video that must give, a step up
     * for the most important that may take one.
     */
    void allocate(long nowNanos, boolean probeSucceeded) {
        List<Consumer> consumers = endpoint.consumers();
        long audio = 0;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.producer().kind() == MediaKind.AUDIO && !c.isPaused()) {
                audio += c.producer().forwardableBitrateBps(nowNanos);
            }
        }
        long available = estimator.estimateBps() - audio;
        availableVideoBps = available;
        prioritize(consumers);
        long used = 0;
        for (int i = 0; i < videoCount; i++) {
            Consumer c = byPriority[i];
            int first = QualityLadder.first(c.producer(), nowNanos);
            long need = required(need(c, first, nowNanos), c, first);
            if (used + need <= available) {
                c.allocatedLayer = first;
                used += need(c, first, nowNanos);
            } else {
                c.allocatedLayer = -1;
            }
        }
        for (int i = 0; i < videoCount; i++) {
            Consumer c = byPriority[i];
            if (c.allocatedLayer < 0) {
                continue;
            }
            while (c.allocatedLayer < topRung(c)) {
                int next = QualityLadder.next(c.producer(), c.allocatedLayer, nowNanos);
                if (next < 0 || !c.producer().isLayerActive(QualityLadder.spatial(next), nowNanos)) {
                    break; // the publisher does not send it: nothing to climb to
                }
                long extra = need(c, next, nowNanos) - need(c, c.allocatedLayer, nowNanos);
                if (used + withHeadroom(extra, c, next) > available) {
                    break;
                }
                used += extra;
                c.allocatedLayer = next;
            }
        }
        usedVideoBps = used;
        Consumer down = null;
        Consumer up = null;
        Consumer heldBack = null;
        // Down: the least important first; up and probes: the most important first.
        for (int i = videoCount - 1; i >= 0 && down == null; i--) {
            Consumer c = byPriority[i];
            if (c.allocatedLayer < level(c)) {
                down = c;
            }
        }
        for (int i = 0; i < videoCount; i++) {
            Consumer c = byPriority[i];
            int level = level(c);
            if (c.allocatedLayer > level && up == null) {
                up = c;
            }
            if (heldBack == null && level < topRung(c) && (level < 0 || canClimb(c, level, nowNanos))) {
                heldBack = c;
            }
        }
        overSinceNanos = down == null ? -1 : (overSinceNanos < 0 ? nowNanos : overSinceNanos);
        underSinceNanos = up == null || down != null ? -1 : (underSinceNanos < 0 ? nowNanos : underSinceNanos);
        // A congestion cut is answered at once by one step down the ladder (not a pause); further
        // steps wait out the hold or answer the next cut. A pause always waits out the hold: the
        // lowest step often fits once the old layer's queue has drained.
        boolean newCut = estimator.congestionCuts() > cutsAnswered;
        cutsAnswered = estimator.congestionCuts();
        boolean stepAtOnce = newCut && down != null && !lowerPauses(down, nowNanos);
        if (down != null && (stepAtOnce || nowNanos - overSinceNanos >= HOLD_NANOS)) {
            lower(down, audio, used, nowNanos);
            overSinceNanos = -1;
            nextProbeNanos = nowNanos + probeBackoffNanos;
            return;
        }
        if (up != null && down == null && (nowNanos - underSinceNanos >= HOLD_NANOS || probeSucceeded)) {
            raise(
                    up,
                    nowNanos,
                    "estimate " + estimator.estimateBps() / 1000 + " kbps" + (probeSucceeded ? " after a probe" : ""));
            return;
        }
        if (heldBack == null
                || down != null
                || estimator.probing()
                || probeConsumer != null
                || nowNanos < nextProbeNanos) {
            if (heldBack == null) {
                probeBackoffNanos = PROBE_BACKOFF_MIN_NANOS;
            }
            return;
        }
        int level = level(heldBack);
        int next = level < 0
                ? QualityLadder.first(heldBack.producer(), nowNanos)
                : QualityLadder.next(heldBack.producer(), level, nowNanos);
        long extra = need(heldBack, next, nowNanos) - (level < 0 ? 0 : need(heldBack, level, nowNanos));
        startProbe(heldBack, used + audio + extra, nowNanos);
    }

    /**
     * Fills {@link #byPriority} with the video consumers in allocation order: screen shares, then
     * larger views, then more recent speakers, then subscription order (an insertion sort, stable,
     * over a few dozen consumers four times a second).
     */
    private void prioritize(List<Consumer> consumers) {
        if (byPriority.length < consumers.size()) {
            byPriority = new Consumer[Math.max(consumers.size(), byPriority.length * 2)];
        }
        List<String> speakers = endpoint.router().speakerOrderView();
        int n = 0;
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (!isVideo(c)) {
                continue;
            }
            int j = n++;
            while (j > 0 && before(c, byPriority[j - 1], speakers)) {
                byPriority[j] = byPriority[j - 1];
                j--;
            }
            byPriority[j] = c;
        }
        for (int i = n; i < videoCount; i++) {
            byPriority[i] = null;
        }
        videoCount = n;
    }

    /** Whether {@code a} is allocated before {@code b} (ties keep subscription order). */
    private static boolean before(Consumer a, Consumer b, List<String> speakers) {
        boolean screenA = a.producer().params().screen();
        if (screenA != b.producer().params().screen()) {
            return screenA;
        }
        if (a.viewArea() != b.viewArea()) {
            return a.viewArea() > b.viewArea();
        }
        int spokeA = speakers.indexOf(a.producer().publisher().id());
        int spokeB = speakers.indexOf(b.producer().publisher().id());
        if (spokeA != spokeB) {
            return spokeB < 0 || (spokeA >= 0 && spokeA < spokeB);
        }
        return false;
    }

    private static boolean isVideo(Consumer c) {
        return c.producer().kind() == MediaKind.VIDEO && !c.isPaused() && c.isSelected();
    }

    /**
     * Where the consumer stands: -1 paused for bandwidth, else the highest {@link QualityLadder} rung
     * (spatial and temporal layer) it may forward.
     */
    private static int level(Consumer c) {
        return c.isBandwidthPaused() ? -1 : c.bandwidthRung();
    }

    /** The best rung the subscriber wants: its preferred spatial layer with every temporal layer. */
    private static int topRung(Consumer c) {
        return QualityLadder.top(c.preferredLayer());
    }

    /** The ladder goes on above {@code rung} to a layer the publisher sends. */
    private static boolean canClimb(Consumer c, int rung, long nowNanos) {
        int next = QualityLadder.next(c.producer(), rung, nowNanos);
        return next >= 0 && c.producer().isLayerActive(QualityLadder.spatial(next), nowNanos);
    }

    /** What forwarding {@code rung} of the consumer's producer costs, with a floor for a quiet publisher. */
    private static long need(Consumer c, int rung, long nowNanos) {
        return Math.max(MIN_VIDEO_NEED_BPS, QualityLadder.bitrateBps(c.producer(), rung, nowNanos));
    }

    /** Going above where the consumer stands needs 10 % headroom, so the allocation does not flap. */
    private static long withHeadroom(long need, Consumer c, int layer) {
        return layer > level(c) ? need + need / 10 : need;
    }

    /**
     * What the lowest step {@code first} of {@code c} needs of the estimate: 10 % headroom to resume, and a video
     * already forwarding keeps it down to 90 % of its rate, because pausing is the last resort: the estimate is built
     * on what the subscriber received, less than what is forwarded on a lossy path, and after a cut it grows no
     * further than the rate delivered then. A single video left at 93-99 % of its own rate was paused 2 s later
     * (LossRecoveryBrowserIT on CI). Only the lowest step: above it a step down costs frame rate or resolution, not
     * the video, and a layer kept that does not quite fit only congests the link.
     */
    private static long required(long need, Consumer c, int first) {
        return first > level(c) ? need + need / 10 : need - need / 10;
    }

    /**
     * Whether {@link #lower} pauses {@code c}: nothing fits and it stands on its lowest step already.
     * Pause only from the lowest step: the estimate is at its lowest while the higher layer still
     * congests the link, and the lowest layer often fits once that queue has drained.
     */
    private static boolean lowerPauses(Consumer c, long nowNanos) {
        return c.allocatedLayer < 0 && level(c) <= QualityLadder.first(c.producer(), nowNanos);
    }

    private void lower(Consumer c, long audio, long used, long nowNanos) {
        if (!lowerPauses(c, nowNanos) && c.allocatedLayer < 0) {
            c.allocatedLayer = QualityLadder.first(c.producer(), nowNanos);
        }
        if (c.allocatedLayer < 0) {
            c.pauseForBandwidth();
            pauses++;
            LOG.info(
                    "[router={} endpoint={}] video consumer {} paused: estimate {} kbps, audio {} kbps, video in use {} kbps;"
                            + " estimator {}",
                    endpoint.router().id(),
                    endpoint.id(),
                    c.id(),
                    estimator.estimateBps() / 1000,
                    audio / 1000,
                    used / 1000,
                    estimator.toJson());
            return;
        }
        c.setBandwidthRung(c.allocatedLayer, nowNanos);
        layerDowns++;
        LOG.info(
                "[router={} endpoint={}] video consumer {} down to {}: estimate {} kbps; estimator {}",
                endpoint.router().id(),
                endpoint.id(),
                c.id(),
                QualityLadder.name(c.allocatedLayer),
                estimator.estimateBps() / 1000,
                estimator.toJson());
    }

    private void raise(Consumer c, long nowNanos, String why) {
        if (c.isBandwidthPaused()) {
            c.setBandwidthRung(QualityLadder.first(c.producer(), nowNanos), nowNanos);
            resume(c, nowNanos, why);
            return;
        }
        int next = QualityLadder.next(c.producer(), c.bandwidthRung(), nowNanos);
        int layer = next < 0 ? c.bandwidthRung() : next;
        c.setBandwidthRung(layer, nowNanos);
        layerUps++;
        underSinceNanos = -1;
        probeBackoffNanos = PROBE_BACKOFF_MIN_NANOS;
        LOG.info(
                "[router={} endpoint={}] video consumer {} up to {}: {}",
                endpoint.router().id(),
                endpoint.id(),
                c.id(),
                QualityLadder.name(layer),
                why);
    }

    private void resume(Consumer c, long nowNanos, String why) {
        c.resumeFromBandwidth(nowNanos);
        resumes++;
        underSinceNanos = -1;
        probeBackoffNanos = PROBE_BACKOFF_MIN_NANOS;
        LOG.info(
                "[router={} endpoint={}] video consumer {} resumed: {}",
                endpoint.router().id(),
                endpoint.id(),
                c.id(),
                why);
    }

    private void startProbe(Consumer paused, long needBps, long nowNanos) {
        nextProbeNanos = nowNanos + probeBackoffNanos;
        probeBackoffNanos = Math.min(PROBE_BACKOFF_MAX_NANOS, probeBackoffNanos * 2);
        Consumer padder = paused.canSendPadding() ? paused : null;
        if (padder == null) {
            List<Consumer> consumers = endpoint.consumers();
            for (int i = 0; i < consumers.size() && padder == null; i++) {
                if (consumers.get(i).canSendPadding()) {
                    padder = consumers.get(i);
                }
            }
        }
        if (padder == null) {
            // No RTX stream to pad on: resuming is the probe; congestion pauses it again if it must.
            trialResumes++;
            resume(paused, nowNanos, "trial (no RTX to probe with)");
            return;
        }
        probeConsumer = padder;
        probeBytesSent = 0;
        probeCluster = estimator.startProbe(nowNanos, needBps + needBps / 2);
        endpoint.router().worker().timers().schedule(timer, nowNanos + PROBE_TICK_NANOS);
    }

    private void sendProbePadding(long nowNanos) {
        long elapsed = nowNanos - estimator.probeStartNanos();
        if (elapsed >= PROBE_DURATION_NANOS || probeConsumer.isClosed()) {
            estimator.onProbeSendingDone(nowNanos);
            retransmissions.creditProbe(probeBytesSent, nowNanos);
            probeConsumer = null;
            return;
        }
        long due = estimator.probeTargetBps() * (elapsed + PROBE_TICK_NANOS) / 8 / 1_000_000_000L;
        int sentNow = 0;
        while (probeBytesSent < due && sentNow < 64) {
            int bytes = probeConsumer.sendPadding(probeCluster, nowNanos);
            if (bytes <= 0) {
                break;
            }
            probeBytesSent += bytes;
            estimator.onProbeSent(nowNanos, bytes);
            paddingPackets++;
            sentNow++;
        }
    }

    /**
     * The subscriber's path changed (ICE restart): what the probe backoff learned was about the old path, so video
     * held back may be probed for again at the next allocation.
     */
    void pathChanged(long nowNanos) {
        probeBackoffNanos = PROBE_BACKOFF_MIN_NANOS;
        nextProbeNanos = nowNanos;
    }

    void close() {
        endpoint.router().worker().timers().cancel(timer);
        probeConsumer = null;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("feedbackSeen", feedbackSeen);
        n.set("estimator", estimator.toJson());
        retransmissions.addJson(n);
        n.put("packetsStamped", history.sent());
        n.put("availableForVideoBps", availableVideoBps);
        n.put("videoInUseBps", usedVideoBps);
        n.put("pauses", pauses);
        n.put("resumes", resumes);
        n.put("trialResumes", trialResumes);
        n.put("layerDowns", layerDowns);
        n.put("layerUps", layerUps);
        n.put("paddingPackets", paddingPackets);
        n.put("feedbackUnknownSeq", feedbackUnknown);
        n.put("feedbackDuplicates", feedbackDuplicates);
        ArrayNode order = n.putArray("priorityOrder");
        for (int i = 0; i < videoCount; i++) {
            order.add(byPriority[i].id());
        }
        return n;
    }
}
