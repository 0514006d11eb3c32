package dev.chorus.signaling.api;

/** The server API's error codes, each with its HTTP status; README "Integrating" and the OpenAPI file list them. */
public enum ApiError {
    API_DISABLED(404, "api_disabled"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    TOKEN_MISSING(401, "api_token_missing"),
    TOKEN_INVALID(401, "api_token_invalid"),
    TOKEN_EXPIRED(401, "api_token_expired"),
    TOKEN_LIFETIME(401, "api_token_lifetime"),
    KEY_UNKNOWN(401, "api_key_unknown"),
    BAD_JSON(400, "bad_json"),
    INVALID_FIELD(400, "invalid_field"),
    BODY_TOO_LARGE(413, "body_too_large"),
    ROOM_NOT_FOUND(404, "room_not_found"),
    PARTICIPANT_NOT_FOUND(404, "participant_not_found"),
    TRACK_NOT_FOUND(404, "track_not_found"),
    ROOM_EXISTS(409, "room_exists"),
    TOO_MANY_ROOMS(409, "too_many_rooms"),
    PERMISSION_DENIED(409, "permission_denied"),
    NO_MEDIA(409, "no_media"),
    CAPTURE_RUNNING(409, "capture_running"),
    CAPTURE_NOT_FOUND(404, "capture_not_found"),
    CAPTURE_FAILED(500, "capture_failed"),
    RECORDING_RUNNING(409, "recording_running"),
    RECORDING_NOT_FOUND(404, "recording_not_found"),
    RECORDING_FAILED(500, "recording_failed"),
    SHUTTING_DOWN(503, "shutting_down"),
    INTERNAL_ERROR(500, "internal_error");

    private final int status;
    private final String wire;

    ApiError(int status, String wire) {
        this.status = status;
        this.wire = wire;
    }

    public int status() {
        return status;
    }

    public String wire() {
        return wire;
    }
}
