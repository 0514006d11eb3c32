package dev.chorus.sfu.sctp;

/**
 * The tunables of an association; defaults live in reference.conf ({@code chorus.media.sctp}), the values here only
 * serve tests that build one by hand.
 *
 * @param packetSize     the largest SCTP packet we send: below the DTLS record's plaintext limit
 * @param maxMessageSize the largest user message sent or reassembled; announced as {@code a=max-message-size}
 * @param receiveWindow  bytes we buffer for the peer (a_rwnd); at least one whole message of the maximum size
 * @param rtoInitialMillis the retransmission timeout before any RTT is measured
 * @param rtoMinMillis   its floor
 * @param rtoMaxMillis   its ceiling, also for backed-off timeouts
 * @param maxRetransmissionsInit how many times INIT or COOKIE-ECHO is sent before the association gives up
 * @param cookieLifeMillis how long a state cookie stays valid
 */
public record SctpConfig(
        int packetSize,
        int maxMessageSize,
        int receiveWindow,
        int rtoInitialMillis,
        int rtoMinMillis,
        int rtoMaxMillis,
        int maxRetransmissionsInit,
        int cookieLifeMillis) {

    public static final SctpConfig DEFAULT =
            new SctpConfig(1100, 2 * 1024 * 1024, 4 * 1024 * 1024, 1000, 250, 10_000, 8, 60_000);

    public SctpConfig {
        if (packetSize < 256 || packetSize > 65_535) {
            throw new IllegalArgumentException("packetSize must be 256..65535: " + packetSize);
        }
        if (maxMessageSize < 1 || receiveWindow < maxMessageSize) {
            throw new IllegalArgumentException(
                    "need 1 <= maxMessageSize <= receiveWindow: " + maxMessageSize + ", " + receiveWindow);
        }
        if (rtoMinMillis < 1 || rtoInitialMillis < rtoMinMillis || rtoMaxMillis < rtoInitialMillis) {
            throw new IllegalArgumentException("need 1 <= rtoMin <= rtoInitial <= rtoMax");
        }
    }
}
