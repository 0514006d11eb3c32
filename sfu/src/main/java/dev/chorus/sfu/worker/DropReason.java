package dev.chorus.sfu.worker;

/** Why a packet was not forwarded. Every drop is counted under exactly one of these names. */
public enum DropReason {
    /** The worker's queue was full when a transport thread offered the packet. */
    QUEUE_FULL,
    /** No buffer was available and the pool had reached its outstanding limit. */
    POOL_EXHAUSTED,
    /** The bytes are not a valid RTP packet. */
    MALFORMED_RTP,
    /** The bytes are not a valid RTCP compound packet. */
    MALFORMED_RTCP,
    /** RTP whose SSRC belongs to no producer of the sending endpoint. */
    UNKNOWN_SSRC,
    /** RTP whose payload type is not the producer's media payload type. */
    UNKNOWN_PAYLOAD_TYPE,
    /** RTCP feedback about an SSRC that no consumer or producer of the endpoint uses. */
    UNKNOWN_FEEDBACK_SSRC,
    /** Padding-only packets on a publisher's RTX stream (Chrome's bandwidth probes), meant for this hop. */
    RTX_PADDING,
    /** A packet the SFU already has: an RTX answer that came after the original, or an RTX probe resending one. */
    DUPLICATE,
    /** The packet would not fit a pooled buffer with the tail room SRTP needs. */
    PACKET_TOO_LARGE,
    /** Padding-only packets (bandwidth probes) are meant for the hop they were sent on. */
    PADDING_ONLY,
    /** The consumer is paused (subscriber muted or not interested). */
    CONSUMER_PAUSED,
    /** Video paused because the subscriber's estimated bandwidth cannot carry it (audio never is). */
    BANDWIDTH_PAUSED,
    /** A video consumer waits for a keyframe before it starts (or resumes) forwarding. */
    WAITING_FOR_KEYFRAME,
    /** A late packet older than the consumer's sequence-mapping history, or one the SFU already skipped. */
    TOO_LATE_TO_MAP,
    /** The transport threw while sending. */
    SEND_FAILED,
    /** The packet arrived for a router, endpoint or producer that has been closed. */
    CLOSED
}
