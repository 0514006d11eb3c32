package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;

/** Where messages for one participant go: its WebSocket in production, a list in tests. */
@FunctionalInterface
public interface MessageSink {
    void send(JsonObject message);
}
