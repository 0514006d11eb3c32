package dev.chorus.sfu.conference;

import dev.chorus.sfu.forward.ProducerParams;

/**
 * A track as another cluster node needs it to receive it over the relay: what the room shows ({@link PublishedTrack})
 * and how its packets look (the publisher's SSRCs or rids, payload types and extension ids, which the relay keeps).
 */
public record RelayedTrack(PublishedTrack track, ProducerParams params) {
    public RelayedTrack {
        if (!track.producerId().equals(params.id())) {
            throw new IllegalArgumentException(
                    "track and params name different producers: " + track.producerId() + " " + params.id());
        }
    }
}
