package dev.chorus.sfu.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a browser announces about a track it sends on one m= line. {@code streams} lists the
 * media SSRCs with their RTX partners (from FID groups); it is empty when the browser announces
 * its streams by rid only (Chrome's simulcast), and on every line whose simulcast the SFU accepted
 * (see {@link NegotiatedSection#simulcastRids()}): the forwarder then learns the SSRCs from the
 * mid/rid header extensions. Firefox lists an {@code a=ssrc} line and FID group per layer too, but
 * nothing in SDP says which rid each SSRC carries, so those lines are not used.
 */
public record Publication(Optional<Msid> msid, Optional<String> cname, List<Stream> streams) {

    public Publication {
        streams = List.copyOf(streams);
    }

    /** One RTP stream of the publication: the media SSRC and, for video, its RTX SSRC. */
    public record Stream(long ssrc, OptionalLong rtxSsrc) {}

    public static Publication of(MediaSection section) {
        Set<Long> repairSsrcs = new HashSet<>();
        for (SsrcGroup group : section.ssrcGroups()) {
            // FID and FEC-FR groups list the media SSRC first, the repair stream second.
            if (group.ssrcs().size() >= 2 && !group.isSim()) {
                repairSsrcs.addAll(group.ssrcs().subList(1, group.ssrcs().size()));
            }
        }
        List<Long> mediaSsrcs = section.ssrcGroups().stream()
                .filter(SsrcGroup::isSim)
                .findFirst()
                .map(SsrcGroup::ssrcs)
                .orElseGet(() -> section.ssrcs().stream()
                        .map(SsrcDescription::ssrc)
                        .filter(ssrc -> !repairSsrcs.contains(ssrc))
                        .toList());
        List<Stream> streams = new ArrayList<>();
        for (long ssrc : mediaSsrcs) {
            streams.add(new Stream(ssrc, rtxOf(section, ssrc)));
        }
        Optional<Msid> msid = section.msid()
                .or(() ->
                        section.ssrcs().stream().flatMap(s -> s.msid().stream()).findFirst());
        Optional<String> cname =
                section.ssrcs().stream().flatMap(s -> s.cname().stream()).findFirst();
        return new Publication(msid, cname, streams);
    }

    /** This publication with its SSRCs left to be learnt from the packets (an accepted simulcast line). */
    Publication withoutStreams() {
        return new Publication(msid, cname, List.of());
    }

    private static OptionalLong rtxOf(MediaSection section, long ssrc) {
        return section.ssrcGroups().stream()
                .filter(g -> g.isFid() && g.ssrcs().size() == 2 && g.ssrcs().get(0) == ssrc)
                .mapToLong(g -> g.ssrcs().get(1))
                .findFirst();
    }
}
