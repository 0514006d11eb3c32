package dev.chorus.signaling.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Builders for the messages the server sends; the one place their shape is defined. */
public final class ServerMessages {

    public static final int PROTOCOL_VERSION = 1;

    private ServerMessages() {}

    public static JsonObject error(ProtocolException e) {
        JsonObject json = new JsonObject().put("type", "error");
        withRe(json, e.requestId());
        json.put("code", e.code().wire()).put("message", e.getMessage());
        if (e.field() != null) {
            json.put("field", e.field());
        }
        return json;
    }

    public static JsonObject error(ErrorCode code, String message, Object re) {
        return error(new ProtocolException(code, message, null, re));
    }

    /** The join waits for its turn ({@code chorus.signaling.joins-per-second}); "joined" follows. */
    /** Cluster mode: the room is served by node {@code node}; join again at {@code url}. */
    public static JsonObject redirect(Object re, String room, String node, String url) {
        return withRe(new JsonObject().put("type", "redirect"), re)
                .put("room", room)
                .put("node", node)
                .put("url", url);
    }

    public static JsonObject queued(Object re, int position, long waitMillis) {
        return withRe(new JsonObject().put("type", "queued"), re)
                .put("position", position)
                .put("waitMs", waitMillis);
    }

    public static JsonObject joined(
            Object re,
            String room,
            JsonObject you,
            JsonArray others,
            JsonArray chat,
            JsonArray iceServers,
            int viewers) {
        return withRe(new JsonObject().put("type", "joined"), re)
                .put("room", room)
                .put("you", you)
                .put("participants", others)
                .put("viewers", viewers)
                .put("chat", chat)
                .put("iceServers", iceServers);
    }

    /** The room's recording started ({@code recording} its id) or stopped (null); {@code re} for its requester. */
    public static JsonObject recording(String recording, Object re) {
        return withRe(new JsonObject().put("type", "recording"), re)
                .put("active", recording != null)
                .put("recording", recording);
    }

    /** How many viewers the room has now (coalesced: at most one per room per interval). */
    public static JsonObject viewers(int count) {
        return new JsonObject().put("type", "viewers").put("count", count);
    }

    public static JsonObject participantJoined(JsonObject participant) {
        return new JsonObject().put("type", "participant-joined").put("participant", participant);
    }

    public static JsonObject participantLeft(String id, String reason) {
        return new JsonObject().put("type", "participant-left").put("id", id).put("reason", reason);
    }

    /**
     * The answer to {@code resume}: the participant as it is ({@code you}, as in {@code joined}), its next resume
     * token, and the {@code msgSeq} of the newest message the server has for it; the missed ones follow.
     */
    public static JsonObject resumed(Object re, String room, JsonObject you, JsonObject resume, long lastSeq) {
        return withRe(new JsonObject().put("type", "resumed"), re)
                .put("room", room)
                .put("you", you)
                .put("resume", resume)
                .put("lastMsgSeq", lastSeq);
    }

    /** The resume token and grace period handed out in {@code joined} and {@code resumed}. */
    public static JsonObject resumeToken(String token, long graceMs) {
        return new JsonObject().put("token", token).put("graceMs", graceMs);
    }

    public static JsonObject left(Object re) {
        return withRe(new JsonObject().put("type", "left"), re);
    }

    public static JsonObject pong(Object re, Long ts, long serverTs) {
        JsonObject json = withRe(new JsonObject().put("type", "pong"), re);
        if (ts != null) {
            json.put("ts", ts);
        }
        return json.put("serverTs", serverTs);
    }

    public static JsonObject mute(String id, boolean audioMuted, boolean videoMuted) {
        return new JsonObject()
                .put("type", "mute")
                .put("id", id)
                .put("audioMuted", audioMuted)
                .put("videoMuted", videoMuted);
    }

    /** The answer to an offer; {@code tracks} says which remote track each receiving line carries. */
    public static JsonObject answer(Object re, String sdp, JsonArray tracks) {
        return withRe(new JsonObject().put("type", "answer"), re)
                .put("sdp", sdp)
                .put("tracks", tracks);
    }

