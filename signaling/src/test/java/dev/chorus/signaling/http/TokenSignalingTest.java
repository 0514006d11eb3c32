package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.auth.TestTokens;
import dev.chorus.testkit.peer.NativePeer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
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
 * Join tokens through the real server ({@code chorus.auth.mode = token}, HS256): joins without a valid token
 * for the room are refused with their own codes, and what a token forbids (publishing a kind, chat) is refused
 * with permission_denied. Open mode is what every other test runs on.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
class TokenSignalingTest {

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

    private WsTestClient connect(Vertx vertx) {
        WsTestClient c = WsTestClient.connect(vertx, port);
        sockets.add(c);
        return c;
    }

    private static JsonObject join(WsTestClient c, String room, String token) {
        // A name as a browser sends it; the token's name claim wins over it.
        JsonObject join = new JsonObject()
                .put("type", "join")
                .put("id", 1)
                .put("room", room)
                .put("name", "typed");
        if (token != null) {
            join.put("token", token);
        }
        c.send(join);
        return c.next();
    }

    @Test
    void joinsWithoutAValidTokenForTheRoomAreRefused(Vertx vertx) {
        WsTestClient c = connect(vertx);
        JsonObject missing = join(c, "team", null);
        assertEquals("token_missing", missing.getString("code"), missing.encode());
        assertEquals(1, missing.getInteger("re"));

        long now = System.currentTimeMillis();
        String expired = TestTokens.hs256(TestTokens.claims("team", now, null)
                .expirationTime(new Date(now - 120_000))
                .build());
        assertEquals("token_expired", join(c, "team", expired).getString("code"));
        assertEquals("token_invalid", join(c, "team", "a.b.c").getString("code"));
        String forged = TestTokens.sign(
                TestTokens.claims("team", now, null).build(),
                com.nimbusds.jose.JWSAlgorithm.HS256,
                null,
                TestTokens.hmac("some-other-secret-of-32-bytes-or-more"));
        assertEquals("token_invalid", join(c, "team", forged).getString("code"));
        assertEquals(
                "token_wrong_room",
                join(c, "team", TestTokens.hs256("other", null)).getString("code"));

        // Still connected and able to join with a good one; the token's name and sub win.
        JsonObject joined = join(c, "team-red", TestTokens.hs256("team-*", null));
        assertEquals("joined", joined.getString("type"), joined.encode());
        JsonObject you = joined.getJsonObject("you");
        assertEquals("Ada", you.getString("name"));
        assertEquals("user-42", you.getString("identity"));
        assertTrue(you.getJsonObject("permissions").getBoolean("chat"));
    }

    @Test
    void aTokenWithoutPublishCannotPublish(Vertx vertx) throws Exception {
        WsTestClient c = connect(vertx);
        JsonObject joined = join(c, "pub", TestTokens.hs256("pub", TestTokens.publish()));
        assertEquals("joined", joined.getString("type"), joined.encode());
        assertTrue(joined.getJsonObject("you").getBoolean("audioMuted"), "nothing to publish: muted");
        assertTrue(joined.getJsonObject("you").getBoolean("videoMuted"));

        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "listener");
        peers.add(peer);
        c.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", peer.createOffer(1, 1, 0, 0)));
        JsonObject refused = c.next();
        assertEquals("permission_denied", refused.getString("code"), refused.encode());
        assertEquals(2, refused.getInteger("re"));

        // Unmuting what it may not publish is refused too.
        c.send(new JsonObject().put("type", "mute").put("id", 3).put("audioMuted", false));
        assertEquals("permission_denied", c.next().getString("code"));

