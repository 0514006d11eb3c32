package dev.chorus.sfu.sdp;

import java.util.List;
import java.util.Optional;

/**
 * The SFU's answer: the SDP text for the browser and, per m= line, what was negotiated.
 * {@code remoteTransport} is empty only when every m= line was rejected.
 */
public record Answer(String sdp, List<NegotiatedSection> sections, Optional<RemoteTransport> remoteTransport) {

    public Answer {
        sections = List.copyOf(sections);
    }

    public Optional<NegotiatedSection> section(String mid) {
        return sections.stream()
                .filter(s -> s.mid().filter(mid::equals).isPresent())
                .findFirst();
    }
}
