package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.api.ApiTokens;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.testkit.peer.NativePeer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server API end to end: a real server on loopback, real WebSocket clients (one publishing through a native
 * peer), and HTTP calls with bearer tokens. Each change the API makes reaches the clients through signaling.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
class ServerApiTest {

    private static ChorusServer server;
    private static int port;
    private static DtlsCertificate cert;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<WsTestClient> sockets = new ArrayList<>();
    private final List<NativePeer> peers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = start(true);
        port = server.httpPort();
        cert = DtlsCertificate.generate();
    }

    static ChorusServer start(boolean withApi) throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.rooms.max-participants", "8");
        if (withApi) {
            p.setProperty("chorus.api.key", ApiTokens.KEY);
            p.setProperty("chorus.api.secret", ApiTokens.SECRET);
        }
        ChorusServer s = new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        s.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        return s;
    }

    @AfterEach
    void closeClients() {
        peers.forEach(NativePeer::close);
        sockets.forEach(WsTestClient::close);
    }

    @AfterAll
    static void stopServer() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    private WsTestClient connect(Vertx vertx) {
        WsTestClient c = WsTestClient.connect(vertx, port);
        sockets.add(c);
        return c;
    }

    /** status and JSON body of one call. */
    record Reply(int status, JsonObject body) {
        String code() {
            JsonObject error = body.getJsonObject("error");
            return error == null ? null : error.getString("code");
        }
    }

    static Reply call(int port, String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                "JSON always: " + r.body());
        return new Reply(r.statusCode(), new JsonObject(r.body()));
    }

    private static Reply call(String method, String path, Object body) throws Exception {
        String text = body == null ? null : body instanceof JsonObject j ? j.encode() : body.toString();
        return call(port, method, "/api/v1" + path, text, ApiTokens.valid());
    }

    private static JsonObject ok(Reply reply, int status) {
        assertEquals(status, reply.status(), reply.body().encode());
        return reply.body();
    }

    private static JsonObject byName(JsonArray participants, String name) {
        for (int i = 0; i < participants.size(); i++) {
            if (name.equals(participants.getJsonObject(i).getString("name"))) {
                return participants.getJsonObject(i);
            }
        }
        throw new AssertionError("no " + name + " in " + participants.encode());
    }

    @Test
    void roomsAndParticipantsThroughTheApi(Vertx vertx) throws Exception {
        // Create with the room's own settings.
        JsonObject created = ok(
                call(
                        "POST",
                        "/rooms",
                        new JsonObject()
                                .put("name", "standup")
                                .put("maxParticipants", 2)
                                .put("emptyTimeoutSeconds", 60)
                                .put("metadata", "{\"topic\":\"release\"}")),
                201);
        assertEquals("standup", created.getString("name"));
        assertEquals(2, created.getInteger("maxParticipants"));
        assertEquals(60, created.getInteger("emptyTimeoutSeconds"));
        assertEquals(0, created.getJsonArray("participants").size());
        assertEquals(
                "room_exists",
                call("POST", "/rooms", new JsonObject().put("name", "standup")).code());
        JsonObject listed = ok(call("GET", "/rooms", null), 200);
        assertTrue(listed.getJsonArray("rooms").stream()
                .anyMatch(r -> "standup".equals(((JsonObject) r).getString("name"))
                        && "{\"topic\":\"release\"}".equals(((JsonObject) r).getString("metadata"))));

        // Two join; the room's own limit refuses a third.
        WsTestClient alice = connect(vertx);
        assertEquals("joined", alice.join("standup", "Alice").getString("type"));
        WsTestClient bob = connect(vertx);
        assertEquals("joined", bob.join("standup", "Bob").getString("type"));
        alice.next("participant-joined");
        WsTestClient carol = connect(vertx);
        assertEquals("room_full", carol.join("standup", "Carol").getString("code"));

        // Alice publishes a mic and a camera.
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "alice");
        peers.add(peer);
        alice.send(new JsonObject().put("type", "offer").put("id", 7).put("sdp", peer.createOffer(1, 1, 0, 0)));
        assertEquals("answer", alice.next("answer").getString("type"));
        alice.drain(500); // the server's candidates, media-state: not what this test is about

        JsonObject room = ok(call("GET", "/rooms/standup", null), 200);
        assertEquals(2, room.getInteger("participantCount"));
        JsonArray participants = room.getJsonArray("participants");
        JsonObject a = byName(participants, "Alice");
        JsonObject b = byName(participants, "Bob");
        assertTrue(a.getJsonObject("permissions").getBoolean("chat"));
        assertEquals("participant", a.getString("role"));
        JsonArray tracks = a.getJsonArray("tracks");
        assertEquals(2, tracks.size(), tracks.encode());
        JsonObject mic = tracks.stream()
                .map(t -> (JsonObject) t)
                .filter(t -> "mic".equals(t.getString("source")))
                .findFirst()
                .orElseThrow();
        assertEquals("audio", mic.getString("kind"));
        assertFalse(mic.getBoolean("muted"));
        String aliceId = a.getString("id");
        String bobId = b.getString("id");

        // Mute Alice's mic server side: everyone is told, the SFU stops forwarding it, Alice cannot undo it.
        String mutePath = "/rooms/standup/participants/" + aliceId + "/tracks/" + mic.getString("id") + "/mute";
        JsonObject muted = ok(call("POST", mutePath, new JsonObject().put("muted", true)), 200);
        assertTrue(muted.getBoolean("muted"));
        for (WsTestClient c : List.of(alice, bob)) {
            JsonObject notice = c.next("track-muted");
            assertEquals(aliceId, notice.getString("participantId"));
            assertTrue(notice.getBoolean("muted"));
            assertEquals(mic.getString("id"), notice.getJsonObject("track").getString("id"));
            JsonObject flags = c.next("mute");
            assertTrue(flags.getBoolean("audioMuted"));
        }
        assertTrue(producerPaused(mic.getString("id")), "the SFU forwards the muted track to nobody");
        assertTrue(byName(ok(call("GET", "/rooms/standup", null), 200).getJsonArray("participants"), "Alice")
                .getJsonArray("tracks")
                .stream()
                .anyMatch(t -> ((JsonObject) t).getBoolean("muted")));
        alice.send(new JsonObject().put("type", "mute").put("id", 8).put("audioMuted", false));
        assertEquals(8, alice.nextError("muted_by_server").getInteger("re"));
        ok(call("POST", mutePath, new JsonObject().put("muted", false)), 200);
        assertFalse(alice.next("track-muted").getBoolean("muted"));
        assertFalse(bob.next("track-muted").getBoolean("muted"));
        assertFalse(producerPaused(mic.getString("id")));
        alice.send(new JsonObject().put("type", "mute").put("id", 9).put("audioMuted", false));
        assertFalse(alice.next("mute").getBoolean("audioMuted"), "after the unmute Alice may unmute herself");
        bob.next("mute");

        // Bob loses chat: told at once, and his next chat is refused.
        JsonObject updated = ok(
                call(
                        "PATCH",
                        "/rooms/standup/participants/" + bobId + "/permissions",
                        new JsonObject().put("chat", false)),
                200);
        assertFalse(updated.getJsonObject("permissions").getBoolean("chat"));
        assertTrue(updated.getJsonObject("permissions").getBoolean("subscribe"), "absent keys are kept");
        assertFalse(bob.next("permissions").getJsonObject("permissions").getBoolean("chat"));
        bob.send(new JsonObject().put("type", "chat").put("id", 3).put("text", "can I?"));
        assertEquals(3, bob.nextError("permission_denied").getInteger("re"));
        alice.expectSilence(200);

        // A message from the application reaches everyone as a system chat message.
        JsonObject sent = ok(
                call("POST", "/rooms/standup/messages", new JsonObject().put("text", "Recording starts in 1 minute")),
                200);
        assertTrue(sent.getBoolean("system"));
        for (WsTestClient c : List.of(alice, bob)) {
            JsonObject chat = c.next("chat");
            assertEquals("Recording starts in 1 minute", chat.getString("text"));
            assertEquals("Server", chat.getString("name"));
            assertTrue(chat.getBoolean("system"));
            assertNull(chat.getValue("from"));
        }

        // Bob is removed: he and Alice hear why; he is gone from the room.
        JsonObject removed = ok(call("DELETE", "/rooms/standup/participants/" + bobId, null), 200);
        assertTrue(removed.getBoolean("removed"));
        assertEquals("removed", bob.next("left").getString("reason"));
        JsonObject gone = alice.next("participant-left");
        assertEquals(bobId, gone.getString("id"));
        assertEquals("removed", gone.getString("reason"));
        assertEquals(1, ok(call("GET", "/rooms/standup", null), 200).getInteger("participantCount"));
        assertEquals(
                "participant_not_found",
                call("DELETE", "/rooms/standup/participants/" + bobId, null).code());

        // End the room: Alice is removed with room_ended, the room is gone, and its name is free again.
        JsonObject ended = ok(call("DELETE", "/rooms/standup", null), 200);
        assertEquals(1, ended.getInteger("removed"));
        assertEquals("room_ended", alice.next("left").getString("reason"));
        assertEquals("room_not_found", call("GET", "/rooms/standup", null).code());
        assertEquals(404, call("GET", "/rooms/standup", null).status());
        assertEquals("joined", bob.join("standup", "Bob").getString("type"), "still connected: may join again");
    }

    /** Whether the room's router holds {@code producerId} paused (read on its worker, via /debug's dump). */
    private static boolean producerPaused(String producerId) throws Exception {
        // Router commands are queued in order: poll until the pause or resume has run.
        for (int i = 0; i < 50; i++) {
            String dump = WsTestClient.await(server.withMedia(m -> m.debugJson())
                            .compose(f -> io.vertx.core.Future.fromCompletionStage(f)))
                    .toString();
            JsonObject media = new JsonObject(dump);
            Boolean paused = findProducer(media, producerId);
            if (paused != null) {
                return paused;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no producer " + producerId + " in /debug");
    }

    private static Boolean findProducer(Object node, String producerId) {
        if (node instanceof JsonObject o) {
            if (producerId.equals(o.getValue("id")) && o.containsKey("paused")) {
                return o.getBoolean("paused");
            }
            for (String k : o.fieldNames()) {
                Boolean found = findProducer(o.getValue(k), producerId);
                if (found != null) {
                    return found;
                }
            }
        } else if (node instanceof JsonArray a) {
            for (Object v : a) {
                Boolean found = findProducer(v, producerId);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Test
    void revokingPublishMutesWhatIsPublished(Vertx vertx) throws Exception {
        WsTestClient dan = connect(vertx);
        String danId = dan.join("revoke", "Dan").getJsonObject("you").getString("id");
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "dan");
        peers.add(peer);
        dan.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", peer.createOffer(1, 1, 0, 0)));
        dan.next("answer");
        dan.drain(300);
        JsonObject updated = ok(
                call(
                        "PATCH",
                        "/rooms/revoke/participants/" + danId + "/permissions",
                        new JsonObject().put("publish", new JsonArray().add("video"))),
                200);
        assertEquals(
                new JsonArray().add("video"),
                updated.getJsonObject("permissions").getJsonArray("publish"));
        JsonObject notice = dan.next("track-muted");
        assertEquals("mic", notice.getJsonObject("track").getString("source"));
        assertTrue(dan.next("mute").getBoolean("audioMuted"));
        assertFalse(dan.next("permissions")
                .getJsonObject("permissions")
                .getJsonArray("publish")
                .contains("audio"));
        // Unmuting a kind it may not publish is refused, by the API as by signaling.
        String micId = notice.getJsonObject("track").getString("id");
        assertEquals(
                "permission_denied",
                call("POST", "/rooms/revoke/participants/" + danId + "/tracks/" + micId + "/mute", "{\"muted\":false}")
                        .code());
        assertEquals(
                "invalid_field",
                call("PATCH", "/rooms/revoke/participants/" + danId + "/permissions", "{\"hidden\":true}")
                        .code());
    }

    @Test
    void revokingSubscribeStopsWhatIsReceivedAndGrantingItBackResumesIt(Vertx vertx) throws Exception {
        try (MediaTestClient eve = MediaTestClient.join(vertx, port, cert, "listen", "Eve", 1, 1);
                MediaTestClient finn = MediaTestClient.join(vertx, port, cert, "listen", "Finn", 0, 0)) {
            List<MediaTestClient> both = List.of(eve, finn);
            assertTrue(
                    MediaTestClient.pumpAll(
                            () -> finn.trackCount() == 2 && finn.minPacketsFrom(eve.id) > 20, 20_000, both),
                    "Finn receives Eve's audio and video");
            // By SSRC: once its lines go inactive the peer no longer maps them to what it received.
            List<Long> ssrcs = finn.midsFrom(eve.id).stream()
                    .map(m -> finn.peer.received(m).ssrc())
                    .toList();
            String permissions = "/rooms/listen/participants/" + finn.id + "/permissions";

            int answers = finn.answers();
            ok(call("PATCH", permissions, new JsonObject().put("subscribe", false)), 200);
            // It is asked for an offer; the answer places nothing; nothing more arrives on the lines it had.
            assertTrue(
                    MediaTestClient.pumpAll(() -> finn.answers() > answers && finn.trackCount() == 0, 10_000, both),
                    "answered with nothing placed");
            MediaTestClient.pumpAll(() -> false, 300, both); // what was in flight
            long[] before = ssrcs.stream()
                    .mapToLong(x -> finn.peer.receivedSsrc(x).orElseThrow().packets())
                    .toArray();
            MediaTestClient.pumpAll(() -> false, 1000, both);
            long[] after = ssrcs.stream()
                    .mapToLong(x -> finn.peer.receivedSsrc(x).orElseThrow().packets())
                    .toArray();
            assertArrayEquals(before, after, "nothing forwarded to Finn for 1 s while Eve sends");
            assertEquals(0, finn.takeOthers("error").size(), "its offer with receiving lines is not refused");

            ok(call("PATCH", permissions, new JsonObject().put("subscribe", true)), 200);
            assertTrue(
                    MediaTestClient.pumpAll(
                            () -> finn.trackCount() == 2 && finn.minPacketsFrom(eve.id) > 20, 20_000, both),
                    "Eve's tracks again, on new lines or old");
        }
    }

    @Test
    void aCreatedRoomLastsItsEmptyTimeout(Vertx vertx) throws Exception {
        ok(call("POST", "/rooms", new JsonObject().put("name", "brief").put("emptyTimeoutSeconds", 1)), 201);
        WsTestClient eve = connect(vertx);
        eve.join("brief", "Eve");
        Thread.sleep(1500);
        assertEquals(1, ok(call("GET", "/rooms/brief", null), 200).getInteger("participantCount"), "occupied: kept");
        eve.send(new JsonObject().put("type", "leave").put("id", 1));
        eve.next("left");
        long deadline = System.currentTimeMillis() + 10_000;
        while (call("GET", "/rooms/brief", null).status() == 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("room_not_found", call("GET", "/rooms/brief", null).code(), "gone after its timeout");

        // A room with a long timeout outlives its last member (a room a join made would not).
        ok(call("POST", "/rooms", new JsonObject().put("name", "lasting").put("emptyTimeoutSeconds", 600)), 201);
        eve.join("lasting", "Eve");
        eve.send(new JsonObject().put("type", "leave").put("id", 2));
        eve.next("left");
        assertEquals(0, ok(call("GET", "/rooms/lasting", null), 200).getInteger("participantCount"));
        eve.join("joined-only", "Eve");
        eve.send(new JsonObject().put("type", "leave").put("id", 3));
        eve.next("left");
        assertEquals("room_not_found", call("GET", "/rooms/joined-only", null).code());
        assertEquals(0, ok(call("DELETE", "/rooms/lasting", null), 200).getInteger("removed"));
    }

    @Test
    void badTokensAreRefusedWithTheirCodes() throws Exception {
        long now = System.currentTimeMillis();
        Map<String, String> cases = Map.of(
                "api_token_invalid", "not-a-jwt",
                "api_key_unknown", ApiTokens.sign("someone-else", ApiTokens.SECRET, now, now + 60_000),
                "api_token_expired", ApiTokens.sign(ApiTokens.KEY, ApiTokens.SECRET, now - 120_000, now - 60_000),
                "api_token_lifetime", ApiTokens.sign(ApiTokens.KEY, ApiTokens.SECRET, now, now + 3_600_000));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Reply r = call(port, "GET", "/api/v1/rooms", null, c.getValue());
            assertEquals(401, r.status(), c.getKey());
            assertEquals(c.getKey(), r.code(), r.body().encode());
        }
        String forged = ApiTokens.sign(ApiTokens.KEY, "a-different-secret-of-32-bytes-or-more", now, now + 60_000);
        assertEquals(
                "api_token_invalid",
                call(port, "GET", "/api/v1/rooms", null, forged).code());
        Reply missing = call(port, "POST", "/api/v1/rooms", "{\"name\":\"x\"}", null);
        assertEquals(401, missing.status());
        assertEquals("api_token_missing", missing.code());
        assertEquals("room_not_found", call("GET", "/rooms/x", null).code(), "nothing was created");
    }

    @Test
    void badInputGetsClearErrorsAndChangesNothing(Vertx vertx) throws Exception {
        ok(call("POST", "/rooms", new JsonObject().put("name", "steady")), 201);
        WsTestClient fay = connect(vertx);
        String fayId = fay.join("steady", "Fay").getJsonObject("you").getString("id");
        Map<String, Reply> replies = Map.of(
                "bad_json", call("POST", "/rooms", "{\"name\":"),
                "bad_json ", call("POST", "/rooms", "[1,2]"),
                "invalid_field",
                        call("POST", "/rooms", new JsonObject().put("name", "x").put("maxParticipant", 3)),
                "invalid_field ",
                        call("POST", "/rooms", new JsonObject().put("name", "y").put("maxParticipants", 9)),
                "invalid_field  ", call("POST", "/rooms", new JsonObject().put("name", "bad name!")),
                "room_not_found", call("POST", "/rooms/nowhere/messages", new JsonObject().put("text", "hi")),
                "participant_not_found", call("DELETE", "/rooms/steady/participants/nobody", null),
                "track_not_found",
                        call("POST", "/rooms/steady/participants/" + fayId + "/tracks/t9/mute", "{\"muted\":true}"),
                "not_found", call("GET", "/nothing-here", null),
                "method_not_allowed", call("PUT", "/rooms/steady", "{}"));
        for (Map.Entry<String, Reply> e : replies.entrySet()) {
            assertEquals(
                    e.getKey().strip(),
                    e.getValue().code(),
                    e.getKey() + ": " + e.getValue().body().encode());
        }
        Reply tooLarge = call("POST", "/rooms/steady/messages", "{\"text\":\"" + "x".repeat(70_000) + "\"}");
        assertEquals(413, tooLarge.status());
        assertEquals("body_too_large", tooLarge.code());
        assertEquals(
                "invalid_field",
                call("POST", "/rooms/steady/messages", new JsonObject().put("text", ""))
                        .code());
        // The room and its member are as they were, and the member still hears the room.
        JsonObject room = ok(call("GET", "/rooms/steady", null), 200);
        assertEquals(1, room.getInteger("participantCount"));
        assertEquals(fayId, room.getJsonArray("participants").getJsonObject(0).getString("id"));
        ok(
                call(
                        "POST",
                        "/rooms/steady/messages",
                        new JsonObject().put("text", "still here").put("name", "Ops")),
                200);
        JsonObject chat = fay.next("chat");
        assertEquals("still here", chat.getString("text"));
        assertEquals("Ops", chat.getString("name"));
    }

    @Test
    void withoutCredentialsTheApiIsOff() throws Exception {
        ChorusServer off = start(false);
        try {
            Reply r = call(off.httpPort(), "GET", "/api/v1/rooms", null, ApiTokens.valid());
            assertEquals(404, r.status());
            assertEquals("api_disabled", r.code());
            Reply create = call(off.httpPort(), "POST", "/api/v1/rooms", "{\"name\":\"x\"}", null);
            assertEquals("api_disabled", create.code());
            Reply spec = call(off.httpPort(), "GET", "/api/v1/openapi.json", null, null);
            assertEquals(200, spec.status(), "the description is public; the API is not");
            assertEquals("3.0.3", spec.body().getString("openapi"));
        } finally {
            off.stopAndWait(Duration.ofSeconds(10));
        }
    }
}
