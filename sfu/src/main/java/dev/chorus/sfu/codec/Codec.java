package dev.chorus.sfu.codec;

/**
 * The codecs the SFU negotiates and forwards (see sfu/CODECS.md): their kind, RTP clock rate and how to
 * spot a keyframe. The SDP side of a codec (payload type, fmtp, rtcp-fb) is {@code sdp.PayloadFormat}.
 */
public enum Codec {
    OPUS(MediaKind.AUDIO, 48_000),
    VP8(MediaKind.VIDEO, 90_000),
    /** Profile 0 only; one encoding carries every spatial and temporal layer (SVC, see sfu/CODECS.md). */
    VP9(MediaKind.VIDEO, 90_000),
    H264(MediaKind.VIDEO, 90_000),
    /**
     * Profile 0; one encoding carries every spatial and temporal layer, which the Dependency Descriptor
     * header extension describes (see sfu/CODECS.md).
     */
    AV1(MediaKind.VIDEO, 90_000);

    private final MediaKind kind;
    private final int clockRate;

    Codec(MediaKind kind, int clockRate) {
        this.kind = kind;
        this.clockRate = clockRate;
    }

    public MediaKind kind() {
        return kind;
    }

    public int clockRate() {
        return clockRate;
    }

    /** True when the payload starts a keyframe; always false for audio. */
    public boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
        return switch (this) {
            case VP8 -> Vp8Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
            case VP9 -> Vp9Descriptor.isKeyframeStart(buf, payloadOffset, payloadLength);
            case H264 -> H264Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
            case AV1 -> Av1Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
            default -> false;
        };
    }

    /** The codec named {@code sdpName} in an rtpmap (any case), or null when the SFU does not forward it. */
    public static Codec fromSdpName(String sdpName) {
        for (Codec c : values()) {
            if (c.name().equalsIgnoreCase(sdpName)) {
                return c;
            }
        }
        return null;
    }
}
