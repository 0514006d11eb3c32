package dev.chorus.signaling.api;

import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.ChatMessage;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.MemberControl;
import dev.chorus.signaling.room.Moderation;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Permissions;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.RoomSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What each API call does to the rooms. Called on the signaling thread only (the HTTP handlers run on the
 * verticle's event loop, which owns {@link RoomRegistry} and every session), so a call sees and changes room state
 * exactly as a WebSocket message would, with no locks. Each call checks everything before it changes anything.
 */
final class RoomApi {

    static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_-]{1," + Limits.MAX_ROOM_CHARS + "}");
    static final int MAX_METADATA_CHARS = 4096;
    static final long MAX_EMPTY_TIMEOUT_SECONDS = 7 * 24 * 3600;
    private static final List<String> KINDS = List.of("audio", "video", "screen");
    private static final Set<String> PERMS = Set.of("publish", "subscribe", "chat", "moderate", "record", "hidden");

    private final RoomRegistry rooms;
    private final ServerConfig config;
    /** Remove and mute: the same operations moderators' signaling messages run. */
    private final Moderation moderation;

    RoomApi(RoomRegistry rooms, ServerConfig config) {
        this.rooms = rooms;
        this.config = config;
        this.moderation = new Moderation(rooms);
    }

    JsonObject list() {
        JsonArray list = new JsonArray();
        for (String name : rooms.roomNames()) {
            list.add(summary(rooms.room(name)));
        }
        return new JsonObject().put("rooms", list);
    }

    JsonObject create(JsonObject body) throws ApiException {
        only(body, Set.of("name", "maxParticipants", "emptyTimeoutSeconds", "metadata"));
        String name = string(body, "name", true, Limits.MAX_ROOM_CHARS);
        if (!ROOM_NAME.matcher(name).matches()) {
            throw invalid("name must be 1-" + Limits.MAX_ROOM_CHARS + " characters of A-Z a-z 0-9 _ -", "name");
        }
        int serverMax = config.rooms().maxParticipants();
        long max = integer(body, "maxParticipants", 1, serverMax, serverMax);
        long timeout = integer(
                body,
                "emptyTimeoutSeconds",
                1,
                MAX_EMPTY_TIMEOUT_SECONDS,
                config.api().emptyTimeout().toSeconds());
        String metadata = string(body, "metadata", false, MAX_METADATA_CHARS);
        if (rooms.room(name) != null) {
            throw new ApiException(ApiError.ROOM_EXISTS, "room " + name + " exists", "name");
        }
        try {
            return room(rooms.create(name, new RoomSettings((int) max, timeout * 1000, metadata)));
        } catch (ProtocolException e) {
            throw fromProtocol(e);
        }
    }

    JsonObject get(String roomName) throws ApiException {
        return room(room(roomName));
    }

    JsonObject end(String roomName) throws ApiException {
        Room room = room(roomName);
        int removed = rooms.end(room);
        return new JsonObject().put("name", room.name()).put("ended", true).put("removed", removed);
    }

    JsonObject removeParticipant(String roomName, String participantId) throws ApiException {
        Participant p = participant(roomName, participantId);
        moderation.remove(p, LeaveReason.REMOVED);
        return new JsonObject().put("id", p.id()).put("removed", true);
    }

    JsonObject muteTrack(String roomName, String participantId, String trackId, JsonObject body) throws ApiException {
        only(body, Set.of("muted"));
        Object muted = body.getValue("muted");
        if (!(muted instanceof Boolean)) {
            throw invalid("muted must be true or false", "muted");
        }
        Participant p = participant(roomName, participantId);
        MemberControl.Track after;
        try {
            after = moderation.muteTrack(p, trackId, (Boolean) muted, null);
        } catch (Moderation.Refused e) {
            throw fromModeration(e);
        }
        if (after == null) { // its line stopped sending in between: nothing left to mute
            throw new ApiException(
                    ApiError.TRACK_NOT_FOUND, "participant " + participantId + " publishes no track " + trackId);
        }
        return after.toJson();
    }

    JsonObject updatePermissions(String roomName, String participantId, JsonObject body) throws ApiException {
        for (String key : body.fieldNames()) {
            if (!PERMS.contains(key)) {
                throw invalid("unknown permission '" + clip(key) + "' (" + String.join(", ", PERMS) + ")", key);
            }
        }
        Participant p = participant(roomName, participantId);
        Permissions now = p.permissions();
        boolean audio = now.publishAudio();
        boolean video = now.publishVideo();
        boolean screen = now.publishScreen();
        if (body.containsKey("publish")) {
            if (!(body.getValue("publish") instanceof JsonArray kinds)
                    || !kinds.stream().allMatch(KINDS::contains)) {
                throw invalid("publish must be a list of \"audio\", \"video\", \"screen\"", "publish");
            }
            audio = kinds.contains("audio");
            video = kinds.contains("video");
            screen = kinds.contains("screen");
        }
        boolean hidden = flag(body, "hidden", now.hidden());
        if (hidden != now.hidden()) {
            throw invalid(
                    "hidden cannot change while the participant is in the room (it decides how it joined)", "hidden");
        }
        Permissions next = new Permissions(
                audio,
                video,
                screen,
                flag(body, "subscribe", now.subscribe()),
                flag(body, "chat", now.chat()),
                flag(body, "moderate", now.moderate()),
                flag(body, "record", now.record()),
                hidden);
        // Whatever it may no longer publish stops reaching the others now, not at its next offer; what it may no
        // longer receive stops reaching it now.
        MemberControl control = p.control();
        if (control != null) {
            for (MemberControl.Track t : control.publishedTracks()) {
                if (!next.mayPublish(t.source()) && !t.muted()) {
                    rooms.trackMuted(p, control.setTrackMuted(t.id(), true), true);
                }
            }
            control.setSubscribing(next.subscribe());
        }
        rooms.updatePermissions(p, next);
        return participant(p);
    }

    JsonObject sendMessage(String roomName, JsonObject body) throws ApiException {
        only(body, Set.of("text", "name"));
        String text = string(body, "text", true, config.signaling().maxChatChars());
        String name = string(body, "name", false, config.signaling().maxNameChars());
        Room room = room(roomName);
        ChatMessage m = rooms.systemMessage(room, name == null ? "Server" : name, text);
        return m.toJson().put("room", room.name());
    }

    // ---------------------------------------------------------------- views

    private JsonObject summary(Room room) {
        RoomSettings s = room.settings();
        return new JsonObject()
                .put("name", room.name())
                .put("createdAt", room.createdAtMillis())
                .put(
                        "maxParticipants",
                        s.maxParticipants() > 0
                                ? s.maxParticipants()
                                : config.rooms().maxParticipants())
                .put("emptyTimeoutSeconds", s.emptyTimeoutMillis() / 1000)
                .put("metadata", s.metadata())
                .put("participantCount", room.participantCount())
                .put("viewerCount", room.viewerCount());
    }

    private JsonObject room(Room room) {
        JsonArray list = new JsonArray();
        room.members().forEach(p -> list.add(participant(p)));
        room.viewers().forEach(p -> list.add(participant(p)));
        return summary(room).put("participants", list);
    }

    private static JsonObject participant(Participant p) {
        JsonArray tracks = new JsonArray();
        MemberControl control = p.control();
        if (control != null) {
            control.publishedTracks().forEach(t -> tracks.add(t.toJson()));
        }
        JsonObject json = new JsonObject()
                .put("id", p.id())
                .put("name", p.name())
                .put("role", p.role().wire())
                .put("joinedAt", p.joinedAtMillis())
                .put("audioMuted", p.audioMuted())
                .put("videoMuted", p.videoMuted())
                .put("permissions", p.permissions().toJson())
                .put("tracks", tracks);
        if (p.identity() != null) {
            json.put("identity", p.identity());
        }
        return json;
    }

    // ---------------------------------------------------------------- lookups and checks

    Room room(String name) throws ApiException {
        Room room = name == null ? null : rooms.room(name);
        if (room == null) {
            throw new ApiException(ApiError.ROOM_NOT_FOUND, "no room " + clip(String.valueOf(name)));
        }
        return room;
    }

    Participant participant(String roomName, String participantId) throws ApiException {
        Room room = room(roomName);
        try {
            return moderation.member(room, participantId);
        } catch (Moderation.Refused e) {
            throw fromModeration(e);
        }
    }

    private static ApiException fromModeration(Moderation.Refused e) {
        ApiError error = switch (e.failure()) {
            case PARTICIPANT_NOT_FOUND -> ApiError.PARTICIPANT_NOT_FOUND;
            case TRACK_NOT_FOUND -> ApiError.TRACK_NOT_FOUND;
            case PERMISSION_DENIED -> ApiError.PERMISSION_DENIED;
        };
        return new ApiException(error, e.getMessage());
    }

    private static ApiException fromProtocol(ProtocolException e) {
        ApiError error = switch (e.code()) {
            case TOO_MANY_ROOMS -> ApiError.TOO_MANY_ROOMS;
            case SHUTTING_DOWN -> ApiError.SHUTTING_DOWN;
            default -> ApiError.INTERNAL_ERROR;
        };
        return new ApiException(error, e.getMessage());
    }

    static void only(JsonObject body, Set<String> allowed) throws ApiException {
        for (String key : body.fieldNames()) {
            if (!allowed.contains(key)) {
                throw invalid("unknown field '" + clip(key) + "' (allowed: " + String.join(", ", allowed) + ")", key);
            }
        }
    }

    private static String string(JsonObject body, String field, boolean required, int maxChars) throws ApiException {
        Object value = body.getValue(field);
        if (value == null) {
            if (required) {
                throw invalid("missing field '" + field + "'", field);
            }
            return null;
        }
        if (!(value instanceof String s) || s.isEmpty() || s.codePointCount(0, s.length()) > maxChars) {
            throw invalid(field + " must be a string of 1-" + maxChars + " characters", field);
        }
        return s;
    }

    static long integer(JsonObject body, String field, long min, long max, long absent) throws ApiException {
        Object value = body.getValue(field);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Integer || value instanceof Long)
                || ((Number) value).longValue() < min
                || ((Number) value).longValue() > max) {
            throw invalid(field + " must be an integer " + min + ".." + max, field);
        }
        return ((Number) value).longValue();
    }

    static boolean flag(JsonObject body, String field, boolean absent) throws ApiException {
        Object value = body.getValue(field);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Boolean b)) {
            throw invalid(field + " must be true or false", field);
        }
        return b;
    }

    static ApiException invalid(String message, String field) {
        return new ApiException(ApiError.INVALID_FIELD, message, clip(field));
    }

    /** Keeps what the caller sent short in error messages. */
    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
