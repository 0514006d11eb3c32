package dev.chorus.sfu.conference;

/** A participant's media request that cannot be carried out; the message is for the client. */
public final class MediaException extends Exception {

    /** Why, in words signaling can map to its error codes. */
    public enum Kind {
        BAD_SDP,
        NOT_READY,
        BAD_CANDIDATE,
        UNAVAILABLE,
        /** The participant may not do this, e.g. a receive-only viewer offering to send. */
        NOT_ALLOWED,
        /** The participant's browser cannot decode any video codec the room's other browsers can. */
        UNSUPPORTED_CODEC
    }

    private final Kind kind;

    public MediaException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MediaException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
