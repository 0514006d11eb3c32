package dev.chorus.signaling.session;

import dev.chorus.sfu.capture.PacketCapture;
import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.MediaSessionListener;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.MemberControl;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant as its client sees it, from join to leave: its place in a room, its media session and the
 * {@link ResumableSink} its messages go through. It outlives a socket: when the socket drops, the membership is
 * detached (its media keeps flowing) until a resume attaches it to a new socket, or the grace period ends it.
 * Signaling thread only.
 */
final class Membership implements MemberControl {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final RoomRegistry rooms;
    private final Resumption resumption;
    private final ResumableSink sink;
    private Participant participant;
    /** This participant's media, from its first offer until it leaves. */
    private MediaSession media;
    /** The live resume token, or null (resume off, or spent). */
    private String resumeToken;

    private boolean detached;
    /** Bumped at every detach and attach, so a grace timer from an earlier detachment does nothing. */
    private int epoch;

    private boolean left;
    /** The tracks the room's listeners were told this participant publishes (see {@link #announceTracks}). */
    private List<PublishedTrack> announced = List.of();

    Membership(RoomRegistry rooms, Resumption resumption, int bufferMessages) {
        this.rooms = rooms;
        this.resumption = resumption;
        this.sink = new ResumableSink(bufferMessages, () -> resumption.overflowed(this), this);
    }

    ResumableSink sink() {
        return sink;
    }

    void joined(Participant participant) {
        this.participant = participant;
    }

    Participant participant() {
        return participant;
    }

    MediaSession media() {
        return media;
    }

    String resumeToken() {
        return resumeToken;
    }

    void resumeToken(String token) {
        resumeToken = token;
    }

    /** In its room still (not left, not removed). */
    boolean inRoom() {
        return !left && participant != null && rooms.isMember(participant);
    }

    boolean isAttachedTo(SignalingSession session) {
        return !detached && sink.attached() == session;
    }

    boolean isDetached() {
        return detached;
    }

    int epoch() {
        return epoch;
    }

    void attach(SignalingSession session) {
        detached = false;
        epoch++;
        sink.attach(session);
    }

    void detach() {
        detached = true;
        epoch++;
        sink.detach();
    }

    /** Opens the participant's media session on its first offer; the same one afterwards. */
    MediaSession openMedia(MediaService mediaService) throws MediaException {
        if (media == null) {
            // A viewer only receives: the media side refuses its offers that send (not_allowed).
            media = participant.isViewer()
                    ? mediaService.room(participant.room().name()).joinReceiveOnly(participant.id(), new MediaEvents())
                    : mediaService.room(participant.room().name()).join(participant.id(), new MediaEvents());
            media.setSubscribing(participant.permissions().subscribe());
        }
        return media;
    }

    /** Leaves the room with its media; the others are told. Idempotent. */
    void leave(LeaveReason reason) {
        if (left) {
            return;
        }
        left = true;
        if (media != null) {
            media.close();
            media = null;
        }
        if (participant != null && !announced.isEmpty()) {
            announceTracks(List.of()); // its tracks are unpublished before it leaves
        }
        if (participant != null) {
            rooms.leave(participant, reason);
        }
        resumption.ended(this);
    }

    /**
     * Tells the room's listeners (webhooks) how the participant's published tracks changed since last told: each
     * track has a producer id of its own, so a line that now sends something else is one track gone, one new.
     */
    void announceTracks(List<PublishedTrack> now) {
        List<PublishedTrack> removed = new ArrayList<>();
        for (PublishedTrack t : announced) {
            if (now.stream().noneMatch(n -> n.producerId().equals(t.producerId()))) {
                removed.add(t);
            }
        }
        List<PublishedTrack> added = new ArrayList<>();
        for (PublishedTrack t : now) {
            if (announced.stream().noneMatch(a -> a.producerId().equals(t.producerId()))) {
                added.add(t);
            }
        }
        announced = List.copyOf(now);
        if (!removed.isEmpty() || !added.isEmpty()) {
            rooms.tracksChanged(participant, removed, added);
        }
    }

    // ---------------------------------------------------------------- server API (MemberControl)

