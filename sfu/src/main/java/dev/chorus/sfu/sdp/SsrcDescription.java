package dev.chorus.sfu.sdp;

import java.util.Map;
import java.util.Optional;

/** All {@code a=ssrc:<ssrc> <attribute>[:<value>]} lines of one SSRC, in order. */
public record SsrcDescription(long ssrc, Map<String, String> attributes) {
    public SsrcDescription {
        attributes = Map.copyOf(attributes);
    }

    public Optional<String> cname() {
        return Optional.ofNullable(attributes.get("cname"));
    }

    /** The legacy per-SSRC msid, which Chrome still writes next to the media-level one. */
    public Optional<Msid> msid() {
        String value = attributes.get("msid");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String[] parts = value.trim().split("\\s+", 2);
        return Optional.of(new Msid(parts[0], parts.length > 1 ? parts[1] : ""));
    }
}
