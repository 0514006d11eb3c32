package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;

/** One chat line as stored in a room's history and sent to its members. */
public record ChatMessage(long seq, String from, String name, String text, long ts) {

    public JsonObject toJson() {
        return new JsonObject()
                .put("type", "chat")
                .put("seq", seq)
                .put("from", from)
                .put("name", name)
                .put("text", text)
                .put("ts", ts);
    }

    /** The history form inside {@code joined}, without the message type. */
    public JsonObject toHistoryJson() {
        JsonObject json = toJson();
        json.remove("type");
        return json;
    }
}
