package dev.chorus.sfu.forward;

/**
 * Router tunables.
 *
 * @param rtcpIntervalMillis        period of the RR (to publishers) and SR (to subscribers) reports
 * @param pliMinIntervalMillis      at most one PLI per producer in this period; requests in between
 *                                  are coalesced into one sent when the period ends (or dropped when a
 *                                  keyframe arrives first)
 * @param cname                     CNAME in the SDES the SFU sends with its reports
 * @param retransmissionPackets     packets kept per video stream to answer NACKs (rounded up to a power of two)
 * @param retransmissionMillis      ... and no packet older than this is resent
 * @param nackMaxRetries            NACKs sent to a publisher for one lost packet before giving up
 * @param nackGiveUpMillis          a lost packet not recovered after this long is given up (then a keyframe
 *                                  is requested)
 * @param defaultRttMillis          round-trip time assumed until receiver reports measured one; NACK
 *                                  retries and resends of one packet are spaced by the RTT
 * @param congestion                transport-cc feedback, REMB and the bandwidth estimate per subscriber
 */
public record RouterConfig(long rtcpIntervalMillis, long pliMinIntervalMillis, String cname,
                           int retransmissionPackets, long retransmissionMillis, int nackMaxRetries,
                           long nackGiveUpMillis, long defaultRttMillis, CongestionConfig congestion) {
    public static final int DEFAULT_RETRANSMISSION_PACKETS = 512;
    public static final long DEFAULT_RETRANSMISSION_MILLIS = 1000;
    public static final int DEFAULT_NACK_MAX_RETRIES = 10;
    public static final long DEFAULT_NACK_GIVE_UP_MILLIS = 1000;
    public static final long DEFAULT_RTT_MILLIS = 100;

    public static final RouterConfig DEFAULT = new RouterConfig(1000, 300, "chorus-sfu");

    public RouterConfig {
        if (rtcpIntervalMillis <= 0 || pliMinIntervalMillis < 0 || cname == null || cname.length() > 255) {
            throw new IllegalArgumentException("bad router config");
        }
        if (retransmissionPackets < 1 || retransmissionPackets > 32768) {
            throw new IllegalArgumentException("retransmission buffer must hold 1..32768 packets");
        }
        if (retransmissionMillis <= 0 || nackGiveUpMillis <= 0 || defaultRttMillis <= 0) {
            throw new IllegalArgumentException("retransmission age, NACK give-up time and default RTT must be positive");
        }
        if (congestion == null) {
            throw new IllegalArgumentException("congestion config missing");
        }
        if (nackMaxRetries < 0) {
            throw new IllegalArgumentException("NACK retries must be >= 0 (0 disables NACKs to publishers)");
        }
    }

    /** Defaults for retransmission and NACK. */
    public RouterConfig(long rtcpIntervalMillis, long pliMinIntervalMillis, String cname) {
        this(rtcpIntervalMillis, pliMinIntervalMillis, cname, DEFAULT_RETRANSMISSION_PACKETS,
                DEFAULT_RETRANSMISSION_MILLIS, DEFAULT_NACK_MAX_RETRIES, DEFAULT_NACK_GIVE_UP_MILLIS,
                DEFAULT_RTT_MILLIS, CongestionConfig.DEFAULT);
    }

    public RouterConfig withRetransmission(int packets, long millis) {
        return new RouterConfig(rtcpIntervalMillis, pliMinIntervalMillis, cname, packets, millis, nackMaxRetries,
                nackGiveUpMillis, defaultRttMillis, congestion);
    }

    public RouterConfig withNack(int maxRetries, long giveUpMillis) {
        return new RouterConfig(rtcpIntervalMillis, pliMinIntervalMillis, cname, retransmissionPackets,
                retransmissionMillis, maxRetries, giveUpMillis, defaultRttMillis, congestion);
    }

    public RouterConfig withDefaultRtt(long millis) {
        return new RouterConfig(rtcpIntervalMillis, pliMinIntervalMillis, cname, retransmissionPackets,
                retransmissionMillis, nackMaxRetries, nackGiveUpMillis, millis, congestion);
    }

    public RouterConfig withKeyframeMinInterval(long millis) {
        return new RouterConfig(rtcpIntervalMillis, millis, cname, retransmissionPackets, retransmissionMillis,
                nackMaxRetries, nackGiveUpMillis, defaultRttMillis, congestion);
    }

    public RouterConfig withCongestion(CongestionConfig value) {
        return new RouterConfig(rtcpIntervalMillis, pliMinIntervalMillis, cname, retransmissionPackets,
                retransmissionMillis, nackMaxRetries, nackGiveUpMillis, defaultRttMillis, value);
    }
}
