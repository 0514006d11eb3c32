package dev.chorus.signaling.room;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a member may do, from its join token ({@code chorus.auth.mode = token}) or {@link #OPEN} without one.
 * The signaling enforces publishing (per kind of sending line), chat and hidden (a hidden member joins as a
 * viewer); subscribe, moderate and record (starting and stopping the room's recording) are read by the features
 * they gate.
 *
 * @param hidden joins as a viewer: receives, is counted, not listed, publishes nothing
 */
public record Permissions(
        boolean publishAudio,
        boolean publishVideo,
        boolean publishScreen,
        boolean subscribe,
        boolean chat,
        boolean moderate,
        boolean record,
        boolean hidden) {

    /** An open server's members: publish anything, subscribe, chat; nothing beyond. */
    public static final Permissions OPEN = new Permissions(true, true, true, true, true, false, false, false);

    /** Whether a sending line of this source ("mic", "camera" or "screen") may be published. */
    public boolean mayPublish(String source) {
        return switch (source) {
            case "mic" -> publishAudio;
            case "camera" -> publishVideo;
            case "screen" -> publishScreen;
            default -> false;
        };
    }

    /** Nothing to publish at all: the member joins receive-only. */
    public boolean publishesNothing() {
        return hidden || (!publishAudio && !publishVideo && !publishScreen);
    }

    /** As {@code joined} tells the member: the claim's spelling (PROTOCOL.md). */
    public JsonObject toJson() {
        JsonArray publish = new JsonArray();
        if (publishAudio) {
            publish.add("audio");
        }
        if (publishVideo) {
            publish.add("video");
        }
        if (publishScreen) {
            publish.add("screen");
        }
        return new JsonObject()
                .put("publish", publish)
                .put("subscribe", subscribe)
                .put("chat", chat)
                .put("moderate", moderate)
                .put("record", record)
                .put("hidden", hidden);
    }
}