    /** One of the server's ICE candidates; null ends them. */
    public static JsonObject candidate(String candidate, String sdpMid) {
        JsonObject json = new JsonObject().put("type", "candidate").putNull("candidate");
        if (candidate != null) {
            // One BUNDLE transport: every candidate belongs to the transport of the bundle's first line.
            json.put("candidate", candidate).put("sdpMid", sdpMid).put("sdpMLineIndex", 0);
        }
        return json;
    }

    public static JsonObject renegotiate(int audioTracks, int videoTracks) {
        return new JsonObject()
                .put("type", "renegotiate")
                .put("audio", audioTracks)
                .put("video", videoTracks);
    }

    public static JsonObject mediaState(String state, String reason) {
        JsonObject json = new JsonObject().put("type", "media-state").put("state", state);
        if (reason != null) {
            json.put("reason", reason);
        }
        return json;
    }

    /** Tells a client the server removed it from its room (not an answer to {@code leave}). */
    public static JsonObject removed(String reason) {
        return new JsonObject().put("type", "left").put("reason", reason);
    }

    /**
     * The server is shutting down: it takes no new joins, and closes this connection when its rooms
     * have emptied or at {@code deadline} (epoch milliseconds), {@code drainMs} from now.
     */
    public static JsonObject serverShutdown(long drainMs, long deadline) {
        return new JsonObject()
                .put("type", "server-shutdown")
                .put("reason", "shutdown")
                .put("drainMs", drainMs)
                .put("deadline", deadline);
    }

    private static JsonObject withRe(JsonObject json, Object re) {
        if (re != null) {
            json.put("re", re);
        }
        return json;
    }

    /** The videos of these receiving lines are paused by the server now (the whole set). */
    public static JsonObject videoPaused(List<String> mids) {
        return new JsonObject().put("type", "video-paused").put("mids", new JsonArray(List.copyOf(mids)));
    }

    /**
     * Dynacast: send only the lowest {@code layers} of the {@code of} simulcast layers on line
     * {@code mid}: {"type":"layers","mid":"1","active":[true,true,false]}.
     */
    public static JsonObject layers(String mid, int layers, int of) {
        JsonArray active = new JsonArray();
        for (int i = 0; i < of; i++) {
            active.add(i < layers);
        }
        return new JsonObject().put("type", "layers").put("mid", mid).put("active", active);
    }

    /** The room's dominant speaker is now {@code participantId}. */
    public static JsonObject speaker(String participantId) {
        return new JsonObject().put("type", "speaker").put("id", participantId);
    }

    /** The server API muted or unmuted one of {@code participantId}'s tracks; to the whole room. */
    public static JsonObject trackMuted(String participantId, JsonObject track, boolean muted) {
        return new JsonObject()
                .put("type", "track-muted")
                .put("participantId", participantId)
                .put("track", track)
                .put("muted", muted);
    }

    /** The server API changed what this member may do; to that member only. */
    public static JsonObject permissions(JsonObject permissions) {
        return new JsonObject().put("type", "permissions").put("permissions", permissions);
    }

    /** As {@link #trackMuted(String, JsonObject, boolean)}, done by a moderator ({@code by}: its id and name). */
    public static JsonObject trackMuted(String participantId, JsonObject track, boolean muted, JsonObject by) {
        JsonObject json = trackMuted(participantId, track, muted);
        return by == null ? json : json.put("by", by);
    }

    /** The answer to a moderator's {@code mute-participant} or {@code remove-participant}. */
    public static JsonObject moderated(Object re, String action, String participantId, JsonArray tracks) {
        JsonObject json = withRe(new JsonObject().put("type", "moderated"), re)
                .put("action", action)
                .put("participantId", participantId);
        return tracks == null ? json : json.put("tracks", tracks);
    }

    /** A listed member's public description changed (it became or stopped being a moderator); to the others. */
    public static JsonObject participantUpdated(JsonObject participant) {
        return new JsonObject().put("type", "participant-updated").put("participant", participant);
    }
}
