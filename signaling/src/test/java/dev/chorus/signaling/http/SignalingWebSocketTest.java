package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.signaling.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The protocol over a real WebSocket against a real server on 127.0.0.1. */
@ExtendWith(VertxExtension.class)
class SignalingWebSocketTest {

    private ChorusServer server;
    private int port;
    private final List<WsTestClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.signaling.keepalive-interval", "200ms");
        p.setProperty("chorus.signaling.keepalive-timeout", "1s");
        p.setProperty("chorus.signaling.max-message-bytes", "2048");
        p.setProperty("chorus.signaling.max-frame-bytes", "4096");
        p.setProperty("chorus.rooms.max-participants", "3");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.media.workers", "1");
        ServerConfig config = ConfigLoader.load(null, Map.of(), p).config();
        server = new ChorusServer(config);
        // Start-up opens the SFU too (jitsi-srtp benchmarks its ciphers once per JVM): allow for a busy machine.
        try {
            server.start().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("server did not start", e);
        }
        port = server.httpPort();
    }

    @AfterEach
    void stopServer() {
        server.stopAndWait(Duration.ofSeconds(5));
    }

    private WsTestClient connect(Vertx vertx) {
        WsTestClient client = WsTestClient.connect(vertx, port);
        clients.add(client);
        return client;
    }

    @Test
    void welcomeAnnouncesKeepaliveAndLimits(Vertx vertx) throws Exception {
        var first = new java.util.concurrent.CompletableFuture<JsonObject>();
        var wsClient = vertx.createWebSocketClient();
        WsTestClient.await(wsClient.connect(port, "127.0.0.1", "/ws")
                .onSuccess(socket -> socket.textMessageHandler(t -> first.complete(new JsonObject(t)))));
        JsonObject welcome = first.get(5, java.util.concurrent.TimeUnit.SECONDS);
        wsClient.close();
        assertEquals(1, welcome.getInteger("protocol"));
        assertEquals(200, welcome.getInteger("keepaliveIntervalMs"));
        assertEquals(1000, welcome.getInteger("keepaliveTimeoutMs"));
        assertEquals(2048, welcome.getJsonObject("limits").getInteger("maxMessageBytes"));
        assertEquals(3, welcome.getJsonObject("limits").getInteger("maxParticipants"));
        assertEquals("open", welcome.getString("auth"));
    }

    @Test
    void openModeTakesJoinsWithoutTokensAndIgnoresAnyGiven(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        JsonObject joined = ada.join("open", "Ada");
        assertEquals("joined", joined.getString("type"), joined.encode());
        assertEquals(null, joined.getJsonObject("you").getValue("identity"));
        WsTestClient bob = connect(vertx);
        bob.send(new JsonObject()
                .put("type", "join")
                .put("room", "open")
                .put("name", "Bob")
                .put("token", "not-checked-in-open-mode"));
        assertEquals("Bob", bob.next("joined").getJsonObject("you").getString("name"));
        assertEquals("participant-joined", ada.next().getString("type"));
        bob.send(new JsonObject().put("type", "chat").put("text", "hi"));
        assertEquals("hi", ada.next("chat").getString("text"));
    }

    @Test
    void threeJoinAndEachSeesTheOthers(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        WsTestClient cy = connect(vertx);
        String adaId = ada.join("team", "Ada").getJsonObject("you").getString("id");
        JsonObject bobJoined = bob.join("team", "Bob");
        assertEquals(List.of(adaId), ids(bobJoined.getJsonArray("participants")));
        String bobId = bobJoined.getJsonObject("you").getString("id");
        JsonObject cyJoined = cy.join("team", "Cy");
        assertEquals(List.of(adaId, bobId), ids(cyJoined.getJsonArray("participants")));
        String cyId = cyJoined.getJsonObject("you").getString("id");

        assertEquals(
                bobId,
                ada.next("participant-joined").getJsonObject("participant").getString("id"));
        assertEquals(
                cyId,
                ada.next("participant-joined").getJsonObject("participant").getString("id"));
        assertEquals(
                cyId,
                bob.next("participant-joined").getJsonObject("participant").getString("id"));
        assertEquals(3, Set.of(adaId, bobId, cyId).size());
    }

    @Test
    void chatReachesEveryoneInOrderAndLateJoinersGetHistory(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        ada.join("chat", "Ada");
        bob.join("chat", "Bob");
        ada.next("participant-joined");
        for (int i = 1; i <= 5; i++) {
            (i % 2 == 0 ? bob : ada).send(new JsonObject().put("type", "chat").put("text", "m" + i));
        }
        for (WsTestClient c : List.of(ada, bob)) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                JsonObject chat = c.next("chat");
                texts.add(chat.getString("text"));
                assertEquals(i + 1, chat.getLong("seq"));
                assertTrue(chat.getLong("ts") > 0);
            }
            // Two senders race; the server's order is the one everybody sees.
            assertEquals(Set.of("m1", "m2", "m3", "m4", "m5"), Set.copyOf(texts));
        }
        WsTestClient late = connect(vertx);
        JsonArray history = late.join("chat", "Late").getJsonArray("chat");
        assertEquals(5, history.size());
        assertEquals(1L, history.getJsonObject(0).getLong("seq"));
    }

    @Test
    void badInputGetsStableErrorsAndKeepsTheConnection(Vertx vertx) {
        WsTestClient c = connect(vertx);
        c.send("this is not json");
        c.nextError("bad_json");
        c.send("[1,2]");
        c.nextError("bad_message");
        c.sendBinary(new byte[] {1, 2, 3});
        c.nextError("bad_message");
        c.send("{\"type\":\"dance\",\"id\":5}");
        assertEquals(5, c.nextError("unknown_type").getInteger("re"));
        c.send("{\"type\":\"chat\",\"text\":\"hi\"}");
        c.nextError("not_joined");
        c.send("{\"type\":\"leave\",\"id\":\"x\"}");
        assertEquals("x", c.nextError("not_joined").getString("re"));
        c.send("{\"type\":\"join\",\"room\":\"a b\",\"name\":\"Ada\"}");
        assertEquals("room", c.nextError("invalid_field").getString("field"));
        c.send("{\"type\":\"join\",\"room\":\"" + "r".repeat(65) + "\",\"name\":\"Ada\"}");
        assertEquals("room", c.nextError("invalid_field").getString("field"));
        c.send("{\"type\":\"join\",\"room\":\"ok\"}");
        assertEquals("name", c.nextError("invalid_field").getString("field"));
        c.send("{\"type\":\"chat\",\"text\":\"" + "x".repeat(3000) + "\"}");
        c.nextError("too_large");

        assertEquals("joined", c.join("ok", "Ada").getString("type"));
        c.send("{\"type\":\"join\",\"room\":\"other\",\"name\":\"Ada\"}");
        c.nextError("already_joined");
        c.send("{\"type\":\"chat\",\"text\":\"" + "y".repeat(2001) + "\"}");
        assertEquals("text", c.nextError("invalid_field").getString("field"));
        c.send("{\"type\":\"ping\",\"id\":1,\"ts\":123}");
        JsonObject pong = c.next("pong");
        assertEquals(123L, pong.getLong("ts"));
        assertEquals(1, pong.getInteger("re"));
    }

    @Test
    void fullRoomIsRefused(Vertx vertx) {
        for (int i = 0; i < 3; i++) {
            assertEquals("joined", connect(vertx).join("small", "P" + i).getString("type"));
        }
        WsTestClient extra = connect(vertx);
        extra.send("{\"type\":\"join\",\"room\":\"small\",\"name\":\"Extra\"}");
        extra.nextError("room_full");
        // The connection stays usable: another room works.
        assertEquals("joined", extra.join("elsewhere", "Extra").getString("type"));
    }

    @Test
    void leaveThenRejoinOnTheSameSocket(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        String adaId = ada.join("r1", "Ada").getJsonObject("you").getString("id");
        bob.join("r1", "Bob");
        ada.next("participant-joined");
        ada.send("{\"type\":\"leave\",\"id\":7}");
        assertEquals(7, ada.next("left").getInteger("re"));
        JsonObject left = bob.next("participant-left");
        assertEquals(adaId, left.getString("id"));
        assertEquals("left", left.getString("reason"));
        assertEquals("joined", ada.join("r2", "Ada").getString("type"));
    }

    @Test
    void closedSocketLeavesAtOnce(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        WsTestClient bob = connect(vertx);
        ada.join("r", "Ada");
        String bobId = bob.join("r", "Bob").getJsonObject("you").getString("id");
        ada.next("participant-joined");
        bob.close();
        JsonObject left = ada.next("participant-left");
        assertEquals(bobId, left.getString("id"));
        assertEquals("disconnected", left.getString("reason"));
    }

    @Test
    void vanishedClientIsDroppedAfterKeepaliveTimeout(Vertx vertx) throws Exception {
        WsTestClient ada = connect(vertx);
        ada.join("r", "Ada");
        // A raw socket that joins and then never answers anything, not even pings: the
        // server cannot tell it from a laptop whose lid was shut.
        try (Socket silent = rawUpgrade()) {
            silent.getOutputStream().write(maskedTextFrame("{\"type\":\"join\",\"room\":\"r\",\"name\":\"Ghost\"}"));
            silent.getOutputStream().flush();

            JsonObject joined = ada.next("participant-joined");
            String ghostId = joined.getJsonObject("participant").getString("id");
            long start = System.nanoTime();
            JsonObject left = ada.next("participant-left");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(ghostId, left.getString("id"));
            assertEquals("timeout", left.getString("reason"));
            assertTrue(elapsedMs < 2500, "dropped after " + elapsedMs + " ms; timeout is 1000 ms");
        }
        assertEquals(1, health().getInteger("participants"));
    }

    @Test
    void floodIsRateLimitedWithoutDisconnecting(Vertx vertx) {
        WsTestClient c = connect(vertx);
        for (int i = 0; i < 100; i++) {
            c.send("{\"type\":\"ping\",\"id\":" + i + "}");
        }
        Map<String, Long> counts = new java.util.HashMap<>();
        for (int i = 0; i < 100; i++) {
            JsonObject m = c.next();
            String key = "error".equals(m.getString("type")) ? m.getString("code") : m.getString("type");
            counts.merge(key, 1L, Long::sum);
        }
        assertTrue(counts.getOrDefault("pong", 0L) >= 40, counts.toString());
        assertTrue(counts.getOrDefault("rate_limited", 0L) >= 1, counts.toString());
        assertEquals(100, counts.values().stream().mapToLong(Long::longValue).sum());
        c.expectSilence(100);
    }

    @Test
    void healthReportsRoomsAndParticipants(Vertx vertx) throws Exception {
        JsonObject empty = health();
        assertEquals("UP", empty.getString("status"));
        assertEquals(0, empty.getInteger("rooms"));
        connect(vertx).join("h1", "A");
        connect(vertx).join("h1", "B");
        connect(vertx).join("h2", "C");
        JsonObject busy = health();
        assertEquals(2, busy.getInteger("rooms"));
        assertEquals(3, busy.getInteger("participants"));

        WsTestClient.await(server.stopAcceptingJoins());
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(503, ready.statusCode());
        connect(vertx).send("{\"type\":\"join\",\"room\":\"h3\",\"name\":\"D\"}");
        assertEquals(
                "shutting_down", clients.get(clients.size() - 1).next("error").getString("code"));
    }

    @Test
    void oversizedFrameClosesTheConnection() throws Exception {
        try (Socket raw = rawUpgrade()) {
            OutputStream out = raw.getOutputStream();
            // Header of a masked text frame announcing 10000 bytes, over max-frame-bytes 4096.
            out.write(
                    new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (10000 >> 8), (byte) (10000 & 0xff), 1, 2, 3, 4
                    });
            out.write(new byte[10000]);
            out.flush();
            InputStream in = raw.getInputStream();
            int opcode = in.read() & 0x0f;
            int length = in.read() & 0x7f;
            byte[] payload = in.readNBytes(length);
            // Netty rejects the frame before we see it and Vert.x closes normally; what
            // matters is that the oversized frame ends the connection.
            assertEquals(0x8, opcode, "expected a close frame");
            assertTrue(payload.length >= 2, "close frame carries a status code");
            assertEquals(-1, in.read(), "server closes the connection");
        }
    }

    /** A raw TCP socket that has completed the WebSocket upgrade and reads nothing more. */
    private Socket rawUpgrade() throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed during upgrade: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        // Skip the server's welcome frame (unmasked, short).
        in.read();
        int length = in.read() & 0x7f;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        }
        in.readNBytes(length);
        return socket;
    }

    private JsonObject health() throws Exception {
        return new JsonObject(get("/health").body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> ids(JsonArray participants) {
        return participants.stream().map(p -> ((JsonObject) p).getString("id")).collect(Collectors.toList());
    }

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("keep test frames short");
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    @Test
    void mediaMessagesNeedAJoinAnOfferFirstAndValidSdp(Vertx vertx) {
        WsTestClient ada = connect(vertx);
        ada.send(new JsonObject().put("type", "offer").put("id", 1).put("sdp", "v=0\r\n"));
        assertEquals(1L, ada.nextError("not_joined").getLong("re"));
        ada.join("media", "Ada");
        ada.send(new JsonObject()
                .put("type", "candidate")
                .put("id", 2)
                .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"));
        assertEquals(2L, ada.nextError("not_ready").getLong("re"));
        ada.send(new JsonObject().put("type", "offer").put("id", 3).put("sdp", "v=0\r\nthis is not sdp\r\n"));
        JsonObject bad = ada.nextError("bad_sdp");
        assertEquals(3L, bad.getLong("re"));
        assertTrue(bad.getString("message").length() > 5, bad.encode());
        // An offer without any m= line cannot be answered either; the session stays usable.
        ada.send(new JsonObject()
                .put("type", "offer")
                .put("id", 4)
                .put("sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
        assertEquals(4L, ada.nextError("bad_sdp").getLong("re"));
        ada.send(new JsonObject().put("type", "chat").put("text", "still here"));
        assertEquals("still here", ada.next("chat").getString("text"));
    }

    @Test
    void debugDumpsRoomsAndTheMediaPlaneAsJson(Vertx vertx) throws Exception {
        WsTestClient ada = connect(vertx);
        ada.join("dbg", "Ada");
        var response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/debug"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        JsonObject debug = new JsonObject(response.body());
        assertEquals(1, debug.getJsonObject("signaling").getInteger("participantCount"));
        JsonObject media = debug.getJsonObject("media");
        assertTrue(media.getInteger("udpPort") > 0, media.encode());
        assertTrue(media.getString("fingerprint").startsWith("sha-256 "), media.encode());
        assertEquals(
                1, media.getJsonObject("forwarding").getJsonArray("workers").size());
    }
}
