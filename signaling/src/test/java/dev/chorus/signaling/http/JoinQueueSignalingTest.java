package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ChorusServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server-wide join rate over real sockets: joins beyond it wait their turn, and beyond the queue are refused. One
 * server for the class; each test starts once the queue is empty and its one-join burst has come back, and reads the
 * queue's counters as differences.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class JoinQueueSignalingTest {
    private ChorusServer server;
    private JsonObject countersBefore;
    /** A room per test. */
    private String room;

    private int rooms;

    private Map<String, Double> metricsBefore;

    @BeforeAll
    void start() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.signaling.joins-per-second", "2");
        p.setProperty("chorus.signaling.join-burst", "1");
        p.setProperty("chorus.signaling.join-queue", "2");
        server = LoopbackServers.start(p, Map.of());
    }

    @BeforeEach
    void quietQueue() throws Exception {
        room = "queue-" + ++rooms;
        Thread.sleep(600); // at 2 per second the one-join burst is back after 0.5 s
        countersBefore = queueCounters();
        metricsBefore = metrics();
        assertEquals(0, countersBefore.getInteger("waiting"), countersBefore.encode());
    }

    @AfterAll
    void stop() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    /** How much {@code counter} grew during the test. */
    private long grew(String counter) throws Exception {
        return queueCounters().getLong(counter) - countersBefore.getLong(counter);
    }

    private WsTestClient connect(Vertx vertx) {
        return WsTestClient.connect(vertx, server.httpPort());
    }

    private JsonObject join(WsTestClient c, String name) {
        c.send(new JsonObject()
                .put("type", "join")
                .put("id", name)
                .put("room", room)
                .put("name", name));
        return c.next();
    }

    @Test
    void joinsBeyondTheRateWaitTheirTurnInOrderAndBeyondTheQueueAreRefused(Vertx vertx) throws Exception {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        WsTestClient cy = connect(vertx);
        WsTestClient dee = connect(vertx);
        assertEquals("joined", join(ada, "ada").getString("type"), "within the burst");

        long t0 = System.nanoTime();
        JsonObject bobQueued = join(bob, "bob");
        assertEquals("queued", bobQueued.getString("type"), bobQueued.encode());
        assertEquals("bob", bobQueued.getString("re"));
        assertEquals(1, bobQueued.getInteger("position"));
        assertEquals(500, bobQueued.getLong("waitMs"));
        JsonObject cyQueued = join(cy, "cy");
        assertEquals(2, cyQueued.getInteger("position"));

        JsonObject refused = join(dee, "dee");
        assertEquals("error", refused.getString("type"), refused.encode());
        assertEquals("server_busy", refused.getString("code"));
        assertEquals("dee", refused.getString("re"));

        bob.send(new JsonObject()
                .put("type", "join")
                .put("id", "again")
                .put("room", room)
                .put("name", "bob"));
        JsonObject twice = bob.next();
        assertEquals("already_joined", twice.getString("code"), "one join at a time, waiting or not: " + twice);

        JsonObject bobJoined = bob.next("joined");
        assertEquals("bob", bobJoined.getString("re"));
        JsonObject cyJoined = cy.next("joined");
        double waitedSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, cyJoined.getJsonArray("participants").size(), "cy sees ada and bob: " + cyJoined);
        assertTrue(waitedSeconds >= 0.9, "two turns at 2 per second take about a second, took " + waitedSeconds);
        assertEquals("participant-joined", ada.next().getString("type"));
        assertEquals("participant-joined", ada.next().getString("type"));

        assertEquals(3, grew("admitted"));
        assertEquals(2, grew("queued"));
        assertEquals(1, grew("refusedQueueFull"));
        assertEquals(0, queueCounters().getInteger("waiting"));

        Map<String, Double> after = metrics();
        assertEquals(0.0, after.get("chorus_joins_waiting"), "the gauge, now that both were admitted");
        assertEquals(2.0, after.get("chorus_joins_queued_total") - metricsBefore.get("chorus_joins_queued_total"));
        assertEquals(1.0, after.get("chorus_joins_refused_total") - metricsBefore.get("chorus_joins_refused_total"));
    }

    @Test
    void aClientThatLeavesWhileWaitingGivesUpItsTurn(Vertx vertx) throws Exception {
        WsTestClient ada = connect(vertx);
        WsTestClient gone = connect(vertx);
        WsTestClient cy = connect(vertx);
        assertEquals("joined", join(ada, "ada").getString("type"));
        assertEquals("queued", join(gone, "gone").getString("type"));
        assertEquals("queued", join(cy, "cy").getString("type"));
        gone.close();

        JsonObject cyJoined = cy.next("joined");
        assertEquals(1, cyJoined.getJsonArray("participants").size(), "only ada is in: " + cyJoined);
        JsonObject seen = ada.next("participant-joined");
        assertEquals("cy", seen.getJsonObject("participant").getString("name"));
        ada.expectSilence(600);
        assertEquals(1, grew("leftWhileWaiting"));
    }

    @Test
    void leaveWithdrawsAWaitingJoinAndTheSocketMayJoinAgain(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        assertEquals("joined", join(ada, "ada").getString("type"));
        assertEquals("queued", join(bob, "bob").getString("type"));
        bob.send(new JsonObject().put("type", "leave").put("id", "bye"));
        assertEquals("bye", bob.next("left").getString("re"));
        bob.expectSilence(800); // its turn came and went: no joined
        ada.expectSilence(0);

        JsonObject again = join(bob, "bob2");
        if ("queued".equals(again.getString("type"))) {
            again = bob.next();
        }
        assertEquals("joined", again.getString("type"), again.encode());
        assertEquals("bob2", again.getJsonObject("you").getString("name"));
    }

    private JsonObject queueCounters() throws Exception {
        return debug().getJsonObject("signaling").getJsonObject("joinQueue");
    }

    /** The join queue's samples in /metrics, by name; each must be there. */
    private Map<String, Double> metrics() throws Exception {
        Map<String, Double> all = PrometheusSamples.parse(get("/metrics"));
        Map<String, Double> samples = new java.util.HashMap<>();
        for (String name : List.of("chorus_joins_waiting", "chorus_joins_queued_total", "chorus_joins_refused_total")) {
            samples.put(name, PrometheusSamples.value(all, name));
        }
        return samples;
    }

    private JsonObject debug() throws Exception {
        return new JsonObject(get("/debug"));
    }

    /** The body of a GET on the server, which must answer 200. */
    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }
}
