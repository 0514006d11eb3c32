package dev.chorus.sfu.rtp;

/** URIs of the RTP header extensions the SFU negotiates; the forwarder looks ids up by these. */
public final class RtpExtensionUris {
    public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public static final String TRANSPORT_CC =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String REPAIRED_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    private RtpExtensionUris() {
    }
}
