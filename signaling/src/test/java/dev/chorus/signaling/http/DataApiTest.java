package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.api.ApiTokens;
import dev.chorus.signaling.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server's messages on the room data relay ({@code POST /api/v1/rooms/{room}/data}): who is addressed, who had
 * no channel to take it, and the errors. A native peer has a media session but no data channel, a WebSocket-only
 * member has neither, so here everyone lands in {@code noChannel}; delivery to real data channels is checked in
 * web's DataChannelBrowserIT.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class DataApiTest {
    private ChorusServer server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.api.key", ApiTokens.KEY);
        p.setProperty("chorus.api.secret", ApiTokens.SECRET);
        server = new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = server.httpPort();
    }

    @AfterEach
    void stopServer() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    private ServerApiTest.Reply send(String room, String body) throws Exception {
        return ServerApiTest.call(port, "POST", "/api/v1/rooms/" + room + "/data", body, ApiTokens.valid());
    }

    private static Set<Object> ids(JsonArray a) {
        return Set.copyOf(a.getList());
    }

    @Test
    void theServerAddressesEveryoneOrTheNamedAndSaysWhoHadNoChannel(Vertx vertx) throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        WsTestClient bob = WsTestClient.connect(vertx, port);
        try (MediaTestClient alice = MediaTestClient.join(vertx, port, cert, "lab", "Alice", 1, 0)) {
            assertTrue(alice.pumpUntil(() -> alice.peer.connected().isDone(), 20_000), "media connected");
            String bobId = bob.join("lab", "Bob").getJsonObject("you").getString("id");

            ServerApiTest.Reply all = send("lab", "{\"data\": {\"type\": \"notice\", \"text\": \"hi\"}}");
            assertEquals(200, all.status(), all.body().encode());
            assertEquals("server", all.body().getString("from"));
            assertEquals(true, all.body().getBoolean("reliable"));
            assertEquals(0, all.body().getJsonArray("sent").size());
            assertEquals(
                    Set.of(alice.id, bobId),
                    ids(all.body().getJsonArray("noChannel")),
                    all.body().encode());

            ServerApiTest.Reply one = send(
                    "lab",
                    new JsonObject()
                            .put("to", new JsonArray().add(alice.id))
                            .put("data", 7)
                            .put("reliable", false)
                            .encode());
            assertEquals(200, one.status(), one.body().encode());
            assertEquals(false, one.body().getBoolean("reliable"));
            assertEquals(Set.of(alice.id), ids(one.body().getJsonArray("noChannel")));
            ServerApiTest.Reply nullData = send("lab", "{\"data\": null}");
            assertEquals(
                    200,
                    nullData.status(),
                    "null is a JSON value: " + nullData.body().encode());

            assertEquals(
                    "participant_not_found",
                    send("lab", "{\"to\": [\"pnobody000000\"], \"data\": 1}").code());
            assertEquals(
                    "invalid_field",
                    send("lab", "{\"to\": \"" + bobId + "\", \"data\": 1}").code());
            assertEquals(
                    "invalid_field", send("lab", "{\"to\": [], \"data\": 1}").code());
            assertEquals(
                    "invalid_field", send("lab", "{\"to\": [1], \"data\": 1}").code());
            assertEquals("invalid_field", send("lab", "{\"text\": \"hi\"}").code(), "data is required");
            assertEquals(
                    "invalid_field",
                    send("lab", "{\"data\": 1, \"reliable\": \"yes\"}").code());
            assertEquals(
                    "invalid_field",
                    send("lab", "{\"data\": 1, \"from\": \"x\"}").code(),
                    "unknown field");
            assertEquals("bad_json", send("lab", "[1]").code());
            assertEquals("room_not_found", send("nowhere", "{\"data\": 1}").code());
            ServerApiTest.Reply big = send("lab", "{\"data\": \"" + "x".repeat(70_000) + "\"}");
            assertEquals(413, big.status(), big.body().encode());
            assertEquals(
                    401,
                    ServerApiTest.call(port, "POST", "/api/v1/rooms/lab/data", "{\"data\": 1}", null)
                            .status());
        } finally {
            bob.close();
        }
    }
}
