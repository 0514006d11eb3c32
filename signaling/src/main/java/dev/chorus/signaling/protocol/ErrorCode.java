package dev.chorus.signaling.protocol;

/** Stable error codes of the signaling protocol; see PROTOCOL.md for when each is sent. */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    BAD_MESSAGE("bad_message"),
    UNKNOWN_TYPE("unknown_type"),
    INVALID_FIELD("invalid_field"),
    TOO_LARGE("too_large"),
    NOT_JOINED("not_joined"),
    ALREADY_JOINED("already_joined"),
    ROOM_FULL("room_full"),
    TOO_MANY_ROOMS("too_many_rooms"),
    RATE_LIMITED("rate_limited"),
    SERVER_BUSY("server_busy"),
    SHUTTING_DOWN("shutting_down"),
    BAD_SDP("bad_sdp"),
    NOT_READY("not_ready"),
    MEDIA_UNAVAILABLE("media_unavailable"),
    NOT_ALLOWED("not_allowed"),
    UNSUPPORTED_CODEC("unsupported_codec"),
    /** A moderation request named nobody in the sender's room. */
    PARTICIPANT_NOT_FOUND("participant_not_found"),
    /** A moderation request named a source the member publishes no track of. */
    TRACK_NOT_FOUND("track_not_found"),
    TOKEN_MISSING("token_missing"),
    TOKEN_EXPIRED("token_expired"),
    TOKEN_INVALID("token_invalid"),
    TOKEN_WRONG_ROOM("token_wrong_room"),
    PERMISSION_DENIED("permission_denied"),
    /** The server API muted that track: the member cannot unmute it itself. */
    MUTED_BY_SERVER("muted_by_server"),
    RECORDING_RUNNING("recording_running"),
    NOT_RECORDING("not_recording"),
    RESUME_INVALID("resume_invalid"),
    RESUME_EXPIRED("resume_expired"),
    RESUME_USED("resume_used"),
    RESUME_OVERFLOW("resume_overflow"),
    INTERNAL_ERROR("internal_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }
}
