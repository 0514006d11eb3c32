package dev.chorus.testkit.peer;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import java.util.Optional;

/** One m= line of a client offer: a sendonly line carrying a {@link LocalTrack}, or a recvonly line. */
public record OfferLine(MediaKind kind, Direction direction, Optional<LocalTrack> track) {

    public OfferLine {
        if (direction == Direction.SENDONLY && track.isEmpty()) {
            throw new IllegalArgumentException("a sendonly line needs a track");
        }
        if (direction == Direction.RECVONLY && track.isPresent()) {
            throw new IllegalArgumentException("a recvonly line has no local track");
        }
        if (direction != Direction.SENDONLY && direction != Direction.RECVONLY) {
            throw new IllegalArgumentException("the native client offers sendonly or recvonly lines only");
        }
        track.ifPresent(t -> {
            if (t.kind() != kind) {
                throw new IllegalArgumentException("track kind " + t.kind() + " on a " + kind + " line");
            }
        });
    }

    public static OfferLine send(LocalTrack track) {
        return new OfferLine(track.kind(), Direction.SENDONLY, Optional.of(track));
    }

    public static OfferLine recv(MediaKind kind) {
        return new OfferLine(kind, Direction.RECVONLY, Optional.empty());
    }
}
