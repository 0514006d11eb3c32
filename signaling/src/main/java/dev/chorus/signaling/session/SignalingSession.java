package dev.chorus.signaling.session;

import dev.chorus.sfu.conference.MediaException;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.MediaSession;
import dev.chorus.sfu.conference.OfferOutcome;
import dev.chorus.signaling.auth.Grant;
import dev.chorus.signaling.protocol.ClientMessage;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.MessageSink;
import dev.chorus.signaling.room.Moderation;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Role;
import dev.chorus.signaling.room.RoomRecorder;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.TokenBucket;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket: parses its messages, applies them to the rooms, and keeps it
 * alive or drops it. Runs on the signaling thread, like {@link RoomRegistry}.
 */
public final class SignalingSession implements MessageSink {

    private static final Logger log = LoggerFactory.getLogger(SignalingSession.class);

    static final short CLOSE_GOING_AWAY = 1001;
    static final short CLOSE_SLOW_CONSUMER = 1008;
    static final short CLOSE_KEEPALIVE_TIMEOUT = 4000;
    /** A resume on another socket took this socket's participant. */
    static final short CLOSE_REPLACED = 4001;
    /** Cluster mode: the join's room is served by another node, whose URL the client was just sent. */
    static final short CLOSE_REDIRECTED = 4002;

    private final ServerWebSocket socket;
    private final RoomRegistry rooms;
    private final MediaService mediaService;
    private final MessageParser parser;
    private final SessionSettings settings;
    private final TokenBucket rateLimit;
    private final Consumer<SignalingSession> onEnd;
    private final String remote;
    private final Resumption resumption;
    private final JoinQueue joinQueue;
    /** Cluster mode's routing of joins to nodes; null on a single node. */
    private final JoinPlacement placement;
    /** The join of this socket that waits in {@link #joinQueue}, or null. */
    private Admission waiting;
    /** The participant this socket speaks for, from join or resume; null before (or after a takeover). */
    private Membership membership;

    private long lastSeenNanos;
    private long lastPingNanos;
    private boolean ended;
    private boolean closing;
    /** The server closes the socket for shutdown: its participant leaves, no resume. */
    private boolean goingAway;

    public SignalingSession(
            ServerWebSocket socket,
            RoomRegistry rooms,
            MediaService mediaService,
            MessageParser parser,
            SessionSettings settings,
            Resumption resumption,
            JoinQueue joinQueue,
            JoinPlacement placement,
            long nowNanos,
            Consumer<SignalingSession> onEnd) {
        this.socket = socket;
        this.rooms = rooms;
        this.mediaService = mediaService;
        this.parser = parser;
        this.settings = settings;
        this.resumption = resumption;
        this.joinQueue = joinQueue;
        this.placement = placement;
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
        // A drop (no close frame, an error) keeps the participant for a resume; a close on purpose leaves.
        socket.closeHandler(
                v -> end(LeaveReason.DISCONNECTED, !goingAway && !closedOnPurpose(socket.closeStatusCode())));
        send(settings.welcome());
    }

