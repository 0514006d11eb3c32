package dev.chorus.sfu.rtp;

/**
 * The one registry of RTP header extensions the SFU knows (RFC 8285 elements negotiated by URI in SDP
 * {@code a=extmap}). {@link #forwarded()} says whether a forwarded copy keeps the element (its id remapped
 * to the subscriber's numbering) or loses it.
 */
public enum RtpExtension {
    /** RFC 8843: the m= line a packet belongs to; set per hop to the subscriber's MID. */
    MID("urn:ietf:params:rtp-hdrext:sdes:mid", true),
    /** Sender's 24-bit send time, used by receive-side bandwidth estimation; set per hop. */
    ABS_SEND_TIME("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", true),
    /** Transport-wide sequence number: each transport numbers what it sends (congestion control). */
    TRANSPORT_CC("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", true),
    /** RFC 6464 audio level, passed through for the receivers' level meters. */
    AUDIO_LEVEL("urn:ietf:params:rtp-hdrext:ssrc-audio-level", true),
    /** RFC 8852 rid: names a simulcast encoding; meant for the SFU, not forwarded. */
    RTP_STREAM_ID("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", false),
    /** RFC 8852 repaired rid: the encoding an RTX stream repairs; not forwarded. */
    REPAIRED_RTP_STREAM_ID("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", false),
    /**
     * AV1's Dependency Descriptor (AV1 RTP specification, appendix A): the frame's layers and dependencies,
     * read by the SFU to choose layers and passed on for the receiver's decoder. Negotiated on AV1 lines
     * only (sdp.CodecPolicy); a key frame's descriptor outgrows the one-byte form.
     */
    DEPENDENCY_DESCRIPTOR(
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension", true);

    private static final RtpExtension[] VALUES = values();

    private final String uri;
    private final boolean forwarded;

    RtpExtension(String uri, boolean forwarded) {
        this.uri = uri;
        this.forwarded = forwarded;
    }

    /** The URI SDP negotiates it by. */
    public String uri() {
        return uri;
    }

    /** True when a forwarded copy carries this element on to the subscriber. */
    public boolean forwarded() {
        return forwarded;
    }

    /** The extension negotiated under {@code uri}, or null for one the SFU does not know. */
    public static RtpExtension fromUri(String uri) {
        for (RtpExtension e : VALUES) {
            if (e.uri.equals(uri)) {
                return e;
            }
        }
        return null;
    }
}
