package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.PUBLISH;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.worker.MediaWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MediaService#room} runs on the signaling event loop, so it must never wait for a media
 * worker. Here the only worker is held by a command that waits for the test: if creating a room
 * waited for its router, these tests would hang (and time out) instead of passing.
 */
class RoomCreationTest {
    private static final Map<String, String> SOURCES = Map.of("0", "mic", "1", "camera");

    /** Holds {@code worker} (once it has taken this command off its queue) until the latch opens. */
    private static CountDownLatch hold(MediaWorker worker) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(worker.submit(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        return release;
    }

    private static JsonNode router(JsonNode debug, String roomId) {
        for (JsonNode r : debug.get("forwarding").get("routers")) {
            if (r.get("id").asText().equals(roomId)) {
                return r;
            }
        }
        throw new AssertionError("no router " + roomId + " in " + debug);
    }

    @Test
    @Timeout(60)
    void aRoomOnABusyWorkerComesAtOnceAndItsFirstOfferIsAnswered() throws Exception {
        try (TestConference conference = new TestConference(1, 1024)) {
            MediaWorker worker = conference.service.room("first").worker();
            CountDownLatch release = hold(worker);
            try {
                MediaRoom room = conference.service.room("busy");
                assertSame(worker, room.worker());
                MediaSession alice = room.join("alice", new TestConference.Events());
                OfferOutcome outcome = alice.handleOffer(offer(PUBLISH), SOURCES);
                assertTrue(outcome.sdp().contains("a=mid:1"), outcome.sdp());
                assertEquals(
                        List.of("busy", "first"),
                        conference.service.roomIds().stream().sorted().toList());
            } finally {
                release.countDown();
            }

            // The router was made first on the worker, then the endpoint and the producers behind it.
            JsonNode busy = router(conference.service.debugJson().get(10, TimeUnit.SECONDS), "busy");
            assertEquals("alice", busy.get("endpoints").get(0).get("id").asText());
            List<String> producers = new ArrayList<>();
            busy.get("producers").forEach(p -> producers.add(p.get("id").asText()));
            assertEquals(List.of("alice-t1", "alice-t2"), producers);
        }
    }

    @Test
    @Timeout(60)
    void aWorkerWithAFullQueueRefusesTheRoomAtOnceAndTakesItLater() throws Exception {
        try (TestConference conference = new TestConference(1, 64)) {
            MediaWorker worker = conference.service.room("first").worker();
            CountDownLatch release = hold(worker);
            try {
                while (worker.submit(() -> {})) {
                    // fill the queue, command reserve included
                }
                MediaException refused = assertThrows(MediaException.class, () -> conference.service.room("late"));
                assertEquals(MediaException.Kind.UNAVAILABLE, refused.kind());
                assertEquals("the media server is overloaded", refused.getMessage());
                assertEquals(List.of("first"), conference.service.roomIds(), "no half-made room is left");
            } finally {
                release.countDown();
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (worker.queueSize() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            MediaRoom late = conference.service.room("late");
            MediaSession bob = late.join("bob", new TestConference.Events());
            assertNotNull(bob.handleOffer(offer(PUBLISH), SOURCES).sdp());
            JsonNode router = router(conference.service.debugJson().get(10, TimeUnit.SECONDS), "late");
            assertEquals("bob", router.get("endpoints").get(0).get("id").asText());
        }
    }
}