        // Receiving only is fine.
        NativePeer listener = NativePeer.create(TransportConfig.builder().build(), cert, "listener2");
        peers.add(listener);
        c.send(new JsonObject().put("type", "offer").put("id", 4).put("sdp", listener.createOffer(0, 0, 1, 1)));
        JsonObject answer = c.next();
        assertEquals("answer", answer.getString("type"), answer.encode());
    }

    @Test
    void aTokenWithAudioOnlyCannotPublishVideo(Vertx vertx) throws Exception {
        WsTestClient c = connect(vertx);
        join(c, "audio", TestTokens.hs256("audio", TestTokens.publish("audio")));
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "talker");
        peers.add(peer);
        c.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", peer.createOffer(1, 1, 0, 0)));
        JsonObject refused = c.next();
        assertEquals("permission_denied", refused.getString("code"), refused.encode());
        assertTrue(refused.getString("message").contains("camera"), refused.encode());

        NativePeer audioOnly = NativePeer.create(TransportConfig.builder().build(), cert, "talker2");
        peers.add(audioOnly);
        c.send(new JsonObject().put("type", "offer").put("id", 3).put("sdp", audioOnly.createOffer(1, 0, 0, 0)));
        assertEquals("answer", c.next().getString("type"));
    }

    @Test
    void aTokenWithoutSubscribeGetsNothingOnItsReceivingLinesAndIsNotAskedForMore(Vertx vertx) throws Exception {
        WsTestClient c = connect(vertx);
        join(c, "ingest", TestTokens.hs256("ingest", Map.of("subscribe", false)));
        WsTestClient talker = connect(vertx);
        join(talker, "ingest", TestTokens.hs256("ingest", null));
        NativePeer talking = NativePeer.create(TransportConfig.builder().build(), cert, "talking");
        peers.add(talking);
        talker.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", talking.createOffer(1, 1, 0, 0)));
        assertEquals("answer", talker.next("answer").getString("type"));

        NativePeer receiver = NativePeer.create(TransportConfig.builder().build(), cert, "receiver");
        peers.add(receiver);
        c.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", receiver.createOffer(1, 1, 1, 1)));
        List<JsonObject> seen = new ArrayList<>();
        JsonObject answer = skipTo(c, "answer", seen);
        assertEquals(0, answer.getJsonArray("tracks").size(), "the talker's tracks are not placed: " + answer);
        assertTrue(answer.getString("sdp").contains("a=inactive"), "its receiving lines are inactive");
        // A second publisher's tracks bring no renegotiate either.
        NativePeer second = NativePeer.create(TransportConfig.builder().build(), cert, "second");
        peers.add(second);
        WsTestClient other = connect(vertx);
        join(other, "ingest", TestTokens.hs256("ingest", null));
        other.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", second.createOffer(1, 0, 0, 0)));
        skipTo(other, "answer", new ArrayList<>());
        seen.addAll(c.drain(500));
        assertTrue(
                seen.stream()
                        .noneMatch(
                                m -> "renegotiate".equals(m.getString("type")) || "error".equals(m.getString("type"))),
                "never asked to make room for what it may not receive, nothing refused: " + seen);
    }

    /** The next message of {@code type}; the ones before it go to {@code skipped}. */
    private static JsonObject skipTo(WsTestClient c, String type, List<JsonObject> skipped) {
        for (JsonObject m = c.next(); ; m = c.next()) {
            if (type.equals(m.getString("type"))) {
                return m;
            }
            skipped.add(m);
        }
    }

    @Test
    void aTokenWithoutChatCannotChat(Vertx vertx) {
        WsTestClient quiet = connect(vertx);
        join(quiet, "chat", TestTokens.hs256("chat", Map.of("chat", false)));
        WsTestClient talker = connect(vertx);
        join(talker, "chat", TestTokens.hs256("chat", null));
        assertEquals("participant-joined", quiet.next().getString("type"));

        quiet.send(new JsonObject().put("type", "chat").put("id", 5).put("text", "hello"));
        JsonObject refused = quiet.next();
        assertEquals("permission_denied", refused.getString("code"), refused.encode());
        assertEquals(5, refused.getInteger("re"));
        talker.expectSilence(300);

        // Others may chat, and the muted one reads along.
        talker.send(new JsonObject().put("type", "chat").put("text", "hi"));
        assertEquals("hi", quiet.next("chat").getString("text"));
    }

    @Test
    void aHiddenMemberJoinsAsAViewer(Vertx vertx) throws Exception {
        WsTestClient host = connect(vertx);
        join(host, "stage", TestTokens.hs256("stage", null));
        WsTestClient hidden = connect(vertx);
        JsonObject joined = join(hidden, "stage", TestTokens.hs256("stage", Map.of("hidden", true)));
        assertEquals("viewer", joined.getJsonObject("you").getString("role"), joined.encode());
        assertEquals(1, joined.getInteger("viewers"));
        JsonObject count = host.next("viewers");
        assertEquals(1, count.getInteger("count"), "counted, not listed");

        // It only receives, as a viewer: an offer that sends is refused.
        NativePeer peer = NativePeer.create(TransportConfig.builder().build(), cert, "hidden");
        peers.add(peer);
        hidden.send(new JsonObject().put("type", "offer").put("id", 2).put("sdp", peer.createOffer(1, 0, 1, 1)));
        assertEquals("permission_denied", hidden.next().getString("code"));
    }

    @Test
    void aJoinNameIsUsedWhenTheTokenHasNone(Vertx vertx) {
        WsTestClient c = connect(vertx);
        String token = TestTokens.hs256(TestTokens.claims("named", System.currentTimeMillis(), null)
                .claim("name", null)
                .build());
        c.send(new JsonObject().put("type", "join").put("room", "named").put("token", token));
        assertEquals("invalid_field", c.next().getString("code"));
        c.send(new JsonObject()
                .put("type", "join")
                .put("room", "named")
                .put("name", "Bea")
                .put("token", token));
        JsonObject you = c.next("joined").getJsonObject("you");
        assertEquals("Bea", you.getString("name"));
        assertNull(you.getValue("token"));
        assertFalse(you.encode().contains(token));
    }
}
