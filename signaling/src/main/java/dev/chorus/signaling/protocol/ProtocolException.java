package dev.chorus.signaling.protocol;

/**
 * A client's message that cannot be carried out. It becomes an {@code error} message
 * to that client; the connection stays open.
 */
public final class ProtocolException extends Exception {

    private final ErrorCode code;
    private final String field;
    private final Object requestId;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ProtocolException(ErrorCode code, String message, String field, Object requestId) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    /** The offending field, or null. */
    public String field() {
        return field;
    }

    /** The client's request id to echo as {@code re}, or null. */
    public Object requestId() {
        return requestId;
    }

    public ProtocolException withRequestId(Object id) {
        return new ProtocolException(code, getMessage(), field, id);
    }
}
