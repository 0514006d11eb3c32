package dev.chorus.sfu.worker;

/**
 * Monotonic totals of one {@link MediaWorker}, over every router it has ever carried (they outlive
 * the routers, so a room that closes does not take its counts with it). Plain fields, written by the
 * worker thread only, with no allocation and no lock on the packet path; other threads read them
 * through {@link #snapshot()} run as a worker command (see {@link MediaWorker#call}).
 */
public final class WorkerStats {

    /** Indexes into {@link #snapshot()}. */
    public enum Counter {
        /** RTP packets from publishers that reached a router. */
        RTP_PACKETS_RECEIVED,
        /** Their bytes (plain RTP, after SRTP was removed). */
        RTP_BYTES_RECEIVED,
        /** RTP packets forwarded to subscribers. */
        RTP_PACKETS_FORWARDED,
        /** Their bytes (plain RTP, before SRTP was added). */
        RTP_BYTES_FORWARDED,
        /** RTCP compound packets from endpoints that reached a router. */
        RTCP_PACKETS_RECEIVED,
        /** RTCP compound packets the routers sent (reports, PLIs). */
        RTCP_PACKETS_SENT,
        /** PLIs received from subscribers. */
        PLI_RECEIVED,
        /** FIRs received from subscribers. */
        FIR_RECEIVED,
        /** Generic NACKs received from subscribers. */
        NACK_RECEIVED,
        /** PLIs sent to publishers. */
        PLI_SENT,
        /** Generic NACKs sent to publishers for packets lost on their uplink. */
        NACK_SENT,
        /** RTP packets resent to subscribers in answer to their NACKs (RTX or plain). */
        RTP_PACKETS_RETRANSMITTED,
        /** Routers (rooms) now on this worker: a level, not a total. */
        ROUTERS,
        /** Producers now on this worker: a level. */
        PRODUCERS,
        /** Consumers now on this worker: a level. */
        CONSUMERS
    }

    private static final int COUNTERS = Counter.values().length;

    private long rtpPacketsReceived;
    private long rtpBytesReceived;
    private long rtpPacketsForwarded;
    private long rtpBytesForwarded;
    private long rtcpPacketsReceived;
    private long rtcpPacketsSent;
    private long pliReceived;
    private long firReceived;
    private long nackReceived;
    private long pliSent;
    private long nackSent;
    private long rtpPacketsRetransmitted;
    private int routers;
    private int producers;
    private int consumers;

    public void rtpReceived(int bytes) {
        rtpPacketsReceived++;
        rtpBytesReceived += bytes;
    }

    public void rtpForwarded(int bytes) {
        rtpPacketsForwarded++;
        rtpBytesForwarded += bytes;
    }

    public void rtcpReceived() {
        rtcpPacketsReceived++;
    }

    public void rtcpSent() {
        rtcpPacketsSent++;
    }

    public void pliReceived() {
        pliReceived++;
    }

    public void firReceived() {
        firReceived++;
    }

    public void nackReceived() {
        nackReceived++;
    }

    public void pliSent() {
        pliSent++;
    }

    public void nackSent() {
        nackSent++;
    }

    public void rtpRetransmitted() {
        rtpPacketsRetransmitted++;
    }

    public void routerAdded(int delta) {
        routers += delta;
    }

    public void producerAdded(int delta) {
        producers += delta;
    }

    public void consumerAdded(int delta) {
        consumers += delta;
    }

    /** Every counter, indexed by {@link Counter#ordinal()}. Worker thread only. */
    public long[] snapshot() {
        long[] s = new long[COUNTERS];
        s[Counter.RTP_PACKETS_RECEIVED.ordinal()] = rtpPacketsReceived;
        s[Counter.RTP_BYTES_RECEIVED.ordinal()] = rtpBytesReceived;
        s[Counter.RTP_PACKETS_FORWARDED.ordinal()] = rtpPacketsForwarded;
        s[Counter.RTP_BYTES_FORWARDED.ordinal()] = rtpBytesForwarded;
        s[Counter.RTCP_PACKETS_RECEIVED.ordinal()] = rtcpPacketsReceived;
        s[Counter.RTCP_PACKETS_SENT.ordinal()] = rtcpPacketsSent;
        s[Counter.PLI_RECEIVED.ordinal()] = pliReceived;
        s[Counter.FIR_RECEIVED.ordinal()] = firReceived;
        s[Counter.NACK_RECEIVED.ordinal()] = nackReceived;
        s[Counter.PLI_SENT.ordinal()] = pliSent;
        s[Counter.NACK_SENT.ordinal()] = nackSent;
        s[Counter.RTP_PACKETS_RETRANSMITTED.ordinal()] = rtpPacketsRetransmitted;
        s[Counter.ROUTERS.ordinal()] = routers;
        s[Counter.PRODUCERS.ordinal()] = producers;
        s[Counter.CONSUMERS.ordinal()] = consumers;
        return s;
    }
}
