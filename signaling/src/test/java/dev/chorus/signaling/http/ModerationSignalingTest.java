package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.api.ApiTokens;
import dev.chorus.signaling.auth.TestTokens;
import dev.chorus.testkit.peer.NativePeer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Moderation over signaling, on a real server in token mode: a member whose token has {@code moderate} mutes
 * another member's mic ({@code mute-participant}) and removes it ({@code remove-participant}) through the same
 * operations as the server API; everyone sees who moderates; members without the right, and bad targets, are
 * refused with their codes and change nothing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
class ModerationSignalingTest {

    private static ChorusServer server;
    private static int port;
    private static DtlsCertificate cert;
    private final List<WsTestClient> sockets = new ArrayList<>();
    private final List<NativePeer> peers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.auth.mode", "token");
        p.setProperty("chorus.auth.hs256-secret", TestTokens.SECRET);
        p.setProperty("chorus.api.key", ApiTokens.KEY);
        p.setProperty("chorus.api.secret", ApiTokens.SECRET);
        server = LoopbackServers.start(p, Map.of());
        port = server.httpPort();
        cert = DtlsCertificate.generate();
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

    /** Joins {@code room} as {@code name} with a token holding {@code perms}; returns the socket after joined. */
    private WsTestClient member(
            Vertx vertx, String room, String name, Map<String, Object> perms, List<JsonObject> out) {
        WsTestClient c = WsTestClient.connect(vertx, port);
        sockets.add(c);
        String token = TestTokens.hs256(TestTokens.claims(room, System.currentTimeMillis(), perms)
                .subject("user-" + name)
                .claim("name", name)
                .build());
        c.send(new JsonObject()
                .put("type", "join")
                .put("id", 1)
                .put("room", room)
                .put("token", token));
        JsonObject joined = c.next("joined");
        if (out != null) {
            out.add(joined);
        }
        return c;
    }

    private static JsonObject request(String type, Object id, String participantId) {
        return new JsonObject().put("type", type).put("id", id).put("participantId", participantId);
    }

    @Test
    void aModeratorMutesAndRemovesAMemberAndEveryoneSeesIt(Vertx vertx) throws Exception {
        List<JsonObject> joins = new ArrayList<>();
        WsTestClient mod = member(vertx, "mod", "Mia", Map.of("moderate", true), joins);
        WsTestClient alice = member(vertx, "mod", "Alice", null, joins);
        WsTestClient bob = member(vertx, "mod", "Bob", null, joins);
        String modId = joins.get(0).getJsonObject("you").getString("id");
        String aliceId = joins.get(1).getJsonObject("you").getString("id");
        String bobId = joins.get(2).getJsonObject("you").getString("id");

        // Everyone sees who moderates: in joined's list and in participant-joined.
        assertTrue(joins.get(0).getJsonObject("you").getBoolean("moderator"));
        JsonArray seenByBob = joins.get(2).getJsonArray("participants");
        for (Object o : seenByBob) {
            JsonObject p = (JsonObject) o;
            assertEquals(p.getString("id").equals(modId), p.getBoolean("moderator"), seenByBob.encode());
        }
        assertFalse(mod.next("participant-joined").getJsonObject("participant").getBoolean("moderator"));
        mod.next("participant-joined");
        alice.next("participant-joined");

        // Alice publishes a mic and a camera.
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "alice");
        peers.add(peer);
        alice.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", peer.createOffer(1, 1, 0, 0)));
        alice.next("answer");
        alice.drain(300);

        // Without the right: refused, nothing happens.
        bob.send(request("mute-participant", 3, aliceId).put("source", "mic"));
        assertEquals(3, bob.nextError("permission_denied").getInteger("re"));
        bob.send(request("remove-participant", 4, aliceId));
        assertEquals(4, bob.nextError("permission_denied").getInteger("re"));
        alice.expectSilence(200);

        // Bad targets get their own codes.
        mod.send(request("mute-participant", 5, "nobody").put("source", "mic"));
        assertEquals(5, mod.nextError("participant_not_found").getInteger("re"));
        mod.send(request("mute-participant", 6, aliceId).put("source", "screen"));
        assertEquals(6, mod.nextError("track_not_found").getInteger("re"));
        mod.send(request("mute-participant", 7, aliceId).put("source", "tv"));
        assertEquals("source", mod.nextError("invalid_field").getString("field"));
        mod.send(request("remove-participant", 8, modId));
        assertEquals("participantId", mod.nextError("invalid_field").getString("field"));
        mod.send(new JsonObject().put("type", "remove-participant").put("id", 9));
        assertEquals("participantId", mod.nextError("invalid_field").getString("field"));
        alice.expectSilence(200);

