package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the server API may do to a member's running session besides sending it messages: take it out of its room,
 * list and mute the tracks it publishes, capture the packets it sends. A member's {@link MessageSink} offers it when it is a real session
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
     * Grants or takes away receiving others' tracks: taken away, nothing more is forwarded to it and its receiving
     * lines go inactive at its next offer (it is asked for one); given back, it is asked for an offer that gets it
     * everything published.
     */
    void setSubscribing(boolean allowed);

    /**
     * Starts capturing the decrypted packets it sends into {@code file} (which must not exist yet).
     *
     * @return the capture's state
     * @throws CaptureRefused when it has no media yet, a capture runs, or the file cannot be made
     */
    JsonObject startCapture(Path file, Duration maxTime, long maxPackets) throws CaptureRefused;

    /** Its latest capture's state (running or ended), or null when it has had none. */
    JsonObject capture();

    /** Ends its running capture early; false when none runs. */
    boolean stopCapture();

    /** Why a capture cannot start. */
    final class CaptureRefused extends Exception {
        /** The reasons, as the API reports them. */
        public enum Why {
            NO_MEDIA,
            RUNNING,
            FILE_FAILED
        }

        private final Why why;

        public CaptureRefused(Why why, String message) {
            super(message);
            this.why = why;
        }

        public Why why() {
            return why;
        }
    }

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
