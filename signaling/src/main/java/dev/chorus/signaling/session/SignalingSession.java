package dev.chorus.signaling.session;

import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.MediaSessionListener;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.signaling.auth.Grant;
import dev.chorus.signaling.protocol.ClientMessage;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.MemberControl;
import dev.chorus.signaling.room.MessageSink;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Role;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket: parses its messages, applies them to the rooms, and keeps it
 * alive or drops it. Runs on the signaling thread, like {@link RoomRegistry}.
 */
public final class SignalingSession implements MessageSink, MemberControl {

    private static final Logger log = LoggerFactory.getLogger(SignalingSession.class);

    static final short CLOSE_GOING_AWAY = 1001;
    static final short CLOSE_SLOW_CONSUMER = 1008;
    static final short CLOSE_KEEPALIVE_TIMEOUT = 4000;

    private final ServerWebSocket socket;
    private final RoomRegistry rooms;
    private final MediaService mediaService;
    private final MessageParser parser;
    private final SessionSettings settings;
    private final TokenBucket rateLimit;
    private final Consumer<SignalingSession> onEnd;
    private final String remote;
    private Participant participant;
    /** This participant's media, from its first offer until it leaves. */
    private MediaSession media;

    private long lastSeenNanos;
    private long lastPingNanos;
    private boolean ended;
    private boolean closing;

    public SignalingSession(
            ServerWebSocket socket,
            RoomRegistry rooms,
            MediaService mediaService,
            MessageParser parser,
            SessionSettings settings,
            long nowNanos,
            Consumer<SignalingSession> onEnd) {
        this.socket = socket;
        this.rooms = rooms;
        this.mediaService = mediaService;
        this.parser = parser;
        this.settings = settings;
        this.rateLimit = new TokenBucket(settings.rateLimitPerSecond(), settings.rateLimitBurst(), nowNanos);
        this.onEnd = onEnd;
        this.remote = String.valueOf(socket.remoteAddress());
        this.lastSeenNanos = nowNanos;
        this.lastPingNanos = nowNanos;
    }

    public void start() {
        socket.setWriteQueueMaxSize(settings.maxOutboundQueueBytes());
        socket.textMessageHandler(this::onText);
        socket.binaryMessageHandler(this::onBinary);
        socket.pongHandler(pong -> lastSeenNanos = settings.nanoClock().getAsLong());
        socket.exceptionHandler(e -> log.debug("remote={} {}: socket error: {}", remote, context(), e.toString()));
        socket.closeHandler(v -> end(LeaveReason.DISCONNECTED));
        send(settings.welcome());
    }

    /** Called periodically: pings the client, or drops it when it has been silent too long. */
    public void keepalive(long nowNanos) {
        if (ended) {
            return;
        }
        if (nowNanos - lastSeenNanos > settings.keepaliveTimeoutNanos()) {
            log.info("remote={} {}: keepalive timeout", remote, context());
            end(LeaveReason.TIMEOUT);
            socket.close(CLOSE_KEEPALIVE_TIMEOUT, "keepalive timeout");
            return;
        }
        if (nowNanos - lastPingNanos >= settings.keepaliveIntervalNanos()) {
            lastPingNanos = nowNanos;
            socket.writePing(Buffer.buffer("ka"));
        }
    }

    /**
     * Server shutdown: closes the socket with 1001 (going away); its close handler then takes the
     * participant out of its room as for any disconnect.
     */
    public Future<Void> goAway(String reason) {
        if (ended || closing || socket.isClosed()) {
            return Future.succeededFuture();
        }
        closing = true;
        return socket.close(CLOSE_GOING_AWAY, reason);
    }

    @Override
    public void send(JsonObject message) {
        if (ended || closing || socket.isClosed()) {
            return;
        }
        socket.writeTextMessage(message.encode());
        if (socket.writeQueueFull()) {
            // The client stopped reading; queueing without bound would let one stuck
            // browser exhaust the server's memory.
            // Leaving happens in the close handler, not here: send() may be running inside a
            // broadcast over this very room.
            log.warn(
                    "remote={} {}: outbound queue over {} bytes, disconnecting",
                    remote,
                    context(),
                    settings.maxOutboundQueueBytes());
            closing = true;
            socket.close(CLOSE_SLOW_CONSUMER, "outbound queue overflow");
        }
    }

    // ---------------------------------------------------------------- server API (MemberControl)

