package dev.chorus.sfu.forward;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;

/**
 * What signaling tells the media plane about one published track.
 *
 * @param rtxSsrc        {@link #NONE} when the publisher negotiated no RTX
 * @param rtxPayloadType {@link #NONE} without RTX
 * @param extensions     the ids the publisher uses on its packets
 */
public record ProducerParams(
        String id,
        Codec codec,
        long ssrc,
        long rtxSsrc,
        int payloadType,
        int rtxPayloadType,
        HeaderExtensionIds extensions) {
    public static final int NONE = -1;

    public ProducerParams {
        if (id == null || codec == null || extensions == null) {
            throw new IllegalArgumentException("id, codec and extensions are required");
        }
        checkSsrc(ssrc, false);
        checkSsrc(rtxSsrc, true);
        checkPayloadType(payloadType, false);
        checkPayloadType(rtxPayloadType, true);
    }

    /** A track without RTX. */
    public static ProducerParams of(String id, Codec codec, long ssrc, int payloadType, HeaderExtensionIds extensions) {
        return new ProducerParams(id, codec, ssrc, NONE, payloadType, NONE, extensions);
    }

    public ProducerParams withRtx(long rtxSsrc, int rtxPayloadType) {
        return new ProducerParams(id, codec, ssrc, rtxSsrc, payloadType, rtxPayloadType, extensions);
    }

    public MediaKind kind() {
        return codec.kind();
    }

    static void checkSsrc(long ssrc, boolean optional) {
        if (!(optional && ssrc == NONE) && (ssrc < 0 || ssrc > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("ssrc out of range: " + ssrc);
        }
    }

    static void checkPayloadType(int pt, boolean optional) {
        if (!(optional && pt == NONE) && (pt < 0 || pt > 127)) {
            throw new IllegalArgumentException("payload type out of range: " + pt);
        }
    }
}
