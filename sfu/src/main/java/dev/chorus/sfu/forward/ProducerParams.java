package dev.chorus.sfu.forward;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What signaling tells the media plane about one published track: its codec, payload types and
 * extension ids, and its encodings. A plain track has one encoding; a simulcast track has one per
 * spatial layer, <b>lowest resolution first</b> (the order of the offer's {@code a=simulcast}
 * line, which is how our web client lists them).
 *
 * @param rtxPayloadType {@link #NONE} without RTX
 * @param extensions     the ids the publisher uses on its packets
 * @param mid            the publisher's m= line, which its MID header extension names; null when
 *                       unknown (then SSRCs cannot be learnt from rids)
 * @param encodings      1..{@link #MAX_ENCODINGS}, lowest layer first
 * @param screen         a screen share: always forwarded, never counted in a subscriber's last-N
 * @param redPayloadType audio: the payload type of the publisher's RED (RFC 2198) packets, whose blocks carry
 *                       {@code payloadType}; {@link #NONE} when RED was not negotiated
 */
public record ProducerParams(
        String id,
        Codec codec,
        int payloadType,
        int rtxPayloadType,
        HeaderExtensionIds extensions,
        String mid,
        List<Encoding> encodings,
        boolean screen,
        int redPayloadType) {
    public static final int NONE = -1;
    /** Three layers are what browsers send for a camera; more would only cost memory per producer. */
    public static final int MAX_ENCODINGS = 4;

    /**
     * One RTP stream of the track: a simulcast layer, or the only stream of a plain track.
     *
     * @param rid     the RFC 8851 rid naming it, or null; needed when {@code ssrc} is {@link #NONE}
     * @param ssrc    the media SSRC, or {@link #NONE} when it is learnt from the rid extension
     * @param rtxSsrc the RTX SSRC, or {@link #NONE} (without RTX, or learnt from repaired-rid)
     */
    public record Encoding(String rid, long ssrc, long rtxSsrc) {
        public Encoding {
            checkSsrc(ssrc, true);
            checkSsrc(rtxSsrc, true);
            if (ssrc == NONE && (rid == null || rid.isEmpty())) {
                throw new IllegalArgumentException("an encoding needs an ssrc or a rid");
            }
            if (rid != null && !rid.matches("[A-Za-z0-9_-]{1,16}")) {
                throw new IllegalArgumentException("rid must be 1-16 of [A-Za-z0-9_-]: " + rid);
            }
            if (ssrc != NONE && ssrc == rtxSsrc) {
                throw new IllegalArgumentException("RTX ssrc must differ from the media ssrc");
            }
        }

        public static Encoding ofSsrc(long ssrc) {
            return new Encoding(null, ssrc, NONE);
        }

        public static Encoding ofRid(String rid) {
            return new Encoding(rid, NONE, NONE);
        }

        public Encoding withRtx(long rtxSsrc) {
            return new Encoding(rid, ssrc, rtxSsrc);
        }
    }

    public ProducerParams {
        if (id == null || codec == null || extensions == null || encodings == null) {
            throw new IllegalArgumentException("id, codec, extensions and encodings are required");
        }
        encodings = List.copyOf(encodings);
        if (encodings.isEmpty() || encodings.size() > MAX_ENCODINGS) {
            throw new IllegalArgumentException("1.." + MAX_ENCODINGS + " encodings, not " + encodings.size());
        }
        checkPayloadType(payloadType, false);
        checkPayloadType(rtxPayloadType, true);
        checkPayloadType(redPayloadType, true);
        if (redPayloadType != NONE && (codec.kind() != MediaKind.AUDIO || redPayloadType == payloadType)) {
            throw new IllegalArgumentException("RED needs audio and a payload type of its own");
        }
        Set<Object> seen = new HashSet<>();
        for (Encoding e : encodings) {
            if ((e.ssrc() != NONE && !seen.add(e.ssrc()))
                    || (e.rtxSsrc() != NONE && !seen.add(e.rtxSsrc()))
                    || (e.rid() != null && !seen.add(e.rid()))) {
                throw new IllegalArgumentException("encodings repeat an ssrc or rid: " + encodings);
            }
        }
        if (encodings.size() > 1 && codec.kind() != MediaKind.VIDEO) {
            throw new IllegalArgumentException("only video can be simulcast");
        }
    }

    /** A track with one stream and no RTX. */
    public static ProducerParams of(String id, Codec codec, long ssrc, int payloadType, HeaderExtensionIds extensions) {
        return new ProducerParams(
                id, codec, payloadType, NONE, extensions, null, List.of(Encoding.ofSsrc(ssrc)), false, NONE);
    }

    /** A simulcast track whose layers (lowest first) are named by rids; SSRCs are learnt from packets. */
    public static ProducerParams simulcast(
            String id, Codec codec, int payloadType, HeaderExtensionIds extensions, String mid, List<String> rids) {
        return new ProducerParams(
                id,
                codec,
                payloadType,
                NONE,
                extensions,
                mid,
                rids.stream().map(Encoding::ofRid).toList(),
                false,
                NONE);
    }

    /** A one-stream track with RTX on {@code rtxSsrc}. */
    public ProducerParams withRtx(long rtxSsrc, int rtxPayloadType) {
        if (encodings.size() != 1) {
            throw new IllegalStateException("withRtx(ssrc, pt) is for one-stream tracks; use withRtxPayloadType");
        }
        return new ProducerParams(
                id,
                codec,
                payloadType,
                rtxPayloadType,
                extensions,
                mid,
                List.of(encodings.get(0).withRtx(rtxSsrc)),
                screen,
                redPayloadType);
    }

    /** RTX payload type for encodings whose RTX SSRC is given or learnt from repaired-rid. */
    public ProducerParams withRtxPayloadType(int rtxPayloadType) {
        return new ProducerParams(
                id, codec, payloadType, rtxPayloadType, extensions, mid, encodings, screen, redPayloadType);
    }

    public ProducerParams withMid(String mid) {
        return new ProducerParams(
                id, codec, payloadType, rtxPayloadType, extensions, mid, encodings, screen, redPayloadType);
    }

    /** Marks a screen share (see {@code screen}). */
    public ProducerParams withScreen(boolean screen) {
        return new ProducerParams(
                id, codec, payloadType, rtxPayloadType, extensions, mid, encodings, screen, redPayloadType);
    }

    /** Audio that may arrive as RED packets of {@code redPayloadType} (see {@link #redPayloadType}). */
    public ProducerParams withRed(int redPayloadType) {
        return new ProducerParams(
                id, codec, payloadType, rtxPayloadType, extensions, mid, encodings, screen, redPayloadType);
    }

    public MediaKind kind() {
        return codec.kind();
    }

    public boolean isSimulcast() {
        return encodings.size() > 1;
    }

    /** The first (or only) encoding's media SSRC as signaled; {@link #NONE} when learnt from its rid. */
    public long ssrc() {
        return encodings.get(0).ssrc();
    }

    /** The first (or only) encoding's RTX SSRC as signaled, or {@link #NONE}. */
    public long rtxSsrc() {
        return encodings.get(0).rtxSsrc();
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
