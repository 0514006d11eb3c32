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
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server-wide join rate over real sockets: joins beyond it wait their turn, and beyond the queue are refused. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class JoinQueueSignalingTest {
    private ChorusServer server;

    @BeforeEach
    void start() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.signaling.joins-per-second", "2");
        p.setProperty("chorus.signaling.join-burst", "1");
        p.setProperty("chorus.signaling.join-queue", "2");
        server = LoopbackServers.start(p, Map.of());
    }

    @AfterEach
    void stop() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    private WsTestClient connect(Vertx vertx) {
        return WsTestClient.connect(vertx, server.httpPort());
    }

    private static JsonObject join(WsTestClient c, String name) {
        c.send(new JsonObject()
                .put("type", "join")
                .put("id", name)
                .put("room", "crowd")
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
                .put("room", "crowd")
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

        JsonObject queue = debug().getJsonObject("signaling").getJsonObject("joinQueue");
        assertEquals(3, queue.getLong("admitted"), queue.encode());
        assertEquals(2, queue.getLong("queued"));
        assertEquals(1, queue.getLong("refusedQueueFull"));
        assertEquals(0, queue.getInteger("waiting"));
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
        JsonObject queue = debug().getJsonObject("signaling").getJsonObject("joinQueue");
        assertEquals(1, queue.getLong("leftWhileWaiting"), queue.encode());
    }

    private JsonObject debug() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/debug"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }
}
