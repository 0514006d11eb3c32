package dev.chorus.signaling.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.sfu.conference.TrackSource;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the rooms emit: types in order, per-room sequence numbers, the payload, and the queue's bound. */
class WebhooksTest {

    private final FakeTime time = new FakeTime();
    private final RoomRegistry rooms = new RoomRegistry(10, 10, 0, time::now, new IdSource("p")::next);
    private final IdSource ids = new IdSource("id");

    private static final class IdSource {
        private final String prefix;
        private int n;

        IdSource(String prefix) {
            this.prefix = prefix;
        }

        String next() {
            return prefix + (++n);
        }
    }

    private Webhooks webhooks(int maxQueue) {
        ServerConfig.Webhooks s = new ServerConfig.Webhooks(
                List.of("http://127.0.0.1:1/hook"),
                WebhookDispatcherTest.SECRET,
                3,
                Duration.ofSeconds(1),
                Duration.ofSeconds(4),
                Duration.ofSeconds(10),
                maxQueue,
                Duration.ofSeconds(5));
        Webhooks w = new Webhooks(s, time::now, ids::next);
        w.start(Runnable::run, time, time);
        rooms.addListener(w);
        return w;
    }

    /** Answers every request 200 as it comes, returning the bodies in delivery order. */
    private List<JsonObject> deliverAll() {
        List<JsonObject> bodies = new java.util.ArrayList<>();
        while (!time.requests.isEmpty()) {
            FakeTime.Request r = time.requests.remove(0);
            bodies.add(new JsonObject(r.body()));
            r.answer(200);
        }
        return bodies;
    }

    private static PublishedTrack track(String id, String mid, MediaKind kind) {
        return new PublishedTrack(
                id,
                "x",
                mid,
                kind,
                kind == MediaKind.AUDIO ? TrackSource.MIC : TrackSource.CAMERA,
                kind == MediaKind.AUDIO ? Codec.OPUS : Codec.VP8,
                1234,
                List.of());
    }

    @Test
    void aRoomsLifeInOrderNumberedFromOne() throws Exception {
        webhooks(100);
        Participant ada = rooms.join("standup", "Ada", m -> {}, null);
        Participant bob = rooms.join("standup", "Bob", m -> {}, null);
        PublishedTrack mic = track("p1-t1", "0", MediaKind.AUDIO);
        rooms.tracksChanged(ada, List.of(), List.of(mic));
        rooms.tracksChanged(ada, List.of(mic), List.of());
        rooms.leave(ada, LeaveReason.LEFT);
        rooms.leave(bob, LeaveReason.DISCONNECTED);

        List<JsonObject> events = deliverAll();
        assertEquals(
                List.of(
                        "room_started",
                        "participant_joined",
                        "participant_joined",
                        "track_published",
                        "track_unpublished",
                        "participant_left",
                        "participant_left",
                        "room_ended"),
                events.stream().map(e -> e.getString("event")).toList());
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.get(i);
            assertEquals(i + 1, e.getLong("sequence"));
            assertEquals("standup", e.getJsonObject("room").getString("name"));
        }
        assertEquals(
                1,
                events.stream()
                        .map(e -> e.getJsonObject("room").getString("sid"))
                        .distinct()
                        .count());
        assertEquals(8, events.stream().map(e -> e.getString("id")).distinct().count());
        JsonObject published = events.get(3);
        assertEquals(
                new JsonObject()
                        .put("id", "p1-t1")
                        .put("mid", "0")
                        .put("kind", "audio")
                        .put("source", "mic"),
                published.getJsonObject("track"));
        assertEquals(ada.id(), published.getJsonObject("participant").getString("id"));
        assertEquals("Ada", published.getJsonObject("participant").getString("name"));
        assertEquals("participant", published.getJsonObject("participant").getString("role"));
        assertEquals("disconnected", events.get(6).getString("reason"));
        assertNull(events.get(0).getJsonObject("participant"));
    }

    @Test
    void aRoomCreatedAgainStartsAgainFromOneWithAnotherSid() throws Exception {
        webhooks(100);
        rooms.leave(rooms.join("r", "Ada", m -> {}, null), LeaveReason.LEFT);
        rooms.leave(rooms.join("r", "Ada", m -> {}, null), LeaveReason.LEFT);
        List<JsonObject> events = deliverAll();
        assertEquals(8, events.size());
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 1L, 2L, 3L, 4L),
                events.stream().map(e -> e.getLong("sequence")).toList());
        assertNotEquals(
                events.get(0).getJsonObject("room").getString("sid"),
                events.get(4).getJsonObject("room").getString("sid"));
    }

    @Test
    void aFullQueueDropsAndCountsAndTheGapShows() throws Exception {
        Webhooks w = webhooks(2);
        rooms.join("r", "Ada", m -> {}, null); // room_started, participant_joined: the queue is full
        rooms.join("r", "Bob", m -> {}, null); // dropped
        assertEquals(1, w.stats().dropped());
        assertEquals(2, w.stats().queued());
        deliverAll();
        rooms.join("r", "Cy", m -> {}, null);
        List<JsonObject> late = deliverAll();
        assertEquals(4, late.get(0).getLong("sequence"), "Bob's event took number 3");
        assertEquals(3, w.stats().delivered());
        assertEquals(0, w.stats().queued());
    }
}
