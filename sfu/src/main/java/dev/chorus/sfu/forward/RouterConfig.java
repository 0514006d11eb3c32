package dev.chorus.sfu.forward;

/**
 * Router tunables.
 *
 * @param rtcpIntervalMillis   period of the RR (to publishers) and SR (to subscribers) reports
 * @param pliMinIntervalMillis at most one PLI per producer in this period; requests in between
 *                             are coalesced into one sent when the period ends
 * @param cname                CNAME in the SDES the SFU sends with its reports
 */
public record RouterConfig(long rtcpIntervalMillis, long pliMinIntervalMillis, String cname) {
    public static final RouterConfig DEFAULT = new RouterConfig(1000, 300, "chorus-sfu");

    public RouterConfig {
        if (rtcpIntervalMillis <= 0 || pliMinIntervalMillis < 0 || cname == null || cname.length() > 255) {
            throw new IllegalArgumentException("bad router config");
        }
    }
}
