package dev.chorus.sfu.forward;

/**
 * What the last Sender Report from a publisher said: NTP time and RTP timestamp of one instant,
 * and when (on our clock) it arrived. Gives LSR/DLSR for our receiver reports, and lets us
 * extrapolate the publisher's NTP/RTP relation to "now" for the SRs we send to subscribers, so
 * their lip sync follows the publisher's own clock.
 */
final class SenderClockMapping {
    private boolean known;
    private long ntp;
    private long rtp;
    private long arrivalNanos;
    private long reportsReceived;

    void update(long ntpTimestamp, long rtpTimestamp, long nowNanos) {
        known = true;
        ntp = ntpTimestamp;
        rtp = rtpTimestamp;
        arrivalNanos = nowNanos;
        reportsReceived++;
    }

    boolean known() {
        return known;
    }

    /** LSR: the middle 32 bits of the last SR's NTP time, 0 when none arrived. */
    long lastSr() {
        return known ? (ntp >>> 16) & 0xFFFF_FFFFL : 0;
    }

    /** DLSR in 1/65536 s, 0 when no SR arrived. */
    long delaySinceLastSr(long nowNanos) {
        return known ? NtpTime.nanosToDlsr(Math.max(0, nowNanos - arrivalNanos)) : 0;
    }

    /** The publisher's NTP time at {@code nowNanos}, extrapolated from the last SR. */
    long ntpAt(long nowNanos) {
        return ntp + NtpTime.nanosToNtp(Math.max(0, nowNanos - arrivalNanos));
    }

    /** The publisher's RTP timestamp at {@code nowNanos}, unsigned 32-bit. */
    long rtpAt(long nowNanos, int clockRate) {
        return (rtp + NtpTime.nanosToRtp(Math.max(0, nowNanos - arrivalNanos), clockRate)) & 0xFFFF_FFFFL;
    }

    long ntp() {
        return ntp;
    }

    long rtp() {
        return rtp;
    }

    /** When the last SR arrived, on our clock. */
    long arrivalNanos() {
        return arrivalNanos;
    }

    long reportsReceived() {
        return reportsReceived;
    }
}
