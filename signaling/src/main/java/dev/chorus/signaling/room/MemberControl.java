package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the server API may do to a member's running session besides sending it messages: take it out of its room,
 * list and mute the tracks it publishes. A member's {@link MessageSink} offers it when it is a real session
 * ({@link Participant#control()}). Signaling thread only.
 */
public interface MemberControl {

    /** Ends the member's media, takes it out of its room (the others hear {@code reason}) and tells it so. */
    void removeFromRoom(LeaveReason reason);

    /** The tracks it publishes now, in line order (none before its first offer). */
    List<Track> publishedTracks();

    /** Server mute of one of its tracks (forwarding stops or resumes); the track after, or null when it has none such. */
    Track setTrackMuted(String trackId, boolean muted);

    /**
     * One published track.
     *
     * @param id     stable while the line sends the same stream (the SFU's producer id)
     * @param kind   "audio" or "video"
     * @param source "mic", "camera" or "screen"
     * @param muted  muted by the server: nobody receives it
     */
    record Track(String id, String mid, String kind, String source, boolean muted) {
        public JsonObject toJson() {
            return new JsonObject()
                    .put("id", id)
                    .put("mid", mid)
                    .put("kind", kind)
                    .put("source", source)
                    .put("muted", muted);
        }
    }
}
