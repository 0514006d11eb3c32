package dev.chorus.sfu.sdp;

import java.util.List;
import java.util.Optional;

/**
 * A parsed session description. Session-level transport attributes are kept as written; each
 * {@link MediaSection} already carries the values that apply to it.
 */
public record SessionDescription(
        Origin origin,
        String sessionName,
        List<Group> groups,
        Optional<String> iceUfrag,
        Optional<String> icePwd,
        Optional<Fingerprint> fingerprint,
        Optional<SetupRole> setup,
        List<String> iceOptions,
        boolean iceLite,
        boolean extmapAllowMixed,
        List<MediaSection> media) {

    public SessionDescription {
        groups = List.copyOf(groups);
        iceOptions = List.copyOf(iceOptions);
        media = List.copyOf(media);
    }

    /** The first BUNDLE group; JSEP offers from browsers have at most one. */
    public Optional<Group> bundleGroup() {
        return groups.stream().filter(Group::isBundle).findFirst();
    }

    public Optional<MediaSection> sectionByMid(String mid) {
        return media.stream()
                .filter(m -> m.mid().filter(mid::equals).isPresent())
                .findFirst();
    }
}
