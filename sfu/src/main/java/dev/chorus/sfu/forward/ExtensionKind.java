package dev.chorus.sfu.forward;

/** Header extensions the forwarder understands, with the URIs signaling negotiates them by. */
public enum ExtensionKind {
    MID("urn:ietf:params:rtp-hdrext:sdes:mid"),
    ABS_SEND_TIME("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
    TRANSPORT_CC("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
    AUDIO_LEVEL("urn:ietf:params:rtp-hdrext:ssrc-audio-level");

    private final String uri;

    ExtensionKind(String uri) {
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }

    /** The kind negotiated under {@code uri}, or null for extensions we do not forward. */
    public static ExtensionKind fromUri(String uri) {
        for (ExtensionKind k : values()) {
            if (k.uri.equals(uri)) {
                return k;
            }
        }
        return null;
    }
}
