package dev.chorus.signaling.api;

import io.vertx.core.json.JsonObject;

/** A refused API call: its code, a message for the caller, and the body field at fault (or null). */
final class ApiException extends Exception {

    private final ApiError error;
    private final String field;

    ApiException(ApiError error, String message) {
        this(error, message, null);
    }

    ApiException(ApiError error, String message, String field) {
        super(message, null, false, false); // expected outcomes: no stack trace
        this.error = error;
        this.field = field;
    }

    ApiError error() {
        return error;
    }

    /** The response body: {@code {"error": {"code", "message", "field"?}}}. */
    JsonObject toJson() {
        JsonObject e = new JsonObject().put("code", error.wire()).put("message", getMessage());
        if (field != null) {
            e.put("field", field);
        }
        return new JsonObject().put("error", e);
    }
}