    /** Called periodically: pings the client, or drops it when it has been silent too long. */
    public void keepalive(long nowNanos) {
        if (ended) {
            return;
        }
        if (nowNanos - lastSeenNanos > settings.keepaliveTimeoutNanos()) {
            log.info("remote={} {}: keepalive timeout", remote, context());
            // Silent for the whole keepalive timeout already: no grace on top. (A client that came back over
            // another socket meanwhile has resumed, and this socket is no longer its participant's.)
            end(LeaveReason.TIMEOUT, false);
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
        goingAway = true;
        return socket.close(CLOSE_GOING_AWAY, reason);
    }

    @Override
    public void send(JsonObject message) {
        write(message.encode());
    }

    /** A participant's message with its {@code msgSeq} (see {@link ResumableSink}), written as its first field. */
    void sendSequenced(JsonObject message, long seq) {
        String body = message.encode();
        write("{\"msgSeq\":" + seq + (body.length() > 2 ? "," + body.substring(1) : "}"));
    }

    private void write(String text) {
        if (ended || closing || socket.isClosed()) {
            return;
        }
        socket.writeTextMessage(text);
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
            refuseIfJoined(join);
            Admission admission = admission(join);
            if (placement == null) {
                submit(admission);
            } else {
                route(admission);
            }
        } else if (message instanceof ClientMessage.Resume resume) {
            refuseIfJoined(resume);
            resume(resume);
        } else if (message instanceof ClientMessage.Leave leave && waiting != null) {
            waiting.withdrawn = true; // its turn will be skipped
            waiting = null;
            send(ServerMessages.left(leave.id()));
        } else {
            Participant member = requireJoined(message);
            if (message instanceof ClientMessage.Leave leave) {
                membership.leave(LeaveReason.LEFT);
                send(ServerMessages.left(leave.id()));
            } else if (message instanceof ClientMessage.Chat chat) {
                rooms.chat(member, chat.text(), chat.id());
            } else if (message instanceof ClientMessage.Mute mute) {
                rooms.mute(member, mute.audioMuted(), mute.videoMuted(), mute.id());
            } else if (message instanceof ClientMessage.Offer offer) {
                offer(member, offer);
            } else if (message instanceof ClientMessage.MuteParticipant m) {
                new Moderation(rooms).mute(member, m);
            } else if (message instanceof ClientMessage.RemoveParticipant r) {
                new Moderation(rooms).remove(member, r);
            } else if (message instanceof ClientMessage.Record r) {
                record(member, r);
            } else if (message instanceof ClientMessage.View view) {
                MediaSession media = membership.media();
                if (media == null) {
                    throw new ProtocolException(ErrorCode.NOT_READY, "send an offer before view", null, view.id());
                }
                media.setViewSizes(view.videos());
                if (view.lastN() != null) {
                    media.setLastN(view.lastN());
                }
            } else if (message instanceof ClientMessage.Candidate candidate) {
                MediaSession media = membership.media();
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

    /** A checked join into the join queue: admitted now, queued, or refused when the queue is full. */
    private void submit(Admission admission) throws ProtocolException {
        ClientMessage.Join join = admission.join;
        JoinQueue.Outcome outcome = joinQueue.submit(admission);
        if (outcome instanceof JoinQueue.Queued q) {
            waiting = admission;
            log.info(
                    "remote={} join to room={} waits its turn: position {}, about {} ms",
                    remote,
                    join.room(),
                    q.position(),
                    q.waitMillis());
            send(ServerMessages.queued(join.id(), q.position(), q.waitMillis()));
        } else if (outcome instanceof JoinQueue.Full f) {
            log.warn("remote={} join to room={} refused: {} joins waiting already", remote, join.room(), f.waiting());
            throw new ProtocolException(
                    ErrorCode.SERVER_BUSY,
                    "the server is busy: " + f.waiting() + " joins are waiting; try again in a few seconds",
                    null,
                    join.id());
        }
    }

    /**
     * Cluster mode: the join goes to the node that serves (or will serve) its room. Served here, it joins as on a
     * single node; elsewhere, the client is told that node's URL ({@code redirect}) and the socket is closed.
     */
    private void route(Admission admission) {
        ClientMessage.Join join = admission.join;
        waiting = admission; // a second join meanwhile is refused as "waiting its turn"
        placement.route(join.room(), join.redirects() > 0).onComplete(ar -> {
            if (waiting != admission || ended) {
                return; // left or gone while the directory answered
            }
            waiting = null;
            JoinPlacement.Route to = ar.succeeded() ? ar.result() : JoinPlacement.Route.LOCAL;
            if (!to.local()) {
                log.info(
                        "remote={} join to room={} redirected to node {} at {}",
                        remote,
                        join.room(),
                        to.node(),
                        to.url());
                send(ServerMessages.redirect(join.id(), join.room(), to.node(), to.url()));
                closing = true;
                socket.close(CLOSE_REDIRECTED, "room served by node " + to.node());
                return;
            }
            try {
                submit(admission);
            } catch (ProtocolException e) {
                send(ServerMessages.error(e));
            } catch (RuntimeException e) {
                log.error("remote={} join to room={}: internal error", remote, join.room(), e);
                send(ServerMessages.error(ErrorCode.INTERNAL_ERROR, "internal error", join.id()));
            }
        });
    }

    private void refuseIfJoined(ClientMessage message) throws ProtocolException {
        if (waiting != null) {
            throw new ProtocolException(
                    ErrorCode.ALREADY_JOINED, "your join is waiting its turn; wait for joined", null, message.id());
        }
        if (membership != null && membership.inRoom()) {
            throw new ProtocolException(
                    ErrorCode.ALREADY_JOINED,
                    "already in room " + membership.participant().room().name() + "; leave first",
                    null,
                    message.id());
        }
    }

    /** A checked join waiting in the {@link JoinQueue}; admitted, it joins (or answers with why it cannot). */
    private final class Admission implements JoinQueue.Ticket {
        private final ClientMessage.Join join;
        private final Grant grant;
        private final String name;
        /** The client sent leave while it waited. */
        private boolean withdrawn;

        Admission(ClientMessage.Join join, Grant grant, String name) {
            this.join = join;
            this.grant = grant;
            this.name = name;
        }

        @Override
        public boolean cancelled() {
            return ended || withdrawn;
        }

        @Override
        public void admit() {
            if (waiting == this) {
                waiting = null;
            }
            if (cancelled()) {
                return;
            }
            try {
                membership = join(join, grant, name);
            } catch (ProtocolException e) {
                log.debug("remote={} {}: {} {}", remote, context(), e.code().wire(), e.getMessage());
                send(ServerMessages.error(e));
            } catch (RuntimeException e) {
                log.error("remote={} {}: internal error joining", remote, context(), e);
                send(ServerMessages.error(ErrorCode.INTERNAL_ERROR, "internal error", join.id()));
            }
        }
    }

    /** Checks the join (per-address limit, token, name) before it takes a turn in the queue. */
    private Admission admission(ClientMessage.Join join) throws ProtocolException {
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
        return new Admission(join, grant, name);
    }

    /** Joins with what the token grants. */
    private Membership join(ClientMessage.Join join, Grant grant, String name) throws ProtocolException {
        // A hidden member joins as a broadcast viewer: it only receives, and is counted, not listed.
        Role role = grant.permissions().hidden() ? Role.VIEWER : Role.fromWire(join.role());
        Membership joining = resumption.newMembership(this);
        try {
            joining.joined(rooms.join(
                    join.room(),
                    name,
                    role,
                    grant.identity(),
                    grant.permissions(),
                    joining.sink(),
                    join.id(),
                    settings.iceServers()));
        } catch (ProtocolException | RuntimeException e) {
            resumption.joinFailed(joining);
            throw e;
        }
        return joining;
    }

    /**
     * Takes over the participant of a resume token (see {@link Resumption}): answers {@code resumed}, then sends
     * what the client missed after its {@code lastMsgSeq}, in order.
     */
    private void resume(ClientMessage.Resume resume) throws ProtocolException {
        Membership resumed;
        try {
            resumed = resumption.resume(resume, this);
        } catch (ProtocolException e) {
            log.info("remote={}: resume refused: {} {}", remote, e.code().wire(), e.getMessage());
            throw e;
        }
        membership = resumed;
        Participant p = resumed.participant();
        send(ServerMessages.resumed(
                resume.id(),
                p.room().name(),
                p.toSelfJson(),
                resumption.resumeJson(resumed),
                resumed.sink().lastSeq()));
        resumed.sink().replayAfter(resume.lastSeq());
    }

    /**
     * A resume on another socket took this one's participant: this socket is closed without the participant
     * leaving.
     */
    void replaced() {
        membership = null;
        if (!socket.isClosed()) {
            closing = true;
            socket.close(CLOSE_REPLACED, "resumed on another connection");
        }
    }

    /** A member's {@code record}: a moderator or a holder of the record permission starts or stops the recording. */
    private void record(Participant member, ClientMessage.Record r) throws ProtocolException {
        if (!member.permissions().moderate() && !member.permissions().record()) {
            throw new ProtocolException(
                    ErrorCode.PERMISSION_DENIED,
                    "your permissions do not allow recording (join token perms.moderate or perms.record)",
                    null,
                    r.id());
        }
        RoomRecorder recorder = rooms.recorder();
        if (recorder == null) {
            throw new ProtocolException(ErrorCode.MEDIA_UNAVAILABLE, "this server does not record", null, r.id());
        }
        if (r.active()) {
            recorder.start(member, r.id());
        } else {
            recorder.stop(member, r.id());
        }
    }

    private void offer(Participant member, ClientMessage.Offer offer) throws ProtocolException {
        OfferPermissions.check(member.permissions(), offer.sdp(), offer.sources(), offer.id());
        try {
            MediaSession media = membership.openMedia(mediaService);
            OfferOutcome outcome = media.handleOffer(offer.sdp(), offer.sources());
            membership.announceTracks(media.published());
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
            case UNSUPPORTED_CODEC -> ErrorCode.UNSUPPORTED_CODEC;
        };
        return new ProtocolException(code, e.getMessage(), code == ErrorCode.INVALID_FIELD ? field : null, requestId);
    }

    private Participant requireJoined(ClientMessage message) throws ProtocolException {
        if (membership == null || !membership.inRoom()) {
            throw new ProtocolException(ErrorCode.NOT_JOINED, "join a room first", null, message.id());
        }
        return membership.participant();
    }

    /**
     * The socket is gone (or going). With {@code mayResume}, a participant still in its room waits for a resume
     * for the grace period; otherwise it leaves now with {@code reason}.
     */
    private void end(LeaveReason reason, boolean mayResume) {
        if (ended) {
            return;
        }
        ended = true;
        if (membership != null && membership.isAttachedTo(this)) {
            if (mayResume && resumption.enabled() && membership.inRoom()) {
                resumption.detach(membership);
            } else {
                membership.leave(reason);
            }
        }
        onEnd.accept(this);
    }

    /**
     * Whether the client closed the socket on purpose: a close frame with 1000 (normal), 1001 (going away: a page
     * closed or left) or no code (1005). A dropped connection has no close frame at all.
     */
    private static boolean closedOnPurpose(Short code) {
        return code != null && (code == 1000 || code == 1001 || code == 1005);
    }

    private String context() {
        return membership == null ? "not joined" : membership.logContext();
    }
}
