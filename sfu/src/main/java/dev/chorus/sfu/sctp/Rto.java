package dev.chorus.sfu.sctp;

/** The retransmission timeout of RFC 9260 6.3.1 (SRTT, RTTVAR, Karn's backoff), clamped to the config. */
final class Rto {
    private final int min;
    private final int max;
    private double srtt = -1;
    private double rttvar;
    private long rto;

    Rto(SctpConfig config) {
        this.min = config.rtoMinMillis();
        this.max = config.rtoMaxMillis();
        this.rto = config.rtoInitialMillis();
    }

    void measured(long rttMillis) {
        double r = Math.max(0, rttMillis);
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
        rto = clamp(Math.round(srtt + Math.max(4 * rttvar, 1)));
    }

    void backOff() {
        rto = clamp(rto * 2);
    }

    long millis() {
        return rto;
    }

    double srttMillis() {
        return srtt;
    }

    private long clamp(long v) {
        return Math.max(min, Math.min(max, v));
    }
}
