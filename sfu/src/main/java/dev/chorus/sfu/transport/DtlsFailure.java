package dev.chorus.sfu.transport;

/** Named reasons a DTLS handshake fails. */
public enum DtlsFailure {
    /** The peer's certificate does not hash to the fingerprint from its SDP. */
    FINGERPRINT_MISMATCH,
    /** The peer presented no certificate (we always demand one). */
    NO_CERTIFICATE,
    /** No SRTP protection profile in common, or no use_srtp extension at all. */
    NO_SRTP_PROFILE,
    /**
     * The handshake did not finish within {@link TransportConfig#dtlsHandshakeTimeout()}, time spent waiting for a
     * DTLS thread included.
     */
    HANDSHAKE_TIMEOUT,
    /**
     * Refused before it started: {@link TransportConfig#dtlsThreads()} handshakes were running and
     * {@link TransportConfig#dtlsQueue()} more waiting (a join storm beyond what the server can answer in time).
     */
    HANDSHAKE_QUEUE_FULL,
    /** The peer aborted with a fatal alert (e.g. it rejected our fingerprint). */
    ALERT_RECEIVED,
    /** Anything else that went wrong inside the protocol. */
    PROTOCOL_ERROR
}