        // The moderator mutes Alice's mic: the room is told who did it, the flags follow, Alice cannot undo it.
        // The moderator's answer comes after what the room hears.
        mod.send(request("mute-participant", 10, aliceId).put("source", "mic"));
        for (WsTestClient c : List.of(mod, alice, bob)) {
            JsonObject notice = c.next("track-muted");
            assertEquals(aliceId, notice.getString("participantId"));
            assertEquals("mic", notice.getJsonObject("track").getString("source"));
            assertTrue(notice.getBoolean("muted"));
            assertEquals(new JsonObject().put("id", modId).put("name", "Mia"), notice.getJsonObject("by"));
            assertTrue(c.next("mute").getBoolean("audioMuted"));
        }
        JsonObject done = mod.next("moderated");
        assertEquals(10, done.getInteger("re"));
        assertEquals("mute", done.getString("action"));
        assertTrue(done.getJsonArray("tracks").getJsonObject(0).getBoolean("muted"), done.encode());
        alice.send(new JsonObject().put("type", "mute").put("id", 11).put("audioMuted", false));
        assertEquals(11, alice.nextError("muted_by_server").getInteger("re"));

        // ... until the moderator lets it again.
        mod.send(request("mute-participant", 12, aliceId).put("source", "mic").put("muted", false));
        assertFalse(mod.next("track-muted").getBoolean("muted"));
        assertFalse(
                mod.next("moderated").getJsonArray("tracks").getJsonObject(0).getBoolean("muted"));
        assertFalse(alice.next("track-muted").getBoolean("muted"));
        alice.send(new JsonObject().put("type", "mute").put("id", 13).put("audioMuted", false));
        assertFalse(alice.next("mute").getBoolean("audioMuted"));

        // Removing: Alice is told, the others see why; she may join again.
        mod.drain(200);
        bob.drain(200);
        mod.send(request("remove-participant", 14, aliceId));
        JsonObject left = alice.next("left");
        assertEquals("removed_by_moderator", left.getString("reason"), left.encode());
        for (WsTestClient c : List.of(mod, bob)) {
            JsonObject gone = c.next("participant-left");
            assertEquals(aliceId, gone.getString("id"));
            assertEquals("removed_by_moderator", gone.getString("reason"));
        }
        JsonObject removed = mod.next("moderated");
        assertEquals("remove", removed.getString("action"));
        assertEquals(14, removed.getInteger("re"));
        mod.send(request("remove-participant", 15, aliceId));
        assertEquals(15, mod.nextError("participant_not_found").getInteger("re"));

        // Nothing else was lost: the room goes on.
        bob.send(new JsonObject().put("type", "chat").put("text", "still here"));
        assertEquals("still here", mod.next("chat").getString("text"));
        assertEquals(bobId, bob.next("chat").getString("from"));
    }

    @Test
    void aModeratorReachesOnlyItsOwnRoomAndTheApiCanMakeOne(Vertx vertx) throws Exception {
        List<JsonObject> joins = new ArrayList<>();
        WsTestClient mod = member(vertx, "room-a", "Mia", Map.of("moderate", true), joins);
        WsTestClient carl = member(vertx, "room-b", "Carl", null, joins);
        WsTestClient dee = member(vertx, "room-b", "Dee", null, joins);
        String carlId = joins.get(1).getJsonObject("you").getString("id");
        String deeId = joins.get(2).getJsonObject("you").getString("id");
        carl.next("participant-joined");

        mod.send(request("remove-participant", 2, carlId));
        assertEquals(2, mod.nextError("participant_not_found").getInteger("re"));
        carl.expectSilence(200);

        // The server API grants Dee moderate: she is told, Carl sees her as a moderator, and she may act.
        ServerApiTest.Reply reply = ServerApiTest.call(
                port,
                "PATCH",
                "/api/v1/rooms/room-b/participants/" + deeId + "/permissions",
                "{\"moderate\": true}",
                ApiTokens.valid());
        assertEquals(200, reply.status(), reply.body().encode());
        assertTrue(dee.next("permissions").getJsonObject("permissions").getBoolean("moderate"));
        JsonObject updated = carl.next("participant-updated").getJsonObject("participant");
        assertEquals(deeId, updated.getString("id"));
        assertTrue(updated.getBoolean("moderator"));
        dee.send(request("remove-participant", 3, carlId));
        assertEquals("removed_by_moderator", carl.next("left").getString("reason"));
        assertEquals("removed_by_moderator", dee.next("participant-left").getString("reason"));
        assertEquals(3, dee.next("moderated").getInteger("re"));
    }
}
