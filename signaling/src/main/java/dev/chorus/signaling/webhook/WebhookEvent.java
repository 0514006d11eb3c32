package dev.chorus.signaling.webhook;

import io.vertx.core.json.JsonObject;

/**
 * One room event as delivered: immutable, made on the signaling thread and encoded on the dispatcher's.
 *
 * @param id          unique per event; a retried delivery carries the same id (and the same body)
 * @param type        {@code room_started}, {@code room_ended}, {@code participant_joined}, {@code participant_left},
 *                    {@code track_published} or {@code track_unpublished}
 * @param room        the room's name, which orders delivery: one room's events arrive in sequence
 * @param roomSid     the room's id for this lifetime (a room of the same name created again gets another)
 * @param sequence    1, 2, 3... within the room's lifetime
 * @param createdAt   when it happened, epoch ms
 * @param participant who, for participant and track events; else null
 * @param track       which track, for track events; else null
 * @param reason      why a participant left ({@code left}, {@code disconnected}, ...); else null
 */
public record WebhookEvent(
        String id,
        String type,
        String room,
        String roomSid,
        long roomCreatedAt,
        long sequence,
        long createdAt,
        ParticipantInfo participant,
        TrackInfo track,
        String reason) {

    public static final String ROOM_STARTED = "room_started";
    public static final String ROOM_ENDED = "room_ended";
    public static final String PARTICIPANT_JOINED = "participant_joined";
    public static final String PARTICIPANT_LEFT = "participant_left";
    public static final String TRACK_PUBLISHED = "track_published";
    public static final String TRACK_UNPUBLISHED = "track_unpublished";

    /** @param identity the join token's {@code sub}, or null; @param role "participant" or "viewer" */
    public record ParticipantInfo(String id, String name, String identity, String role) {}

    /** @param id the producer's id; @param mid the publisher's m= line; @param source mic, camera or screen */
    public record TrackInfo(String id, String mid, String kind, String source) {}

    /** The body POSTed: the same bytes on every attempt. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("id", id)
                .put("event", type)
                .put("createdAt", createdAt)
                .put("sequence", sequence)
                .put(
                        "room",
                        new JsonObject().put("name", room).put("sid", roomSid).put("createdAt", roomCreatedAt));
        if (participant != null) {
            JsonObject p = new JsonObject()
                    .put("id", participant.id())
                    .put("name", participant.name())
                    .put("role", participant.role());
            if (participant.identity() != null) {
                p.put("identity", participant.identity());
            }
            json.put("participant", p);
        }
        if (track != null) {
            json.put(
                    "track",
                    new JsonObject()
                            .put("id", track.id())
                            .put("mid", track.mid())
                            .put("kind", track.kind())
                            .put("source", track.source()));
        }
        if (reason != null) {
            json.put("reason", reason);
        }
        return json;
    }
}
