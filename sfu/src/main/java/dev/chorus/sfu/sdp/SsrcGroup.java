package dev.chorus.sfu.sdp;

import java.util.List;

/** {@code a=ssrc-group:<semantics> <ssrc> ...}: FID pairs media+RTX, SIM lists simulcast layers. */
public record SsrcGroup(String semantics, List<Long> ssrcs) {
    public SsrcGroup {
        ssrcs = List.copyOf(ssrcs);
    }

    public boolean isFid() {
        return "FID".equalsIgnoreCase(semantics);
    }

    public boolean isSim() {
        return "SIM".equalsIgnoreCase(semantics);
    }
}
