package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.signaling.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks end to end: a real server on loopback POSTs to a receiver (the JDK's HttpServer on 127.0.0.1) that
 * answers the first three requests 500. Two WebSocket clients with native WebRTC peers join, publish (the SFU
 * makes producers from their offers) and leave; the receiver must get the room's whole life in order, every
 * request correctly signed, sequence numbers 1..n without a gap, and the retried duplicates under one id.
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class WebhookDeliveryTest {

    private static final String SECRET = "webhook-test-secret-of-32-bytes-or-more";
    private static final int FAILURES = 3;

    /** One POST as the receiver saw it, and how it answered. */
    record Received(Map<String, String> headers, String body, int answered) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private static HttpServer receiver;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    private static final List<JsonObject> shutdownEvents = new CopyOnWriteArrayList<>();
    private static ChorusServer server;
    private static int port;
    private static DtlsCertificate cert;

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", WebhookDeliveryTest::receive);
        receiver.createContext("/shutdown", exchange -> {
            shutdownEvents.add(
                    new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(Executors.newSingleThreadExecutor());
        receiver.start();

        server = new ChorusServer(
                ConfigLoader.load(null, Map.of(), properties("/hook")).config());
        server.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        port = server.httpPort();
        cert = DtlsCertificate.generate();
    }

    private static Properties properties(String path) {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty(
                "chorus.webhooks.urls.0",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + path);
        p.setProperty("chorus.webhooks.secret", SECRET);
        p.setProperty("chorus.webhooks.initial-backoff", "50ms");
        p.setProperty("chorus.webhooks.max-backoff", "200ms");
        p.setProperty("chorus.webhooks.request-timeout", "5s");
        return p;
    }

    @AfterAll
    static void stop() {
        server.stopAndWait(Duration.ofSeconds(10));
        receiver.stop(0);
    }

    private static void receive(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        int status = received.size() < FAILURES ? 500 : 204;
        received.add(new Received(headers, body, status));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static List<JsonObject> accepted() {
        return received.stream()
                .filter(r -> r.answered() < 300)
                .map(Received::json)
                .toList();
    }

    private static boolean waitFor(BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void aRoomsLifeArrivesInOrderSignedAndWithoutGapsThroughFailures(Vertx vertx) throws Exception {
        MediaTestClient ada = MediaTestClient.join(vertx, port, cert, "hooked", "Ada", 1, 1);
        assertTrue(ada.pumpUntil(() -> ada.answers() >= 1, 15_000), "Ada's offer answered");
        MediaTestClient bob = MediaTestClient.join(vertx, port, cert, "hooked", "Bob", 1, 0);
        assertTrue(bob.pumpUntil(() -> bob.answers() >= 1, 15_000), "Bob's offer answered");
        bob.leave();
        assertTrue(bob.pumpUntil(() -> bob.takeOther("left") != null, 10_000));
        ada.leave();
        assertTrue(ada.pumpUntil(() -> ada.takeOther("left") != null, 10_000));
        bob.close();
        ada.close();

        assertTrue(
                waitFor(() -> accepted().stream().anyMatch(e -> "room_ended".equals(e.getString("event"))), 20_000),
                "room_ended delivered; received " + received);
        List<JsonObject> events = accepted();
        List<String> types = events.stream().map(e -> e.getString("event")).toList();

        // The receiver failed the first three attempts: all of them room_started, retried under one id.
        for (int i = 0; i <= FAILURES; i++) {
            Received r = received.get(i);
            assertEquals(i < FAILURES ? 500 : 204, r.answered());
            assertEquals(1, r.json().getLong("sequence"));
            assertEquals(received.get(0).json().getString("id"), r.json().getString("id"));
            assertEquals(received.get(0).body(), r.body());
            assertEquals(Integer.toString(i + 1), r.headers().get("chorus-webhook-attempt"));
        }
        // Every request, failed or not, is signed over its timestamp and exact body.
        WebhookSignature verifier = new WebhookSignature(SECRET);
        for (Received r : received) {
            long ts = Long.parseLong(r.headers().get("chorus-webhook-timestamp"));
            assertTrue(Math.abs(System.currentTimeMillis() / 1000 - ts) < 60, "timestamp is now");
            assertTrue(verifier.verify(ts, r.body(), r.headers().get("chorus-webhook-signature")), r.toString());
            assertEquals("application/json", r.headers().get("content-type"));
        }
        // In order, 1..n, no gap, each event once (duplicates only from retries, with the same id).
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).getLong("sequence"), "sequence at " + i + ": " + types);
        }
        assertEquals(
                events.size(),
                events.stream().map(e -> e.getString("id")).distinct().count());
        Map<Long, String> idBySequence = new HashMap<>();
        for (Received r : received) {
            String before = idBySequence.putIfAbsent(
                    r.json().getLong("sequence"), r.json().getString("id"));
            assertTrue(before == null || before.equals(r.json().getString("id")), "one id per sequence number");
        }

        assertEquals(
                List.of(
                        "room_started",
                        "participant_joined",
                        "track_published",
                        "track_published",
                        "participant_joined",
                        "track_published",
                        "track_unpublished",
                        "participant_left",
                        "track_unpublished",
                        "track_unpublished",
                        "participant_left",
                        "room_ended"),
                types);
        assertEquals(
                1,
                events.stream()
                        .map(e -> e.getJsonObject("room").getString("sid"))
                        .distinct()
                        .count());
        assertTrue(events.stream()
                .allMatch(e -> "hooked".equals(e.getJsonObject("room").getString("name"))));
        JsonObject adaJoined = events.get(1).getJsonObject("participant");
        assertEquals(ada.id, adaJoined.getString("id"));
        assertEquals("Ada", adaJoined.getString("name"));
        List<String> adaKinds = new ArrayList<>();
        for (JsonObject e : events.subList(2, 4)) {
            assertEquals(ada.id, e.getJsonObject("participant").getString("id"));
            adaKinds.add(e.getJsonObject("track").getString("kind") + "/"
                    + e.getJsonObject("track").getString("source"));
        }
        assertEquals(List.of("audio/mic", "video/camera"), adaKinds);
        JsonObject bobTrack = events.get(5).getJsonObject("track");
        assertEquals(bobTrack, events.get(6).getJsonObject("track"), "Bob's mic, published then unpublished");
        assertEquals(bob.id, events.get(7).getJsonObject("participant").getString("id"));
        assertEquals("left", events.get(7).getString("reason"));

        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("chorus_webhooks_delivered_total 12.0"), metrics);
        assertTrue(metrics.contains("chorus_webhooks_retried_total 3.0"), metrics);
        assertTrue(metrics.contains("chorus_webhooks_failed_total 0.0"), metrics);
        assertTrue(metrics.contains("chorus_webhooks_dropped_total 0.0"), metrics);
        assertTrue(metrics.contains("chorus_webhooks_queued 0.0"), metrics);
    }

    @Test
    void aGracefulShutdownDeliversTheLeavesItCauses(Vertx vertx) throws Exception {
        ChorusServer stopping = new ChorusServer(
                ConfigLoader.load(null, Map.of(), properties("/shutdown")).config());
        stopping.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        WsTestClient ada = WsTestClient.connect(vertx, stopping.httpPort());
        try {
            assertEquals("joined", ada.join("closing", "Ada").getString("type"));
            stopping.shutdownGracefully(Duration.ofMillis(100))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } finally {
            ada.close();
        }
        // Delivered before the server stopped, not after.
        assertEquals(
                List.of("room_started", "participant_joined", "participant_left", "room_ended"),
                shutdownEvents.stream().map(e -> e.getString("event")).toList());
    }
}