    @Override
    public void removeFromRoom(LeaveReason reason) {
        if (participant == null || left) {
            return;
        }
        log.info("{}: removed by the server API ({})", logContext(), reason.wire());
        leave(reason);
        // The socket stays connected: the client may join again, as after media_timeout.
        sink.send(ServerMessages.removed(reason.wire()));
    }

    @Override
    public List<MemberControl.Track> publishedTracks() {
        if (media == null) {
            return List.of();
        }
        return media.publishedTracks().stream().map(this::track).toList();
    }

    @Override
    public MemberControl.Track setTrackMuted(String trackId, boolean muted) {
        PublishedTrack t = media == null ? null : media.setTrackPaused(trackId, muted);
        return t == null ? null : track(t);
    }

    @Override
    public void setSubscribing(boolean allowed) {
        if (media != null && !left) {
            media.setSubscribing(allowed);
        }
    }

    @Override
    public JsonObject startCapture(Path file, Duration maxTime, long maxPackets) throws MemberControl.CaptureRefused {
        if (media == null || media.isClosed()) {
            throw new MemberControl.CaptureRefused(
                    MemberControl.CaptureRefused.Why.NO_MEDIA, "the participant has not offered media yet");
        }
        PacketCapture running = media.capture();
        if (running != null && !running.isEnded()) {
            throw new MemberControl.CaptureRefused(
                    MemberControl.CaptureRefused.Why.RUNNING, "a capture of this participant is running");
        }
        try {
            return captureJson(media.startCapture(file, new PacketCapture.Limits(maxTime, maxPackets)));
        } catch (MediaException e) {
            throw new MemberControl.CaptureRefused(
                    e.kind() == MediaException.Kind.UNAVAILABLE
                            ? MemberControl.CaptureRefused.Why.FILE_FAILED
                            : MemberControl.CaptureRefused.Why.NO_MEDIA,
                    e.getMessage());
        }
    }

    @Override
    public JsonObject capture() {
        PacketCapture c = media == null ? null : media.capture();
        return c == null ? null : captureJson(c);
    }

    @Override
    public boolean stopCapture() {
        return media != null && media.stopCapture();
    }

    private static JsonObject captureJson(PacketCapture c) {
        return new JsonObject(c.toJson().toString());
    }

    private MemberControl.Track track(PublishedTrack t) {
        return new MemberControl.Track(
                t.producerId(), t.mid(), t.kind().token(), t.source().wire(), media.isTrackPaused(t.mid()));
    }

    String logContext() {
        return participant == null ? "not joined" : participant.logContext();
    }

    /**
     * Media events of this membership's media session, whichever socket it has now: while detached they are kept
     * for the replay like every other message. Ignored once the participant has left.
     */
    private final class MediaEvents implements MediaSessionListener {
        private boolean current() {
            return !left && media != null && participant != null;
        }

        @Override
        public void renegotiationNeeded(int audioTracks, int videoTracks) {
            if (current()) {
                sink.send(ServerMessages.renegotiate(audioTracks, videoTracks));
            }
        }

        @Override
        public void mediaConnected() {
            if (current()) {
                sink.send(ServerMessages.mediaState("connected", null));
            }
        }

        @Override
        public void mediaFailed(String reason) {
            if (current()) {
                if (media.isClosed()) { // its tracks went with it
                    announceTracks(List.of());
                }
                sink.send(ServerMessages.mediaState("failed", reason));
            }
        }

        @Override
        public void videosPaused(List<String> mids) {
            if (current()) {
                sink.send(ServerMessages.videoPaused(mids));
            }
        }

        @Override
        public void publisherLayers(String mid, int layers, int of) {
            if (current()) {
                sink.send(ServerMessages.layers(mid, layers, of));
            }
        }

        @Override
        public void dominantSpeakerChanged(String participantId) {
            if (current()) {
                sink.send(ServerMessages.speaker(participantId));
            }
        }

        @Override
        public void mediaLost(String reason) {
            if (current()) {
                log.info("{}: media lost ({}), removing from the room", logContext(), reason);
                sink.send(ServerMessages.mediaState("failed", reason));
                leave(LeaveReason.MEDIA_TIMEOUT);
                sink.send(ServerMessages.removed(LeaveReason.MEDIA_TIMEOUT.wire()));
            }
        }
    }
}
