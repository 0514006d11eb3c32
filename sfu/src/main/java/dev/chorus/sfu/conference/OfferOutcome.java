package dev.chorus.sfu.conference;

import java.util.List;

/**
 * The answer to one offer.
 *
 * @param sdp        the SDP answer
 * @param tracks     which remote track each receiving m= line carries now
 * @param candidates the SFU's ICE candidates to trickle after the answer (only after the first one)
 * @param bundleMid  the mid of the BUNDLE transport's first m= line, which the candidates belong to
 */
public record OfferOutcome(String sdp, List<AssignedTrack> tracks, List<String> candidates, String bundleMid) {

    public OfferOutcome {
        tracks = List.copyOf(tracks);
        candidates = List.copyOf(candidates);
    }

    /** A remote track on the subscriber's m= line {@code mid}. */
    public record AssignedTrack(String mid, PublishedTrack track) {}
}
