package dev.chorus.sfu.forward;

import dev.chorus.sfu.rtp.RtpExtensionUris;

/** Header extensions the forwarder understands, with the URIs signaling negotiates them by. */
public enum ExtensionKind {
    MID(RtpExtensionUris.MID),
    ABS_SEND_TIME(RtpExtensionUris.ABS_SEND_TIME),
    TRANSPORT_CC(RtpExtensionUris.TRANSPORT_CC),
    AUDIO_LEVEL(RtpExtensionUris.AUDIO_LEVEL);

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