    @Override
    public void removeFromRoom(LeaveReason reason) {
        if (participant == null || ended) {
            return;
        }
        log.info("remote={} {}: removed by the server API ({})", remote, context(), reason.wire());
        leaveRoom(reason);
        // Stays connected: the client may join again, as after media_timeout.
        send(ServerMessages.removed(reason.wire()));
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

    private MemberControl.Track track(PublishedTrack t) {
        return new MemberControl.Track(
                t.producerId(), t.mid(), t.kind().token(), t.source().wire(), media.isTrackPaused(t.mid()));
    }

    private void onText(String text) {
        long now = settings.nanoClock().getAsLong();
        lastSeenNanos = now;
        if (ended) {
            return;
        }
        if (!rateLimit.tryTake(now)) {
            send(ServerMessages.error(ErrorCode.RATE_LIMITED, "too many messages; slow down", null));
            return;
        }
        try {
            handle(parser.parse(text));
        } catch (ProtocolException e) {
            log.debug("remote={} {}: {} {}", remote, context(), e.code().wire(), e.getMessage());
            send(ServerMessages.error(e));
        } catch (RuntimeException e) {
            log.error("remote={} {}: internal error handling a message", remote, context(), e);
            send(ServerMessages.error(ErrorCode.INTERNAL_ERROR, "internal error", null));
        }
    }

    private void onBinary(Buffer buffer) {
        lastSeenNanos = settings.nanoClock().getAsLong();
        send(ServerMessages.error(ErrorCode.BAD_MESSAGE, "binary frames are not supported; send JSON text", null));
    }

    private void handle(ClientMessage message) throws ProtocolException {
        if (message instanceof ClientMessage.Ping ping) {
            send(ServerMessages.pong(ping.id(), ping.ts(), settings.wallClock().getAsLong()));
        } else if (message instanceof ClientMessage.Join join) {
            if (participant != null && rooms.isMember(participant)) {
                throw new ProtocolException(
                        ErrorCode.ALREADY_JOINED,
                        "already in room " + participant.room().name() + "; leave first",
                        null,
                        join.id());
            }
            participant = join(join);
        } else {
            Participant member = requireJoined(message);
            if (message instanceof ClientMessage.Leave leave) {
                leaveRoom(LeaveReason.LEFT);
                send(ServerMessages.left(leave.id()));
            } else if (message instanceof ClientMessage.Chat chat) {
                rooms.chat(member, chat.text(), chat.id());
            } else if (message instanceof ClientMessage.Mute mute) {
                rooms.mute(member, mute.audioMuted(), mute.videoMuted(), mute.id());
            } else if (message instanceof ClientMessage.Offer offer) {
                offer(member, offer);
            } else if (message instanceof ClientMessage.View view) {
                if (media == null) {
                    throw new ProtocolException(ErrorCode.NOT_READY, "send an offer before view", null, view.id());
                }
                media.setViewSizes(view.videos());
                if (view.lastN() != null) {
                    media.setLastN(view.lastN());
                }
            } else if (message instanceof ClientMessage.Candidate candidate) {
                if (media == null) {
                    throw new ProtocolException(
                            ErrorCode.NOT_READY, "send an offer before candidates", null, candidate.id());
                }
                try {
                    media.addRemoteCandidate(candidate.candidate());
                } catch (MediaException e) {
                    throw protocolError(e, candidate.id(), "candidate");
                }
            } else {
                throw new IllegalStateException(
                        "unhandled message " + message.getClass().getSimpleName());
            }
        }
    }

    /** Checks the join's token (token mode) and joins with what it grants. */
    private Participant join(ClientMessage.Join join) throws ProtocolException {
        String ip = socket.remoteAddress() == null ? "" : socket.remoteAddress().hostAddress();
        if (!settings.clientLimits().tryJoin(ip, settings.nanoClock().getAsLong())) {
            log.info("remote={} join to room={} refused: too many joins from this address", remote, join.room());
            throw new ProtocolException(
                    ErrorCode.RATE_LIMITED,
                    "too many joins from your address (chorus.security.joins-per-ip-per-second); try again shortly",
                    null,
                    join.id());
        }
        Grant grant = Grant.OPEN;
        if (settings.tokens() != null) {
            try {
                grant = settings.tokens()
                        .verify(join.token(), join.room(), settings.wallClock().getAsLong());
            } catch (ProtocolException e) {
                // The reason only: never the token.
                log.info(
                        "remote={} join to room={} refused: {} {}",
                        remote,
                        join.room(),
                        e.code().wire(),
                        e.getMessage());
                throw e.withRequestId(join.id());
            }
        }
        String name = grant.name() != null ? grant.name() : join.name();
        if (name == null) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "missing field 'name' (the token has no name claim)", "name", join.id());
        }
        // A hidden member joins as a broadcast viewer: it only receives, and is counted, not listed.
        Role role = grant.permissions().hidden() ? Role.VIEWER : Role.fromWire(join.role());
        return rooms.join(
                join.room(), name, role, grant.identity(), grant.permissions(), this, join.id(), settings.iceServers());
    }

    private void offer(Participant member, ClientMessage.Offer offer) throws ProtocolException {
        OfferPermissions.check(member.permissions(), offer.sdp(), offer.sources(), offer.id());
        try {
            if (media == null) {
                // A viewer only receives: the media side refuses its offers that send (not_allowed).
                media = member.isViewer()
                        ? mediaService.room(member.room().name()).joinReceiveOnly(member.id(), new MediaEvents())
                        : mediaService.room(member.room().name()).join(member.id(), new MediaEvents());
            }
            OfferOutcome outcome = media.handleOffer(offer.sdp(), offer.sources());
            JsonArray tracks = new JsonArray();
            for (OfferOutcome.AssignedTrack t : outcome.tracks()) {
                tracks.add(new JsonObject()
                        .put("mid", t.mid())
                        .put("participantId", t.track().publisherId())
                        .put("kind", t.track().kind().token())
                        .put("source", t.track().source().wire()));
            }
            send(ServerMessages.answer(offer.id(), outcome.sdp(), tracks));
            if (!outcome.candidates().isEmpty()) {
                outcome.candidates().forEach(c -> send(ServerMessages.candidate(c, outcome.bundleMid())));
                send(ServerMessages.candidate(null, null));
            }
        } catch (MediaException e) {
            log.info("remote={} {}: offer refused: {}", remote, context(), e.getMessage());
            throw protocolError(e, offer.id(), "sdp");
        }
    }

    private static ProtocolException protocolError(MediaException e, Object requestId, String field) {
        ErrorCode code = switch (e.kind()) {
            case BAD_SDP -> ErrorCode.BAD_SDP;
            case NOT_READY -> ErrorCode.NOT_READY;
            case BAD_CANDIDATE -> ErrorCode.INVALID_FIELD;
            case UNAVAILABLE -> ErrorCode.MEDIA_UNAVAILABLE;
            case NOT_ALLOWED -> ErrorCode.NOT_ALLOWED;
        };
        return new ProtocolException(code, e.getMessage(), code == ErrorCode.INVALID_FIELD ? field : null, requestId);
    }

    /** Leaves the room with its media; the others are told. */
    private void leaveRoom(LeaveReason reason) {
        if (media != null) {
            media.close();
            media = null;
        }
        if (participant != null) {
            rooms.leave(participant, reason);
            participant = null;
        }
    }

    /** Media events of one media session; ignored once the participant has moved on from it. */
    private final class MediaEvents implements MediaSessionListener {
        private boolean current() {
            return !ended && media != null && participant != null;
        }

        @Override
        public void renegotiationNeeded(int audioTracks, int videoTracks) {
            if (current()) {
                send(ServerMessages.renegotiate(audioTracks, videoTracks));
            }
        }

        @Override
        public void mediaConnected() {
            if (current()) {
                send(ServerMessages.mediaState("connected", null));
            }
        }

        @Override
        public void mediaFailed(String reason) {
            if (current()) {
                send(ServerMessages.mediaState("failed", reason));
            }
        }

        @Override
        public void videosPaused(List<String> mids) {
            if (current()) {
                send(ServerMessages.videoPaused(mids));
            }
        }

        @Override
        public void publisherLayers(String mid, int layers, int of) {
            if (current()) {
                send(ServerMessages.layers(mid, layers, of));
            }
        }

        @Override
        public void dominantSpeakerChanged(String participantId) {
            if (current()) {
                send(ServerMessages.speaker(participantId));
            }
        }

        @Override
        public void mediaLost(String reason) {
            if (current()) {
                log.info("remote={} {}: media lost ({}), removing from the room", remote, context(), reason);
                send(ServerMessages.mediaState("failed", reason));
                leaveRoom(LeaveReason.MEDIA_TIMEOUT);
                send(ServerMessages.removed(LeaveReason.MEDIA_TIMEOUT.wire()));
            }
        }
    }

    private Participant requireJoined(ClientMessage message) throws ProtocolException {
        if (participant == null || !rooms.isMember(participant)) {
            throw new ProtocolException(ErrorCode.NOT_JOINED, "join a room first", null, message.id());
        }
        return participant;
    }

    private void end(LeaveReason reason) {
        if (ended) {
            return;
        }
        ended = true;
        leaveRoom(reason);
        onEnd.accept(this);
    }

    private String context() {
        return participant == null ? "not joined" : participant.logContext();
    }
}
