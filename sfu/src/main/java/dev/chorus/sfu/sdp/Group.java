package dev.chorus.sfu.sdp;

import java.util.List;

/** {@code a=group:<semantics> <mid> ...}, e.g. BUNDLE (RFC 5888, 8843). */
public record Group(String semantics, List<String> mids) {
    public Group {
        mids = List.copyOf(mids);
    }

    public boolean isBundle() {
        return "BUNDLE".equalsIgnoreCase(semantics);
    }
}
