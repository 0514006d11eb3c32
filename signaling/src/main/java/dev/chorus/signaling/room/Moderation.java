package dev.chorus.signaling.room;

import dev.chorus.signaling.protocol.ClientMessage;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.protocol.ServerMessages;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removing a member and muting its tracks: the one implementation behind both the server API (RoomApi) and the
 * signaling messages of members holding the {@code moderate} permission ({@code mute-participant},
 * {@code remove-participant}). Each operation checks everything before it changes anything, and refuses with a
 * {@link Refused} whose {@link Failure} each caller turns into its own error code. Signaling thread only.
 */
public final class Moderation {

    private static final Logger log = LoggerFactory.getLogger(Moderation.class);

    /** Why an operation was refused; nothing was changed. */
    public enum Failure {
        PARTICIPANT_NOT_FOUND,
        TRACK_NOT_FOUND,
        /** Unmuting a kind the member's permissions do not let it publish. */
        PERMISSION_DENIED
    }

    /** A refused operation. */
    public static final class Refused extends Exception {
        private final Failure failure;

        Refused(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    private final RoomRegistry rooms;

    public Moderation(RoomRegistry rooms) {
        this.rooms = rooms;
    }

    /** The member (participant or viewer) {@code participantId} of {@code room}. */
    public Participant member(Room room, String participantId) throws Refused {
        Participant p = participantId == null ? null : rooms.participant(participantId);
        if (p == null || p.room() != room || !rooms.isMember(p)) {
            throw new Refused(
                    Failure.PARTICIPANT_NOT_FOUND, "no participant " + clip(participantId) + " in room " + room.name());
        }
        return p;
    }

    /** Takes the member out of its room: its media ends, it is told {@code reason}, and so are the others. */
    public void remove(Participant target, LeaveReason reason) {
        rooms.remove(target, reason);
    }

    /**
     * Server mute (or unmute) of one track: the SFU stops (resumes) forwarding it and the room hears
     * {@code track-muted}.
     *
     * @param by the moderator who asked, or null (the server API)
     * @return the track after the change
     */
    public MemberControl.Track muteTrack(Participant target, String trackId, boolean muted, Participant by)
            throws Refused {
        MemberControl.Track track = tracks(target).stream()
                .filter(t -> t.id().equals(trackId))
                .findFirst()
                .orElseThrow(() -> new Refused(
                        Failure.TRACK_NOT_FOUND,
                        "participant " + target.id() + " publishes no track " + clip(trackId)));
        mayUnmute(target, track.source(), muted);
        return apply(target, track, muted, by);
    }

    /**
     * As {@link #muteTrack}, for every track of one source ("mic", "camera" or "screen") the member publishes.
     *
     * @return the tracks after the change (at least one)
     */
    public List<MemberControl.Track> muteSource(Participant target, String source, boolean muted, Participant by)
            throws Refused {
        List<MemberControl.Track> of =
                tracks(target).stream().filter(t -> t.source().equals(source)).toList();
        if (of.isEmpty()) {
            throw new Refused(
                    Failure.TRACK_NOT_FOUND, "participant " + target.id() + " publishes no " + source + " track");
        }
        mayUnmute(target, source, muted);
        List<MemberControl.Track> after = new ArrayList<>();
        for (MemberControl.Track t : of) {
            MemberControl.Track changed = apply(target, t, muted, by);
            if (changed != null) {
                after.add(changed);
            }
        }
        return after;
    }

    // ---------------------------------------------------------------- moderators' signaling messages

    /**
     * A member's {@code mute-participant}: refused with {@code permission_denied} unless it holds {@code moderate};
     * answered {@code moderated} with the tracks after the change.
     */
    public void mute(Participant moderator, ClientMessage.MuteParticipant request) throws ProtocolException {
        Participant target = target(moderator, request.participantId(), request.id());
        try {
            List<MemberControl.Track> after = muteSource(target, request.source(), request.muted(), moderator);
            log.info(
                    "{} {} {}'s {} (moderator)",
                    moderator.logContext(),
                    request.muted() ? "muted" : "unmuted",
                    target.id(),
                    request.source());
            JsonArray tracks = new JsonArray();
            after.forEach(t -> tracks.add(t.toJson()));
            moderator.send(ServerMessages.moderated(request.id(), "mute", target.id(), tracks));
        } catch (Refused e) {
            throw protocolError(e, request.id());
        }
    }

    /**
     * A member's {@code remove-participant}: the target leaves with {@code removed_by_moderator}; answered
     * {@code moderated}.
     */
    public void remove(Participant moderator, ClientMessage.RemoveParticipant request) throws ProtocolException {
        Participant target = target(moderator, request.participantId(), request.id());
        log.info("{} removed {} (moderator)", moderator.logContext(), target.id());
        remove(target, LeaveReason.REMOVED_BY_MODERATOR);
        moderator.send(ServerMessages.moderated(request.id(), "remove", target.id(), null));
    }

    private Participant target(Participant moderator, String participantId, Object requestId) throws ProtocolException {
        if (!moderator.permissions().moderate()) {
            throw new ProtocolException(
                    ErrorCode.PERMISSION_DENIED,
                    "your permissions do not allow moderating (join token perms.moderate or server API)",
                    null,
                    requestId);
        }
        if (moderator.id().equals(participantId)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "that is you: use mute or leave for yourself", "participantId", requestId);
        }
        try {
            return member(moderator.room(), participantId);
        } catch (Refused e) {
            throw protocolError(e, requestId);
        }
    }

    private static ProtocolException protocolError(Refused e, Object requestId) {
        ErrorCode code = switch (e.failure()) {
            case PARTICIPANT_NOT_FOUND -> ErrorCode.PARTICIPANT_NOT_FOUND;
            case TRACK_NOT_FOUND -> ErrorCode.TRACK_NOT_FOUND;
            case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
        };
        return new ProtocolException(code, e.getMessage(), null, requestId);
    }

    // ---------------------------------------------------------------- shared steps

    private static List<MemberControl.Track> tracks(Participant target) {
        MemberControl control = target.control();
        return control == null ? List.of() : control.publishedTracks();
    }

    private static void mayUnmute(Participant target, String source, boolean muted) throws Refused {
        if (!muted && !target.permissions().mayPublish(source)) {
            throw new Refused(
                    Failure.PERMISSION_DENIED,
                    "the participant's permissions do not allow publishing " + source + "; change them first");
        }
    }

    private MemberControl.Track apply(Participant target, MemberControl.Track track, boolean muted, Participant by) {
        MemberControl.Track after = target.control().setTrackMuted(track.id(), muted);
        if (after != null) {
            rooms.trackMuted(target, after, muted, by);
        }
        return after;
    }

    private static String clip(String s) {
        String text = String.valueOf(s);
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
