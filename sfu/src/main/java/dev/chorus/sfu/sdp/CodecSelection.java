package dev.chorus.sfu.sdp;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The codec chosen for one m= line as it appears in the answer, under the offerer's payload
 * type numbers, plus its RTX codec when the offer had one for it.
 */
public record CodecSelection(PayloadFormat media, Optional<PayloadFormat> rtx) {

    public int payloadType() {
        return media.payloadType();
    }

    public OptionalInt rtxPayloadType() {
        return rtx.map(c -> OptionalInt.of(c.payloadType())).orElse(OptionalInt.empty());
    }
}
