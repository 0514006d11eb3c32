package dev.chorus.sfu.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.StringJoiner;

/**
 * One payload type of an m= line with its rtpmap, fmtp and rtcp-fb lines. {@code parameters}
 * keeps the fmtp order; a bare fmtp token such as RED's {@code 111/111} maps to "".
 */
public record PayloadFormat(
        int payloadType,
        String name,
        int clockRate,
        int channels,
        Map<String, String> parameters,
        List<String> feedback) {

    public PayloadFormat {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        feedback = List.copyOf(feedback);
    }

    public boolean isNamed(String codecName) {
        return name.equalsIgnoreCase(codecName);
    }

    public boolean isRtx() {
        return isNamed("rtx");
    }

    /** For RTX, the payload type it retransmits ({@code apt}); empty otherwise or if absent. */
    public OptionalInt associatedPayloadType() {
        String apt = parameters.get("apt");
        if (!isRtx() || apt == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(apt.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    public boolean hasFeedback(String value) {
        return feedback.contains(value);
    }

    /** The value of {@code a=rtpmap:<pt> ...}; channels are written only when not 1. */
    public String rtpmapValue() {
        return name + "/" + clockRate + (channels != 1 ? "/" + channels : "");
    }

    /** The value of {@code a=fmtp:<pt> ...}, or "" when there are no parameters. */
    public String fmtpValue() {
        StringJoiner joiner = new StringJoiner(";");
        parameters.forEach((key, value) -> joiner.add(value.isEmpty() ? key : key + "=" + value));
        return joiner.toString();
    }
}
