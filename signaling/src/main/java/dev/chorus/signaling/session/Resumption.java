package dev.chorus.signaling.session;

import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.ClientMessage;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.Timers;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resume after a dropped WebSocket (PROTOCOL.md, "resume"): hands out resume tokens, holds a participant whose
 * socket dropped for the grace period ({@code chorus.resume.grace}) with its media running, and lets a new socket
 * take it over with its token. The others see no leave and no join. Signaling thread only.
 *
 * <p>What a resume may do is what the participant's join did: it continues the same participant (room, role,
 * identity, permissions from its join token), so it is not checked against a join token again, and it cannot
 * change any of them. A token is single-use and dies with its participant; a participant gone is joined again
 * with a fresh {@code join}, whose join token is checked as any other.
 */
public final class Resumption {

    private static final Logger log = LoggerFactory.getLogger(Resumption.class);

    private final RoomRegistry rooms;
    private final long graceMillis;
    private final int bufferMessages;
    private final Timers timers;
    private final LongSupplier clockMillis;
    private final ResumeTokens tokens = new ResumeTokens();
    private int detachedCount;
    private long resumes;
    private long expiries;

    /**
     * @param timers runs a task later on the signaling thread (grace periods)
     */
    public Resumption(RoomRegistry rooms, ServerConfig.Resume settings, Timers timers, LongSupplier clockMillis) {
        this.rooms = rooms;
        this.graceMillis = settings.grace().toMillis();
        this.bufferMessages = settings.buffer();
        this.timers = timers;
        this.clockMillis = clockMillis;
    }

    public boolean enabled() {
        return graceMillis > 0;
    }

    /** A membership for a joining client; its {@code joined} will carry a resume token when resume is on. */
    Membership newMembership(SignalingSession session) {
        Membership m = new Membership(rooms, this, bufferMessages);
        m.attach(session);
        if (enabled()) {
            String token = tokens.issue(m);
            m.resumeToken(token);
            m.sink().announceInJoined(ServerMessages.resumeToken(token, graceMillis));
        }
        return m;
    }

    /** The join failed: the client never had the membership's token. */
    void joinFailed(Membership m) {
        tokens.discard(m.resumeToken());
        m.resumeToken(null);
    }

    /** The membership's socket dropped: keep it for the grace period, then it leaves with reason {@code timeout}. */
    void detach(Membership m) {
        m.detach();
        detachedCount++;
        int epoch = m.epoch();
        log.info("{}: socket dropped, held {} ms for a resume", m.logContext(), graceMillis);
        timers.runAfter(graceMillis, () -> {
            if (m.isDetached() && m.epoch() == epoch) {
                log.info("{}: not resumed within {} ms", m.logContext(), graceMillis);
                expiries++;
                m.leave(LeaveReason.TIMEOUT);
            }
        });
    }

    /** The detached membership missed more than is kept: it cannot resume, so it leaves now. */
    void overflowed(Membership m) {
        int epoch = m.epoch();
        // Later, not here: this runs inside a send, possibly in the middle of a broadcast to the room.
        timers.runAfter(0, () -> {
            if (m.isDetached() && m.epoch() == epoch) {
                log.info("{}: missed over {} messages while away, leaving", m.logContext(), bufferMessages);
                tokens.retire(m.resumeToken(), ResumeTokens.Spent.OVERFLOW, clockMillis.getAsLong());
                m.leave(LeaveReason.DISCONNECTED);
            }
        });
    }

    /** The membership left, for whatever reason: its token no longer resumes. */
    void ended(Membership m) {
        if (m.isDetached()) {
            detachedCount--;
            m.attach(null);
        }
        tokens.retire(m.resumeToken(), ResumeTokens.Spent.EXPIRED, clockMillis.getAsLong());
    }

    /**
     * Hands the membership of {@code request.token()} to {@code by}: closes its old socket if that is still open,
     * spends the token and issues the next. The caller then sends {@code resumed} and the replay.
     */
    Membership resume(ClientMessage.Resume request, SignalingSession by) throws ProtocolException {
        Object re = request.id();
        if (!enabled()) {
            throw new ProtocolException(
                    ErrorCode.RESUME_INVALID, "this server does not resume (chorus.resume.grace = 0s); join", null, re);
        }
        long now = clockMillis.getAsLong();
        Membership m = tokens.live(request.token());
        if (m == null) {
            ResumeTokens.Spent why = tokens.spent(request.token(), now);
            throw refused(why, re);
        }
        if (!m.inRoom()) { // removed by other means while away
            m.leave(LeaveReason.DISCONNECTED);
            throw refused(ResumeTokens.Spent.EXPIRED, re);
        }
        ResumableSink sink = m.sink();
        if (request.lastSeq() > sink.lastSeq()) {
            throw new ProtocolException(
                    ErrorCode.RESUME_INVALID,
                    "lastMsgSeq " + request.lastSeq() + " is ahead of the server's " + sink.lastSeq(),
                    "lastMsgSeq",
                    re);
        }
        SignalingSession old = sink.attached();
        if (!sink.canReplayAfter(request.lastSeq())) {
            log.info(
                    "{}: resume refused, missed messages {}..{} but only {}.. are kept",
                    m.logContext(),
                    request.lastSeq() + 1,
                    sink.lastSeq(),
                    sink.firstSeq());
            tokens.retire(m.resumeToken(), ResumeTokens.Spent.OVERFLOW, now);
            m.leave(LeaveReason.DISCONNECTED);
            if (old != null) {
                old.replaced();
            }
            throw refused(ResumeTokens.Spent.OVERFLOW, re);
        }
        tokens.retire(m.resumeToken(), ResumeTokens.Spent.USED, now);
        if (m.isDetached()) {
            detachedCount--;
        }
        m.attach(by);
        if (old != null && old != by) {
            // A socket the server still thought open (half-open, or the client opened another): it is not this
            // participant's any more.
            old.replaced();
        }
        m.resumeToken(tokens.issue(m));
        resumes++;
        log.info(
                "{}: resumed{}, replaying {} message(s)",
                m.logContext(),
                old != null ? " (its old socket was still open: closed)" : "",
                sink.lastSeq() - request.lastSeq());
        return m;
    }

    /** The {@code resume} object of {@code joined} / {@code resumed}: the live token and the grace period. */
    JsonObject resumeJson(Membership m) {
        return ServerMessages.resumeToken(m.resumeToken(), graceMillis);
    }

    private ProtocolException refused(ResumeTokens.Spent why, Object re) {
        if (why == null) {
            return new ProtocolException(ErrorCode.RESUME_INVALID, "unknown resume token; join again", null, re);
        }
        return switch (why) {
            case USED ->
                new ProtocolException(
                        ErrorCode.RESUME_USED,
                        "this resume token was used already (each resume hands out the next); join again",
                        null,
                        re);
            case EXPIRED ->
                new ProtocolException(
                        ErrorCode.RESUME_EXPIRED,
                        "the participant has left (not resumed within " + graceMillis + " ms, or it left); join again",
                        null,
                        re);
            case OVERFLOW ->
                new ProtocolException(
                        ErrorCode.RESUME_OVERFLOW,
                        "more messages were missed than the server keeps (" + bufferMessages + "); join again",
                        null,
                        re);
        };
    }

    /** For /debug: how many participants wait for a resume now, and totals. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("graceMs", graceMillis)
                .put("buffer", bufferMessages)
                .put("detached", detachedCount)
                .put("liveTokens", tokens.liveCount())
                .put("spentTokens", tokens.spentCount())
                .put("resumes", resumes)
                .put("expiries", expiries);
    }
}
