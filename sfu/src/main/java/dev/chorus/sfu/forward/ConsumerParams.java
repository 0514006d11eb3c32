package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What signaling chose for one subscriber x producer pair: the SSRCs the SFU sends with, the
 * subscriber's payload-type numbers and extension ids for this codec, the subscriber's MID for
 * the m-line, and where the outgoing sequence and timestamp start.
 *
 * @param mid              written into the MID extension when the subscriber negotiated it; may be null
 * @param initialSequence  first outgoing sequence number, 0..65535 (pick it at random in production)
 * @param timestampOffset  added to every forwarded RTP timestamp (mod 2^32)
 * @param redPayloadType   audio: the subscriber's RED payload type when it negotiated RED (then it gets RED
 *                         packets whose blocks carry {@code payloadType}), else {@link ProducerParams#NONE}
 */
public record ConsumerParams(
        String id,
        long ssrc,
        long rtxSsrc,
        int payloadType,
        int rtxPayloadType,
        HeaderExtensionIds extensions,
        String mid,
        int initialSequence,
        long timestampOffset,
        int redPayloadType) {
    public ConsumerParams {
        if (id == null || extensions == null) {
            throw new IllegalArgumentException("id and extensions are required");
        }
        ProducerParams.checkSsrc(ssrc, false);
        ProducerParams.checkSsrc(rtxSsrc, true);
        ProducerParams.checkPayloadType(payloadType, false);
        ProducerParams.checkPayloadType(rtxPayloadType, true);
        ProducerParams.checkPayloadType(redPayloadType, true);
        if (redPayloadType != ProducerParams.NONE && redPayloadType == payloadType) {
            throw new IllegalArgumentException("RED needs a payload type of its own");
        }
        if (initialSequence < 0 || initialSequence > 0xFFFF) {
            throw new IllegalArgumentException("initial sequence out of range: " + initialSequence);
        }
        if (timestampOffset < 0 || timestampOffset > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("timestamp offset out of range: " + timestampOffset);
        }
    }

    /** No RTX, no MID, sequence starting at {@code initialSequence}, timestamps unchanged. */
    public static ConsumerParams of(
            String id, long ssrc, int payloadType, HeaderExtensionIds extensions, int initialSequence) {
        return new ConsumerParams(
                id,
                ssrc,
                ProducerParams.NONE,
                payloadType,
                ProducerParams.NONE,
                extensions,
                null,
                initialSequence,
                0,
                ProducerParams.NONE);
    }

    public ConsumerParams withRtx(long rtxSsrc, int rtxPayloadType) {
        return new ConsumerParams(
                id,
                ssrc,
                rtxSsrc,
                payloadType,
                rtxPayloadType,
                extensions,
                mid,
                initialSequence,
                timestampOffset,
                redPayloadType);
    }

    public ConsumerParams withMid(String mid) {
        return new ConsumerParams(
                id,
                ssrc,
                rtxSsrc,
                payloadType,
                rtxPayloadType,
                extensions,
                mid,
                initialSequence,
                timestampOffset,
                redPayloadType);
    }

    public ConsumerParams withTimestampOffset(long timestampOffset) {
        return new ConsumerParams(
                id,
                ssrc,
                rtxSsrc,
                payloadType,
                rtxPayloadType,
                extensions,
                mid,
                initialSequence,
                timestampOffset,
                redPayloadType);
    }

    public ConsumerParams withRed(int redPayloadType) {
        return new ConsumerParams(
                id,
                ssrc,
                rtxSsrc,
                payloadType,
                rtxPayloadType,
                extensions,
                mid,
                initialSequence,
                timestampOffset,
                redPayloadType);
    }

    /** Adds the SSRCs, payload types, extension ids and MID to a /debug view. */
    void addJson(ObjectNode n) {
        n.put("ssrc", ssrc);
        n.put("rtxSsrc", rtxSsrc);
        n.put("payloadType", payloadType);
        n.put("rtxPayloadType", rtxPayloadType);
        n.put("redPayloadType", redPayloadType);
        n.set("extensions", extensions.toJson());
        n.put("mid", mid);
    }
}
