package dev.chorus.signaling.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.config.ServerConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordering, retries, backoff and giving up, step by step on a fake clock. */
class WebhookDispatcherTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final String A = "http://127.0.0.1:1/a";
    static final String B = "http://127.0.0.1:1/b";

    private final FakeTime time = new FakeTime();
    private final WebhookStats stats = new WebhookStats();
    private long ids;

    static ServerConfig.Webhooks settings(int maxAttempts, String... urls) {
        return new ServerConfig.Webhooks(
                List.of(urls),
                SECRET,
                maxAttempts,
                Duration.ofSeconds(1),
                Duration.ofSeconds(8),
                Duration.ofSeconds(10),
                100,
                Duration.ofSeconds(5));
    }

    private WebhookDispatcher dispatcher(int maxAttempts, String... urls) {
        return new WebhookDispatcher(settings(maxAttempts, urls), time, time, time::now, stats, "test");
    }

    private WebhookEvent event(String room, long seq) {
        return new WebhookEvent(
                "ev" + (++ids), WebhookEvent.ROOM_STARTED, room, "sid-" + room, 0, seq, time.now, null, null, null);
    }

    /** Submits as Webhooks does: a place in the queue, then the dispatcher. */
    private void submit(WebhookDispatcher d, WebhookEvent e) {
        assertTrue(stats.tryEnqueue(100));
        d.submit(e);
    }

    private static long seq(FakeTime.Request r) {
        return new JsonObject(r.body()).getLong("sequence");
    }

    @Test
    void oneRoomsEventsGoOneAtATimeInOrder() {
        WebhookDispatcher d = dispatcher(5, A);
        for (int i = 1; i <= 3; i++) {
            submit(d, event("r", i));
        }
        assertEquals(3, stats.queued());
        for (int i = 1; i <= 3; i++) {
            FakeTime.Request r = time.take(); // only the head is in flight
            assertEquals(i, seq(r));
            r.answer(204);
        }
        assertEquals(0, time.requests.size());
        assertEquals(3, stats.delivered());
        assertEquals(0, stats.queued());
        assertEquals(0, d.lanes());
    }

    @Test
    void aFailedHeadIsRetriedWithDoublingBackoffAndHoldsBackItsRoom() {
        WebhookDispatcher d = dispatcher(10, A);
        submit(d, event("r", 1));
        submit(d, event("r", 2));
        List<Long> waits = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            FakeTime.Request r = time.take();
            assertEquals(1, seq(r), "the second event waits for the first");
            assertEquals(Integer.toString(attempt), r.headers().get("Chorus-Webhook-Attempt"));
            r.answer(500);
            // Nothing goes before the backoff is over...
            time.advance(backoffBefore(attempt) - 1);
            assertTrue(time.requests.isEmpty(), "attempt " + (attempt + 1) + " waits for its backoff");
            waits.add(backoffBefore(attempt) - 1 + time.advanceToNextTimer());
        }
        // ...and it doubles from 1 s, capped at max-backoff (8 s).
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 8000L), waits);
        assertEquals(5, stats.retried());
        time.take().answer(200);
        assertEquals(2, seq(time.take()));
        assertEquals(1, stats.delivered());
    }

    /** 1 s doubling up to 8 s, as configured in {@link #settings}: what the test expects, written out. */
    private static long backoffBefore(int failedAttempts) {
        return Math.min(8000, 1000L << (failedAttempts - 1));
    }

    @Test
    void givesUpAfterMaxAttemptsAndMovesOn() {
        WebhookDispatcher d = dispatcher(3, A);
        submit(d, event("r", 1));
        submit(d, event("r", 2));
        time.take().answer(500);
        time.advance(1000);
        time.take().done().accept(WebhookDispatcher.Result.error("connection refused"));
        time.advance(2000);
        time.take().answer(503); // third attempt of three: given up
        assertEquals(1, stats.failed());
        assertEquals(2, stats.retried());
        assertEquals(1, stats.queued());
        FakeTime.Request next = time.take();
        assertEquals(2, seq(next));
        assertEquals("1", next.headers().get("Chorus-Webhook-Attempt"));
        next.answer(200);
        assertEquals(0, stats.queued());
        assertEquals(0, time.pendingTimers());
    }

    @Test
    void roomsDoNotWaitForEachOther() {
        WebhookDispatcher d = dispatcher(5, A);
        submit(d, event("stuck", 1));
        submit(d, event("fine", 1));
        submit(d, event("fine", 2));
        assertEquals(2, time.requests.size());
        FakeTime.Request stuck = time.requests.stream()
                .filter(r -> r.body().contains("\"stuck\""))
                .findFirst()
                .orElseThrow();
        time.requests.remove(stuck);
        stuck.answer(500);
        time.take().answer(200); // fine 1
        FakeTime.Request fine2 = time.take();
        assertEquals(2, seq(fine2));
        assertTrue(fine2.body().contains("\"fine\""));
        fine2.answer(200);
        assertEquals(2, stats.delivered());
        time.advance(1000);
        assertTrue(time.take().body().contains("\"stuck\""));
    }

    @Test
    void eachUrlHasItsOwnLanesAndAnEventLeavesTheQueueWhenEveryUrlIsDone() {
        WebhookDispatcher d = dispatcher(5, A, B);
        submit(d, event("r", 1));
        submit(d, event("r", 2));
        time.take(A).answer(200);
        time.take(B).answer(500); // B retries event 1 while A goes on with event 2
        assertEquals(2, stats.queued(), "event 1 is still owed to B, event 2 to both");
        FakeTime.Request aSecond = time.take(A);
        assertEquals(2, seq(aSecond));
        time.advance(1000);
        FakeTime.Request retry = time.take(B);
        assertEquals(1, seq(retry));
        retry.answer(200);
        assertEquals(1, stats.queued(), "event 1 is done everywhere");
        time.take(B).answer(200);
        assertEquals(1, stats.queued(), "A has not answered event 2 yet");
        aSecond.answer(200);
        assertEquals(0, stats.queued());
        assertEquals(4, stats.delivered());
    }

    @Test
    void retriesCarryTheSameIdAndBodyWithAFreshValidSignature() {
        WebhookDispatcher d = dispatcher(5, A);
        submit(d, event("r", 1));
        FakeTime.Request first = time.take();
        first.answer(500);
        time.advance(1000);
        FakeTime.Request second = time.take();
        assertEquals(first.eventId(), second.eventId());
        assertEquals(first.body(), second.body());
        assertEquals("application/json", first.headers().get("Content-Type"));
        WebhookSignature verifier = new WebhookSignature(SECRET);
        for (FakeTime.Request r : List.of(first, second)) {
            long ts = Long.parseLong(r.headers().get(WebhookSignature.TIMESTAMP_HEADER));
            assertTrue(verifier.verify(ts, r.body(), r.headers().get(WebhookSignature.SIGNATURE_HEADER)));
            assertTrue(!verifier.verify(ts + 1, r.body(), r.headers().get(WebhookSignature.SIGNATURE_HEADER)));
            assertTrue(!new WebhookSignature(SECRET + "x")
                    .verify(ts, r.body(), r.headers().get(WebhookSignature.SIGNATURE_HEADER)));
        }
        assertNotEquals(
                first.headers().get(WebhookSignature.TIMESTAMP_HEADER),
                second.headers().get(WebhookSignature.TIMESTAMP_HEADER));
    }

    @Test
    void signatureIsTheHexHmacOfTimestampDotBody() {
        // From openssl: printf '%s' '1765000000.{"a":1}' | openssl dgst -sha256 -hmac "$SECRET"
        assertEquals(
                "v1=0f13a613a85f2a5df17f902cfddff4b22292171adebeb1857e13c81be5f8cd47",
                new WebhookSignature(SECRET).sign(1765000000L, "{\"a\":1}"));
    }

    @Test
    void closingStopsRetries() {
        WebhookDispatcher d = dispatcher(5, A);
        submit(d, event("r", 1));
        submit(d, event("r", 2));
        time.take().answer(500);
        assertEquals(2, d.close());
        time.advance(60_000);
        assertEquals(0, time.requests.size());
    }

    @Test
    void backoffDoublesUpToTheCap() {
        WebhookDispatcher d = dispatcher(10, A);
        assertEquals(1000, d.backoffMillis(1));
        assertEquals(2000, d.backoffMillis(2));
        assertEquals(4000, d.backoffMillis(3));
        assertEquals(8000, d.backoffMillis(4));
        assertEquals(8000, d.backoffMillis(60));
    }
}
