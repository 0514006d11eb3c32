package dev.chorus.sfu.sdp;

/**
 * {@code a=msid:<stream id> [<track id>]} (RFC 8830). The browser reports the stream id as
 * {@code ontrack}'s {@code streams[0].id}; the track id may be empty.
 */
public record Msid(String streamId, String trackId) {
    @Override
    public String toString() {
        return trackId.isEmpty() ? streamId : streamId + " " + trackId;
    }
}
