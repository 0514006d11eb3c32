package dev.chorus.sfu.transport;

/** Why a packet was not delivered (receive) or not sent (send). Every drop is counted under one of these. */
public enum DropReason {
    /** SRTP/SRTCP arrived (or was to be sent) before DTLS produced keys. */
    NOT_DTLS_CONNECTED,
    /** SRTP/SRTCP authentication tag did not verify. */
    SRTP_AUTH_FAILED,
    /** SRTP/SRTCP index already seen or too old for the replay window. */
    SRTP_REPLAY,
    /** Any other SRTP library failure (invalid packet for the cipher, crypto exception). */
    SRTP_ERROR,
    /** Too short or inconsistent for its kind (e.g. RTP shorter than 12 bytes). */
    MALFORMED,
    /** First byte outside the RFC 7983 ranges we accept. */
    UNKNOWN_FIRST_BYTE,
    /** Source address outside {@link TransportConfig#allowedRemoteRanges()}. */
    REMOTE_ADDRESS_NOT_ALLOWED,
    /** The bounded DTLS receive queue was full. */
    DTLS_QUEUE_FULL,
    /** DTLS record after the handshake that carried no SRTP meaning (application data, unknown content). */
    DTLS_IGNORED,
    /** Packet for a remote SSRC beyond the per-transport SSRC limit. */
    TOO_MANY_SSRCS,
    /** Send attempted with no selected ICE pair. */
    NO_SELECTED_PAIR,
    /** The socket send failed. */
    SEND_FAILED,
    /** The transport was closed. */
    CLOSED
}
