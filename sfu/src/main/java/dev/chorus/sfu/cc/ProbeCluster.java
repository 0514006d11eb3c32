package dev.chorus.sfu.cc;

/**
 * One bandwidth probe's bookkeeping: its padding packets as they leave and as the receiver's transport-cc
 * feedback reports them, and from that the rate the path carried. {@link BandwidthEstimator} owns one and
 * reuses it for each probe. Worker-thread only; allocates nothing.
 */
final class ProbeCluster {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Packets a probe may lose whatever its size, before a tenth of it is more. */
    static final int LOSS_SLACK = 2;

    private int id;
    private long targetBps;
    private long startNanos;
    private long endNanos = -1;
    private int sentPackets;
    private long sentBytes;
    private long firstSendNanos = -1;
    private long lastSendNanos;
    private int lastSendBytes;
    private int received;
    private int lost;
    private long firstArrivalUs = Long.MAX_VALUE;
    private long firstArrivalSentNanos;
    private long lastArrivalUs = Long.MIN_VALUE;
    private long lastArrivalSentNanos;

    void start(int clusterId, long nowNanos, long bps) {
        id = clusterId;
        targetBps = bps;
        startNanos = nowNanos;
        endNanos = -1;
        sentPackets = 0;
        sentBytes = 0;
        firstSendNanos = -1;
        received = 0;
        lost = 0;
        firstArrivalUs = Long.MAX_VALUE;
        lastArrivalUs = Long.MIN_VALUE;
        firstArrivalSentNanos = 0;
        lastArrivalSentNanos = 0;
    }

    /** The probe's cluster id, 0 when none is active. */
    int id() {
        return id;
    }

    long targetBps() {
        return targetBps;
    }

    long startNanos() {
        return startNanos;
    }

    void onSent(long nowNanos, int bytes) {
        if (firstSendNanos < 0) {
            firstSendNanos = nowNanos;
        }
        lastSendNanos = nowNanos;
        lastSendBytes = bytes;
        sentPackets++;
        sentBytes += bytes;
    }

    void onReceived(long sentNanos, long arrivalUs) {
        received++;
        if (arrivalUs < firstArrivalUs) {
            firstArrivalUs = arrivalUs;
            firstArrivalSentNanos = sentNanos;
        }
        if (arrivalUs > lastArrivalUs) {
            lastArrivalUs = arrivalUs;
            lastArrivalSentNanos = sentNanos;
        }
    }

    void onLost() {
        lost++;
    }

    void sendingDone(long nowNanos) {
        if (id != 0 && endNanos < 0) {
            endNanos = nowNanos;
        }
    }

    /**
     * Whether the probe can be judged: it sent its last packet and nine tenths of them are reported, or their
     * feedback is overdue (an outage took all of it).
     */
    boolean readyToJudge(long nowNanos, long rttNanos) {
        if (id == 0 || endNanos < 0) {
            return false;
        }
        boolean complete = received + lost >= sentPackets * 9 / 10;
        return complete || nowNanos - endNanos > Math.max(NANOS_PER_SECOND, 2 * rttNanos);
    }

    /**
     * The rate the path carried the probe at, or -1 when the probe failed (too few packets arrived, or too many
     * were lost). Up to a tenth may be lost, and never fewer than {@link #LOSS_SLACK}: a probe is a few dozen
     * packets, and on a path with random loss (5 % in LossRecoveryBrowserIT) two of them lost is chance, not a full
     * queue; a failed probe held a paused video back 4 s more.
     */
    long resultBps() {
        int reported = received + lost;
        long sendSpanNanos = lastArrivalSentNanos - firstArrivalSentNanos;
        long arrivalSpanNanos = (lastArrivalUs - firstArrivalUs) * 1000;
        if (received < 5
                || lost > Math.max(LOSS_SLACK, reported / 10)
                || arrivalSpanNanos <= 0
                || sendSpanNanos <= 0
                || lastSendNanos <= firstSendNanos) {
            return -1;
        }
        long sendBps = (sentBytes - lastSendBytes) * 8 * NANOS_PER_SECOND / (lastSendNanos - firstSendNanos);
        // What the path carried is the send rate, spread by as much as the arrivals spread: a bottleneck below the
        // probe's rate stretches them. Not the bytes reported over the arrival time: a receiver's feedback is sent
        // once, and one lost on the way (a probe has three or four) took a quarter off that rate, so a probe through
        // an open path measured less than the paused video needed and it stayed paused (LossRecoveryBrowserIT on CI).
        return sendSpanNanos >= arrivalSpanNanos ? sendBps : sendBps * sendSpanNanos / arrivalSpanNanos;
    }

    /** The probe was judged: no probe is active until the next {@link #start}. */
    void end() {
        id = 0;
        endNanos = -1;
    }
}
