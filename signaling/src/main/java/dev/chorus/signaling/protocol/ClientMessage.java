package dev.chorus.signaling.protocol;

import dev.chorus.sfu.conference.ViewSize;
import java.util.Map;

/**
 * A validated message from a client. Every field has already passed the protocol's
 * limits, so handlers need no further checks. {@code id} is the client's optional
 * request id (a String or a Long), echoed as {@code re}.
 */
public sealed interface ClientMessage {

    Object id();

    /**
     * {@code role} is "participant" (listed, may publish) or "viewer" (counted, only receives). {@code token} is
     * the join token (JWT) or null; {@code name} may be null only when a token is given (its name claim).
     * {@code redirects} (cluster mode) is how many {@code redirect}s in a row led the client here, 0 when none.
     */
    record Join(Object id, String room, String name, String role, String token, int redirects)
            implements ClientMessage {
        public Join(Object id, String room, String name) {
            this(id, room, name, "participant", null, 0);
        }

        public Join(Object id, String room, String name, String role) {
            this(id, room, name, role, null, 0);
        }

        public Join(Object id, String room, String name, String role, String token) {
            this(id, room, name, role, token, 0);
        }
    }

    record Leave(Object id) implements ClientMessage {}

    /**
     * Takes over a participant whose socket dropped: {@code token} is its resume token, {@code lastMsgSeq} the
     * {@code msgSeq} of the last message the client processed (0 when none).
     */
    record Resume(Object id, String token, long lastSeq) implements ClientMessage {}

    record Chat(Object id, String text) implements ClientMessage {}

    /** A null flag keeps that flag's current value. */
    record Mute(Object id, Boolean audioMuted, Boolean videoMuted) implements ClientMessage {}

    record Ping(Object id, Long ts) implements ClientMessage {}

    /** An SDP offer; {@code sources} maps the mids the client sends on to "mic", "camera" or "screen". */
    record Offer(Object id, String sdp, Map<String, String> sources) implements ClientMessage {}

    /**
     * The size, in device pixels, at which the client shows the video of each receiving line,
     * by mid; 0 x 0 for a video it does not show. The server picks simulcast layers by it.
     */
    record View(Object id, Map<String, ViewSize> videos, Integer lastN) implements ClientMessage {}

    /** A trickled ICE candidate; a null {@code candidate} marks the end of the client's candidates. */
    record Candidate(Object id, String candidate, String sdpMid) implements ClientMessage {}

    /**
     * A moderator mutes ({@code muted} true) or lets again (false) every track of {@code source} ("mic", "camera",
     * "screen") that {@code participantId} publishes.
     */
    record MuteParticipant(Object id, String participantId, String source, boolean muted) implements ClientMessage {}

    /** A moderator takes {@code participantId} out of the room. */
    record RemoveParticipant(Object id, String participantId) implements ClientMessage {}

    /** A moderator (or a holder of the record permission) starts ({@code active}) or stops recording the room. */
    record Record(Object id, boolean active) implements ClientMessage {}
}
