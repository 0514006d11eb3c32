package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;

/**
 * One chat line as stored in a room's history and sent to its members. {@code from} is null for a message the
 * server API sent (then marked {@code "system": true}).
 */
public record ChatMessage(long seq, String from, String name, String text, long ts) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("type", "chat")
                .put("seq", seq)
                .put("from", from)
                .put("name", name)
                .put("text", text)
                .put("ts", ts);
        if (from == null) {
            json.put("system", true);
        }
        return json;
    }

    /** The history form inside {@code joined}, without the message type. */
    public JsonObject toHistoryJson() {
        JsonObject json = toJson();
        json.remove("type");
        return json;
    }
}
