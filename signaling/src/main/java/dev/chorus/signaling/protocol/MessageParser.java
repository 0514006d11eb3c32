package dev.chorus.signaling.protocol;

import dev.chorus.sfu.conference.ViewSize;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a text frame into a {@link ClientMessage}, or a {@link ProtocolException} with
 * the stable error code the client will see. All validation of client input lives
 * here, so the room logic can trust what it is given.
 */
public final class MessageParser {

    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9_-]{1," + Limits.MAX_ROOM_CHARS + "}");

    private static final Set<String> SOURCES = Set.of("mic", "camera", "screen");

    private static final Set<String> ROLES = Set.of("participant", "viewer");

    private final Limits limits;

    public MessageParser(Limits limits) {
        this.limits = limits;
    }

    public ClientMessage parse(String text) throws ProtocolException {
        if (Utf8.encodedLength(text) > limits.maxMessageBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, "message exceeds " + limits.maxMessageBytes() + " bytes");
        }
        JsonObject json = decode(text);
        Object id = requestId(json);
        Object type = json.getValue("type");
        if (!(type instanceof String typeName)) {
            throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message needs a string field 'type'", "type", id);
        }
        try {
            return switch (typeName) {
                case "join" -> join(json, id);
                case "leave" -> new ClientMessage.Leave(id);
                case "resume" -> resume(json, id);
                case "chat" -> new ClientMessage.Chat(id, chatText(json));
                case "mute" -> mute(json, id);
                case "ping" -> new ClientMessage.Ping(id, optionalLong(json, "ts"));
                case "offer" -> new ClientMessage.Offer(id, sdp(json), sources(json));
                case "view" -> new ClientMessage.View(id, videos(json), lastN(json));
                case "candidate" ->
                    new ClientMessage.Candidate(id, candidate(json), optionalShortString(json, "sdpMid"));
                case "mute-participant" -> muteParticipant(json, id);
                case "remove-participant" -> new ClientMessage.RemoveParticipant(id, participantId(json));
                case "record" -> record(json, id);
                default ->
                    throw new ProtocolException(
                            ErrorCode.UNKNOWN_TYPE, "unknown message type '" + clip(typeName) + "'");
            };
        } catch (ProtocolException e) {
            throw e.requestId() == null ? e.withRequestId(id) : e;
        }
    }

    private static JsonObject decode(String text) throws ProtocolException {
        String trimmed = text.stripLeading();
        if (!trimmed.startsWith("{")) {
            // Valid JSON that is not an object (a number, an array) is a different mistake
            // from text that is not JSON at all; tell the client which.
            if (isJson(trimmed)) {
                throw new ProtocolException(ErrorCode.BAD_MESSAGE, "message must be a JSON object");
            }
            throw new ProtocolException(ErrorCode.BAD_JSON, "message is not valid JSON");
        }
        try {
            return new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "message is not valid JSON");
        }
    }

    private static boolean isJson(String text) {
        try {
            io.vertx.core.json.Json.decodeValue(text);
            return true;
        } catch (DecodeException e) {
            return false;
        }
    }

    private static Object requestId(JsonObject json) throws ProtocolException {
        Object id = json.getValue("id");
        if (id == null) {
            return null;
        }
        if (id instanceof String s && s.length() <= Limits.MAX_REQUEST_ID_CHARS) {
            return s;
        }
        if (id instanceof Integer || id instanceof Long) {
            return ((Number) id).longValue();
        }
        throw new ProtocolException(
                ErrorCode.INVALID_FIELD,
                "'id' must be an integer or a string of at most " + Limits.MAX_REQUEST_ID_CHARS + " characters",
                "id",
                null);
    }

    private static String room(JsonObject json) throws ProtocolException {
        String room = requiredString(json, "room");
        if (!ROOM_NAME.matcher(room).matches()) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "room must be 1-" + Limits.MAX_ROOM_CHARS + " characters of A-Z a-z 0-9 _ -",
                    "room",
                    null);
        }
        return room;
    }

    private ClientMessage.Join join(JsonObject json, Object id) throws ProtocolException {
        String room = room(json);
        String token = token(json);
        // With a token, the name may come from its name claim instead.
        String name = token != null && json.getValue("name") == null ? null : name(json);
        return new ClientMessage.Join(id, room, name, role(json), token, redirects(json));
    }

    /** Optional: how many redirects led the client here, 0-10 (the web page stops at 3). */
    private static int redirects(JsonObject json) throws ProtocolException {
        Object v = json.getValue("redirects");
        if (v == null) {
            return 0;
        }
        if (!(v instanceof Integer n) || n < 0 || n > 10) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "redirects must be an integer from 0 to 10", "redirects", null);
        }
        return n;
    }

    private static ClientMessage.Resume resume(JsonObject json, Object id) throws ProtocolException {
        String token = requiredString(json, "token");
        if (token.length() > Limits.MAX_RESUME_TOKEN_CHARS) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'token' is too long for a resume token", "token", id);
        }
        Long lastSeq = optionalLong(json, "lastMsgSeq");
        if (lastSeq != null && lastSeq < 0) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'lastMsgSeq' must be >= 0", "lastMsgSeq", id);
        }
        return new ClientMessage.Resume(id, token, lastSeq == null ? 0 : lastSeq);
    }

    private static String token(JsonObject json) throws ProtocolException {
        Object value = json.getValue("token");
        if (value == null) {
            return null;
        }
        if (!(value instanceof String token)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'token' must be a string (a JWT)", "token", null);
        }
        return token;
    }

    private static String role(JsonObject json) throws ProtocolException {
        Object value = json.getValue("role");
        if (value == null) {
            return "participant";
        }
        if (!(value instanceof String role) || !ROLES.contains(role)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "role must be \"participant\" or \"viewer\"", "role", null);
        }
        return role;
    }

    private String name(JsonObject json) throws ProtocolException {
        String name = requiredString(json, "name").strip();
        if (name.isEmpty() || name.codePointCount(0, name.length()) > limits.maxNameChars()) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "name must be 1-" + limits.maxNameChars() + " characters", "name", null);
        }
        if (hasControlCharacters(name, false)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "name must not contain control characters", "name", null);
        }
        return name;
    }

    private String chatText(JsonObject json) throws ProtocolException {
        String text = requiredString(json, "text").strip();
        if (text.isEmpty() || text.codePointCount(0, text.length()) > limits.maxChatChars()) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "text must be 1-" + limits.maxChatChars() + " characters", "text", null);
        }
        if (hasControlCharacters(text, true)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "text must not contain control characters other than newline and tab",
                    "text",
                    null);
        }
        return text;
    }

    private static ClientMessage.Mute mute(JsonObject json, Object id) throws ProtocolException {
        Boolean audio = optionalBoolean(json, "audioMuted");
        Boolean video = optionalBoolean(json, "videoMuted");
        if (audio == null && video == null) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "mute needs audioMuted and/or videoMuted", "audioMuted", null);
        }
        return new ClientMessage.Mute(id, audio, video);
    }

    private static String sdp(JsonObject json) throws ProtocolException {
        String sdp = requiredString(json, "sdp");
        if (!sdp.startsWith("v=0")) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "sdp must be a session description starting with v=0", "sdp", null);
        }
        return sdp;
    }

    private static Map<String, String> sources(JsonObject json) throws ProtocolException {
        Object value = json.getValue("sources");
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject object) || object.size() > Limits.MAX_MEDIA_LINES) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "sources must be an object of at most " + Limits.MAX_MEDIA_LINES + " mid: source entries",
                    "sources",
                    null);
        }
        Map<String, String> sources = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object) {
            if (e.getKey().length() > Limits.MAX_MID_CHARS
                    || !(e.getValue() instanceof String source)
                    || !SOURCES.contains(source)) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD,
                        "sources maps a mid (at most " + Limits.MAX_MID_CHARS + " characters) to mic, camera or screen",
                        "sources",
                        null);
            }
            sources.put(e.getKey(), source);
        }
        return sources;
    }

    private static Integer lastN(JsonObject json) throws ProtocolException {
        Object value = json.getValue("lastN");
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer n) || n < 0 || n > Limits.MAX_MEDIA_LINES) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "lastN must be an integer from 0 (the server's) to " + Limits.MAX_MEDIA_LINES,
                    "lastN",
                    null);
        }
        return n;
    }

    private static Map<String, ViewSize> videos(JsonObject json) throws ProtocolException {
        String rule = "videos must be an object of at most " + Limits.MAX_MEDIA_LINES + " mid: {width, height}"
                + " entries, mids of at most " + Limits.MAX_MID_CHARS + " characters, sizes 0-" + ViewSize.MAX;
        if (!(json.getValue("videos") instanceof JsonObject object) || object.size() > Limits.MAX_MEDIA_LINES) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, rule, "videos", null);
        }
        Map<String, ViewSize> videos = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object) {
            if (e.getKey().length() > Limits.MAX_MID_CHARS
                    || !(e.getValue() instanceof JsonObject size)
                    || !(size.getValue("width") instanceof Integer width)
                    || !(size.getValue("height") instanceof Integer height)
                    || !ViewSize.fits(width, height)) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, rule, "videos", null);
            }
            videos.put(e.getKey(), new ViewSize(width, height));
        }
        return videos;
    }

    private static String candidate(JsonObject json) throws ProtocolException {
        if (!json.containsKey("candidate")) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "missing field 'candidate' (null ends the candidates)", "candidate", null);
        }
        Object value = json.getValue("candidate");
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.length() > Limits.MAX_CANDIDATE_CHARS) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "'candidate' must be null or a string of at most " + Limits.MAX_CANDIDATE_CHARS + " characters",
                    "candidate",
                    null);
        }
        return s.isBlank() ? null : s;
    }

    private static ClientMessage.MuteParticipant muteParticipant(JsonObject json, Object id) throws ProtocolException {
        String participantId = participantId(json);
        Object source = json.getValue("source");
        if (!(source instanceof String s) || !SOURCES.contains(s)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "source must be \"mic\", \"camera\" or \"screen\"", "source", null);
        }
        Boolean muted = optionalBoolean(json, "muted");
        return new ClientMessage.MuteParticipant(id, participantId, s, muted == null || muted);
    }

    private static ClientMessage.Record record(JsonObject json, Object id) throws ProtocolException {
        Boolean active = optionalBoolean(json, "active");
        if (active == null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "active must be true or false", "active", null);
        }
        return new ClientMessage.Record(id, active);
    }

    private static String participantId(JsonObject json) throws ProtocolException {
        String participantId = requiredString(json, "participantId");
        if (participantId.isEmpty() || participantId.length() > Limits.MAX_REQUEST_ID_CHARS) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "participantId must be a participant's id (1-" + Limits.MAX_REQUEST_ID_CHARS + " characters)",
                    "participantId",
                    null);
        }
        return participantId;
    }

    private static String optionalShortString(JsonObject json, String field) throws ProtocolException {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.length() > Limits.MAX_MID_CHARS) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "'" + field + "' must be a string of at most " + Limits.MAX_MID_CHARS + " characters",
                    field,
                    null);
        }
        return s;
    }

    private static String requiredString(JsonObject json, String field) throws ProtocolException {
        Object value = json.getValue(field);
        if (!(value instanceof String s)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    value == null ? "missing field '" + field + "'" : "'" + field + "' must be a string",
                    field,
                    null);
        }
        return s;
    }

    private static Boolean optionalBoolean(JsonObject json, String field) throws ProtocolException {
        Object value = json.getValue(field);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be a boolean", field, null);
    }

    private static Long optionalLong(JsonObject json, String field) throws ProtocolException {
        Object value = json.getValue(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be an integer", field, null);
    }

    private static boolean hasControlCharacters(String s, boolean allowNewlineAndTab) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (allowNewlineAndTab && (c == '\n' || c == '\t')) {
                continue;
            }
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    /** Keeps an echoed client string short in error messages and logs. */
    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
