package dev.chorus.sfu.sdp;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The codec chosen for one m= line as it appears in the answer, under the offerer's payload
 * type numbers, plus its RTX codec when the offer had one for it, and RED (RFC 2198, audio) when
 * the offer had RED carrying that codec and the policy takes it.
 */
public record CodecSelection(PayloadFormat media, Optional<PayloadFormat> rtx, Optional<PayloadFormat> red) {

    public CodecSelection(PayloadFormat media, Optional<PayloadFormat> rtx) {
        this(media, rtx, Optional.empty());
    }

    public int payloadType() {
        return media.payloadType();
    }

    public OptionalInt rtxPayloadType() {
        return rtx.map(c -> OptionalInt.of(c.payloadType())).orElse(OptionalInt.empty());
    }

    public OptionalInt redPayloadType() {
        return red.map(c -> OptionalInt.of(c.payloadType())).orElse(OptionalInt.empty());
    }
}
