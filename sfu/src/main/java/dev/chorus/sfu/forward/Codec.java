package dev.chorus.sfu.forward;

/** Codecs the forwarder knows: their kind, RTP clock rate and how to spot a keyframe. */
public enum Codec {
    OPUS(MediaKind.AUDIO, 48_000),
    VP8(MediaKind.VIDEO, 90_000),
    H264(MediaKind.VIDEO, 90_000);

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
        switch (this) {
            case VP8:
                return Vp8Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
            case H264:
                return H264Payload.isKeyframeStart(buf, payloadOffset, payloadLength);
            default:
                return false;
        }
    }
}
