package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.auth.TestTokens;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.testkit.netsim.TcpDropProxy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resume after a dropped WebSocket, over real sockets against a real server on 127.0.0.1. The dropped client
 * talks to the server through a {@link TcpDropProxy}, which resets its connection the way a network change does
 * (no close frame); everyone else connects directly.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ResumeSignalingTest {

    /** The server most tests share (default settings but a 10 s grace); a test with settings of its own starts one. */
    private static ChorusServer shared;

    private static TcpDropProxy sharedProxy;
    private ChorusServer server;
    private TcpDropProxy proxy;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private void start(Map<String, String> overrides) throws Exception {
        if (overrides.isEmpty()) {
            if (shared == null) {
                shared = newServer(overrides);
                sharedProxy = TcpDropProxy.start(shared.httpPort());
            }
            server = shared;
            proxy = sharedProxy;
            return;
        }
        server = newServer(overrides);
        proxy = TcpDropProxy.start(server.httpPort());
    }

    private static ChorusServer newServer(Map<String, String> overrides) throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.resume.grace", "10s");
        overrides.forEach(p::setProperty);
        ChorusServer s = new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        s.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        return s;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (server != null && server != shared) {
            proxy.close();
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }

    @AfterAll
    static void stopShared() {
        if (shared != null) {
            sharedProxy.close();
            shared.stopAndWait(Duration.ofSeconds(10));
        }
    }

    private WsTestClient direct(Vertx vertx) {
        WsTestClient c = WsTestClient.connect(vertx, server.httpPort());
        closeables.add(c::close);
        return c;
    }

    private WsTestClient proxied(Vertx vertx) {
        WsTestClient c = WsTestClient.connect(vertx, proxy.port());
        closeables.add(c::close);
        return c;
    }

    /** Every message that arrives within {@code millis}; the highest {@code msgSeq} among them and {@code seen}. */
    private static long lastSeq(List<JsonObject> messages, long seen) {
        long last = seen;
        for (JsonObject m : messages) {
            last = Math.max(last, m.getLong("msgSeq", 0L));
        }
        return last;
    }

    /** Waits until the server holds {@code n} participants for a resume (its /debug says so). */
    private void awaitDetached(int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + WsTestClient.TIMEOUT_MS;
        int detached = -1;
        while (System.currentTimeMillis() < deadline) {
            String body = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/debug"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            detached = new JsonObject(body)
                    .getJsonObject("signaling")
                    .getJsonObject("resume")
                    .getInteger("detached");
            if (detached == n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("detached participants: " + detached + ", expected " + n);
    }

    private static JsonObject resume(WsTestClient c, String token, long lastSeq) {
        c.send(new JsonObject()
                .put("type", "resume")
                .put("id", "r")
                .put("token", token)
                .put("lastMsgSeq", lastSeq));
        return c.next();
    }

    private static void chat(WsTestClient c, String text) {
        c.send(new JsonObject().put("type", "chat").put("text", text));
    }

    @Test
    void aDroppedClientResumesAsTheSameParticipantAndGetsWhatItMissedInOrder(Vertx vertx) throws Exception {
        start(Map.of());
        WsTestClient ada = proxied(vertx);
        JsonObject joined = ada.join("resume", "Ada");
        assertEquals("joined", joined.getString("type"), joined.encode());
        String adaId = joined.getJsonObject("you").getString("id");
        String token = joined.getJsonObject("resume").getString("token");
        assertEquals(10_000, joined.getJsonObject("resume").getLong("graceMs"));
        assertTrue(token.length() >= 43, "256 random bits: " + token.length() + " characters");
        assertEquals(1, joined.getLong("msgSeq"));
        WsTestClient bob = direct(vertx);
        String bobId = bob.join("resume", "Bob").getJsonObject("you").getString("id");
        JsonObject bobArrived = ada.next("participant-joined");
        long adaSeq = lastSeq(List.of(bobArrived), 1);
        assertEquals(2, adaSeq);

        assertTrue(proxy.dropAll() >= 1);
        ada.awaitClosed();
        // Sent while Ada is away (or into her dead socket before the server noticed): kept for her.
        for (int i = 1; i <= 5; i++) {
            chat(bob, "missed " + i);
        }
        bob.send(new JsonObject().put("type", "mute").put("audioMuted", true));
        List<JsonObject> bobSaw = bob.drain(600);

        WsTestClient ada2 = proxied(vertx);
        JsonObject resumed = resume(ada2, token, adaSeq);
        assertEquals("resumed", resumed.getString("type"), resumed.encode());
        assertEquals("r", resumed.getString("re"));
        assertEquals(adaId, resumed.getJsonObject("you").getString("id"));
        assertEquals("resume", resumed.getString("room"));
        String next = resumed.getJsonObject("resume").getString("token");
        assertNotEquals(token, next, "a resume hands out a new token");
        assertEquals(adaSeq + 6, resumed.getLong("lastMsgSeq"));
        for (int i = 1; i <= 5; i++) {
            JsonObject chat = ada2.next("chat");
            assertEquals("missed " + i, chat.getString("text"));
            assertEquals(bobId, chat.getString("from"));
            assertEquals(adaSeq + i, chat.getLong("msgSeq"), "replayed in order, numbered on");
        }
        JsonObject mute = ada2.next("mute");
        assertEquals(adaSeq + 6, mute.getLong("msgSeq"));

        // Same participant: what she sends now comes from her id, and nobody saw her go or come.
        chat(ada2, "back");
        JsonObject back = bob.next("chat");
        assertEquals(adaId, back.getString("from"));
        assertEquals(adaSeq + 7, ada2.next("chat").getLong("msgSeq"));
        bobSaw.addAll(bob.drain(300));
        for (JsonObject m : bobSaw) {
            assertTrue(!m.getString("type").startsWith("participant-"), "Bob saw no leave or join: " + bobSaw);
        }
    }

    @Test
    void aParticipantNotResumedWithinTheGracePeriodLeavesWithTimeout(Vertx vertx) throws Exception {
        start(Map.of("chorus.resume.grace", "1s"));
        WsTestClient ada = proxied(vertx);
        JsonObject joined = ada.join("grace", "Ada");
        String adaId = joined.getJsonObject("you").getString("id");
        WsTestClient bob = direct(vertx);
        bob.join("grace", "Bob");
        long start = System.nanoTime();
        proxy.dropAll();
        JsonObject left = bob.next("participant-left");
        long afterMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(adaId, left.getString("id"));
        assertEquals("timeout", left.getString("reason"));
        assertTrue(afterMs >= 900, "left after the grace period, not at once: " + afterMs + " ms");

        WsTestClient ada2 = proxied(vertx);
        JsonObject refused = resume(ada2, joined.getJsonObject("resume").getString("token"), 1);
        assertEquals("resume_expired", refused.getString("code"), refused.encode());
        // She joins again, fresh: a new participant, announced as one.
        String newId = ada2.join("grace", "Ada").getJsonObject("you").getString("id");
        assertNotEquals(adaId, newId);
        assertEquals(
                newId,
                bob.next("participant-joined").getJsonObject("participant").getString("id"));
    }

    @Test
    void wrongAndUsedTokensAreRefusedWithTheirOwnCodes(Vertx vertx) throws Exception {
        start(Map.of());
        WsTestClient eve = direct(vertx);
        JsonObject unknown = resume(eve, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0);
        assertEquals("resume_invalid", unknown.getString("code"), unknown.encode());
        assertEquals("r", unknown.getString("re"));
        JsonObject noToken = resume(eve, null, 0);
        assertEquals("invalid_field", noToken.getString("code"));

        WsTestClient ada = proxied(vertx);
        JsonObject joined = ada.join("tokens", "Ada");
        String token = joined.getJsonObject("resume").getString("token");
        proxy.dropAll();
        ada.awaitClosed();
        WsTestClient ada2 = proxied(vertx);
        JsonObject resumed = resume(ada2, token, 1);
        assertEquals("resumed", resumed.getString("type"));
        // The same token again (a replay, or a second tab): used.
        JsonObject used = resume(eve, token, 1);
        assertEquals("resume_used", used.getString("code"), used.encode());
        // A socket in a room cannot resume another participant.
        WsTestClient bob = direct(vertx);
        bob.join("tokens", "Bob");
        ada2.next("participant-joined");
        JsonObject already = resume(bob, token, 1);
        assertEquals("already_joined", already.getString("code"));
        // After a leave, the session is over: the token the resume handed out is spent too.
        ada2.send(new JsonObject().put("type", "leave").put("id", "bye"));
        ada2.next("left");
        WsTestClient late = direct(vertx);
        JsonObject afterLeave = resume(late, resumed.getJsonObject("resume").getString("token"), 1);
        assertEquals("resume_expired", afterLeave.getString("code"));
    }

    @Test
    void aClientThatMissedMoreThanIsKeptIsRemovedAndToldOverflow(Vertx vertx) throws Exception {
        start(Map.of("chorus.resume.buffer", "5"));
        WsTestClient ada = proxied(vertx);
        JsonObject joined = ada.join("flood", "Ada");
        String adaId = joined.getJsonObject("you").getString("id");
        WsTestClient bob = direct(vertx);
        bob.join("flood", "Bob");
        long seen = lastSeq(List.of(ada.next("participant-joined")), 1);
        proxy.dropAll();
        ada.awaitClosed();
        // Once the server has seen the drop, the overflow happens while Ada is detached.
        awaitDetached(1);
        for (int i = 0; i < 8; i++) {
            chat(bob, "flood " + i);
        }
        JsonObject left = bob.next();
        while (!"participant-left".equals(left.getString("type"))) {
            left = bob.next();
        }
        assertEquals(adaId, left.getString("id"));
        assertEquals("disconnected", left.getString("reason"));
        WsTestClient ada2 = proxied(vertx);
        JsonObject refused = resume(ada2, joined.getJsonObject("resume").getString("token"), seen);
        assertEquals("resume_overflow", refused.getString("code"), refused.encode());
    }

    @Test
    void aResumeWhileTheOldSocketIsStillOpenClosesTheOldOne(Vertx vertx) throws Exception {
        start(Map.of());
        WsTestClient ada = direct(vertx);
        JsonObject joined = ada.join("twice", "Ada");
        WsTestClient bob = direct(vertx);
        bob.join("twice", "Bob");
        long seen = lastSeq(List.of(ada.next("participant-joined")), 1);
        // The server still thinks Ada's first socket is fine (a half-open connection looks like this).
        WsTestClient ada2 = direct(vertx);
        JsonObject resumed = resume(ada2, joined.getJsonObject("resume").getString("token"), seen);
        assertEquals("resumed", resumed.getString("type"), resumed.encode());
        assertEquals(4001, ada.awaitClose());
        chat(bob, "still here?");
        assertEquals("still here?", ada2.next("chat").getString("text"));
        bob.next("chat");
        bob.expectSilence(300);
    }

    @Test
    void aCloseOnPurposeLeavesAtOnce(Vertx vertx) throws Exception {
        start(Map.of());
        WsTestClient ada = direct(vertx);
        JsonObject joined = ada.join("bye", "Ada");
        WsTestClient bob = direct(vertx);
        bob.join("bye", "Bob");
        ada.next("participant-joined");
        ada.close(); // a close frame with 1000: what a closed page or a bot's clean exit sends
        JsonObject left = bob.next("participant-left");
        assertEquals("disconnected", left.getString("reason"));
        WsTestClient ada2 = direct(vertx);
        JsonObject refused = resume(ada2, joined.getJsonObject("resume").getString("token"), 2);
        assertEquals("resume_expired", refused.getString("code"));
    }

    @Test
    void aResumeKeepsWhatTheJoinTokenGrantedAndNoMore(Vertx vertx) throws Exception {
        start(Map.of(
                "chorus.auth.mode", "token",
                "chorus.auth.hs256-secret", TestTokens.SECRET,
                "chorus.auth.clock-skew", "0s",
                "chorus.resume.grace", "1500ms"));
        long now = System.currentTimeMillis();
        // Valid for about two seconds, and without chat.
        String jwt = TestTokens.hs256(TestTokens.claims("granted", now, Map.of("chat", false))
                .expirationTime(new Date((now / 1000 + 3) * 1000))
                .build());
        WsTestClient ada = proxied(vertx);
        ada.send(new JsonObject().put("type", "join").put("room", "granted").put("token", jwt));
        JsonObject joined = ada.next("joined");
        String adaId = joined.getJsonObject("you").getString("id");
        proxy.dropAll();
        ada.awaitClosed();

        // The resume carries no join token: it continues the participant its token made, as it was.
        WsTestClient ada2 = proxied(vertx);
        JsonObject resumed = resume(ada2, joined.getJsonObject("resume").getString("token"), 1);
        assertEquals("resumed", resumed.getString("type"), resumed.encode());
        assertEquals(adaId, resumed.getJsonObject("you").getString("id"));
        assertEquals("user-42", resumed.getJsonObject("you").getString("identity"));
        assertEquals(
                false, resumed.getJsonObject("you").getJsonObject("permissions").getBoolean("chat"));
        chat(ada2, "may I?");
        ada2.nextError("permission_denied");

        // Dropped again and not back in time: the participant has gone, and the way back in is a join, whose
        // token is checked again (expired by now).
        proxy.dropAll();
        ada2.awaitClosed();
        Thread.sleep(Math.max(0, (now / 1000 + 3) * 1000 - System.currentTimeMillis()) + 1700);
        WsTestClient ada3 = proxied(vertx);
        JsonObject late = resume(ada3, resumed.getJsonObject("resume").getString("token"), 1);
        assertEquals("resume_expired", late.getString("code"), late.encode());
        ada3.send(new JsonObject().put("type", "join").put("room", "granted").put("token", jwt));
        ada3.nextError("token_expired");
    }

    @Test
    void mediaKeepsFlowingWhileAwayAndAnOfferCaughtInTheDropIsSentAgain(Vertx vertx) throws Exception {
        start(Map.of());
        DtlsCertificate cert = DtlsCertificate.generate();
        MediaTestClient ada = MediaTestClient.join(vertx, proxy.port(), cert, "media", "Ada", 1, 1);
        closeables.add(ada);
        MediaTestClient bob = MediaTestClient.join(vertx, server.httpPort(), cert, "media", "Bob", 0, 0);
        closeables.add(bob);
        assertTrue(
                pumpBoth(ada, bob, () -> bob.minPacketsFrom(ada.id) > 20, 20_000),
                "Bob receives Ada's media before the drop");

        // Ada offers (say her tracks changed) and her socket drops with the offer in flight: whether the server
        // got it or not, its answer is lost to her.
        ada.offer();
        proxy.dropAll();
        ada.ws.awaitClosed();
        long before = bob.minPacketsFrom(ada.id);
        // Away from signaling, Ada's media still reaches Bob (ICE/UDP does not need the WebSocket).
        long awayUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
        while (System.nanoTime() < awayUntil) {
            ada.sendMedia();
            bob.pump(20);
        }
        long during = bob.minPacketsFrom(ada.id);
        assertTrue(during > before + 10, "media while away: " + before + " -> " + during);

        WsTestClient ws2 = WsTestClient.connect(vertx, proxy.port());
        closeables.add(ws2::close);
        JsonObject resumed = resume(ws2, ada.joined.getJsonObject("resume").getString("token"), ada.lastSeq);
        assertEquals("resumed", resumed.getString("type"), resumed.encode());
        ada.ws = ws2;
        ada.resendLastOffer();
        int answers = ada.answers();
        assertTrue(
                pumpBoth(ada, bob, () -> ada.answers() > answers && bob.minPacketsFrom(ada.id) > during + 20, 20_000),
                "the offer sent again is answered and media goes on");
        assertEquals("connected", ada.mediaState());
        assertTrue(ada.others.stream().noneMatch(m -> "error".equals(m.getString("type"))), ada.others.toString());
        assertTrue(bob.others.stream().noneMatch(m -> m.getString("type").startsWith("participant-left")));
    }

    private static boolean pumpBoth(
            MediaTestClient a, MediaTestClient b, java.util.function.BooleanSupplier done, long timeoutMs) {
        return MediaTestClient.pumpAll(done, timeoutMs, List.of(a, b));
    }
}
