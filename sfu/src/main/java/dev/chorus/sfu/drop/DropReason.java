package dev.chorus.sfu.drop;

import static dev.chorus.sfu.drop.DropStage.BRIDGE;
import static dev.chorus.sfu.drop.DropStage.FORWARDING;
import static dev.chorus.sfu.drop.DropStage.TRANSPORT;

/**
 * Why a packet was not delivered or not sent: every drop on the packet path is counted under exactly one of
 * these, at the {@link DropStage} that owns it. A packet the transport refuses to send is counted there once
 * (by its transport reason), not again by the forwarding layer that asked.
 */
public enum DropReason {
    /** SRTP/SRTCP arrived (or was to be sent) before DTLS produced keys. */
    NOT_DTLS_CONNECTED(TRANSPORT),
    /** SRTP/SRTCP authentication tag did not verify. */
    SRTP_AUTH_FAILED(TRANSPORT),
    /** SRTP/SRTCP index already seen or too old for the replay window. */
    SRTP_REPLAY(TRANSPORT),
    /** Any other SRTP library failure (invalid packet for the cipher, crypto exception). */
    SRTP_ERROR(TRANSPORT),
    /** A datagram too short or inconsistent for its kind (e.g. RTP shorter than 12 bytes). */
    MALFORMED(TRANSPORT),
    /** First byte outside the RFC 7983 ranges we accept. */
    UNKNOWN_FIRST_BYTE(TRANSPORT),
    /** Source address outside the configured allowed remote ranges. */
    REMOTE_ADDRESS_NOT_ALLOWED(TRANSPORT),
    /** The bounded DTLS receive queue was full. */
    DTLS_QUEUE_FULL(TRANSPORT),
    /** DTLS record after the handshake that carried no SRTP meaning (application data, unknown content). */
    DTLS_IGNORED(TRANSPORT),
    /** Packet for a remote SSRC beyond the per-transport SSRC limit. */
    TOO_MANY_SSRCS(TRANSPORT),
    /** Send attempted with no selected ICE pair. */
    NO_SELECTED_PAIR(TRANSPORT),
    /** The socket send failed. */
    SOCKET_SEND_FAILED(TRANSPORT),
    /** The transport was closed. */
    TRANSPORT_CLOSED(TRANSPORT),
    /**
     * Arrived on a second packet thread while the first was handling one of this transport's packets: two paths (UDP
     * and ICE-TCP, for a moment of an ICE restart or a browser's later nomination) whose receive state is not shared.
     */
    CONCURRENT_PATHS(TRANSPORT),

    /** Decrypted before the participant's endpoint existed in its router (the first packets of a session). */
    BEFORE_ENDPOINT(BRIDGE),
    /** No pooled buffer was free for the copy and the pool had reached its outstanding limit. */
    POOL_EXHAUSTED(BRIDGE),
    /** The decrypted packet does not fit a pooled buffer. */
    PACKET_TOO_LARGE(BRIDGE),

    /** The worker's queue was full when a transport thread offered the packet. */
    QUEUE_FULL(FORWARDING),
    /** The bytes are not a valid RTP packet. */
    MALFORMED_RTP(FORWARDING),
    /** The bytes are not a valid RTCP compound packet. */
    MALFORMED_RTCP(FORWARDING),
    /** RTP whose SSRC belongs to no producer of the sending endpoint. */
    UNKNOWN_SSRC(FORWARDING),
    /** RTP whose payload type is not the producer's media payload type. */
    UNKNOWN_PAYLOAD_TYPE(FORWARDING),
    /** A RED packet (RFC 2198) whose block headers do not add up, or whose blocks are not the negotiated Opus. */
    MALFORMED_RED(FORWARDING),
    /** A VP9 packet whose payload descriptor (RFC 9628) does not fit its payload or contradicts itself. */
    MALFORMED_VP9(FORWARDING),
    /** An AV1 packet whose Dependency Descriptor (AV1 RTP specification, appendix A) does not parse. */
    MALFORMED_DEPENDENCY_DESCRIPTOR(FORWARDING),
    /**
     * An AV1 packet whose Dependency Descriptor names a template of a structure the SFU has not received (the
     * stream was joined after its key frame, or that packet was lost): its layer is unknown until the next key
     * frame, which is asked for.
     */
    UNKNOWN_DEPENDENCY_TEMPLATE(FORWARDING),
    /** RTCP feedback about an SSRC that no consumer or producer of the endpoint uses. */
    UNKNOWN_FEEDBACK_SSRC(FORWARDING),
    /** Padding-only packets on a publisher's RTX stream (Chrome's bandwidth probes), meant for this hop. */
    RTX_PADDING(FORWARDING),
    /** A packet the SFU already has: an RTX answer that came after the original, or an RTX probe resending one. */
    DUPLICATE(FORWARDING),
    /** The packet would not fit a pooled buffer with the tail room SRTP needs once rewritten. */
    TOO_LARGE_TO_FORWARD(FORWARDING),
    /** The worker found no pooled buffer for a copy it was making (a forwarded packet, a resend, RTCP). */
    NO_BUFFER(FORWARDING),
    /** Padding-only packets (bandwidth probes) are meant for the hop they were sent on. */
    PADDING_ONLY(FORWARDING),
    /** The consumer is paused (subscriber muted or not interested). */
    CONSUMER_PAUSED(FORWARDING),
    /** The publisher's track is muted by the server (its API): received and accounted, forwarded to no one. */
    PRODUCER_PAUSED(FORWARDING),
    /** Video paused because the subscriber's estimated bandwidth cannot carry it (audio never is). */
    BANDWIDTH_PAUSED(FORWARDING),
    /** A NACKed packet not resent: retransmissions to the subscriber already use their share of its estimate. */
    RETRANSMISSION_OVER_BUDGET(FORWARDING),
    /** Video not among the subscriber's last-N most relevant, or on a tile it does not show. */
    NOT_SELECTED(FORWARDING),
    /** A video consumer waits for a keyframe before it starts (or resumes) forwarding. */
    WAITING_FOR_KEYFRAME(FORWARDING),
    /** A VP8 frame of a temporal layer above what the subscriber's bandwidth allows (its number is hidden). */
    TEMPORAL_LAYER_DROPPED(FORWARDING),
    /**
     * A frame of a simulcast layer that the subscriber's bandwidth no longer carries, while the lower
     * layer's keyframe is awaited (its number is hidden).
     */
    LAYER_LEFT(FORWARDING),
    /** A VP9 or AV1 SVC frame of a spatial layer above what the subscriber gets (its number is hidden). */
    SPATIAL_LAYER_DROPPED(FORWARDING),
    /** A late packet older than the consumer's sequence-mapping history, or one the SFU already skipped. */
    TOO_LATE_TO_MAP(FORWARDING),
    /** The packet arrived for a router, endpoint or producer that has been closed. */
    CLOSED(FORWARDING),
    /** The packet's handler threw (a bug, logged with its stack): the packet is lost, the worker carries on. */
    HANDLER_FAILED(FORWARDING);

    private static final DropReason[] VALUES = values();

    private final DropStage stage;

    DropReason(DropStage stage) {
        this.stage = stage;
    }

    public DropStage stage() {
        return stage;
    }

    /** Every reason, in ordinal order (a shared array: do not modify). */
    static DropReason[] all() {
        return VALUES;
    }
}
