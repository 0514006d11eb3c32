package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import io.vertx.core.Vertx;
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
 * A broadcast room through the real server: one presenter, many viewers over real WebSockets. Viewers are
 * counted, not listed, so each one's presence traffic stays O(1) however many join; and viewers receive the
 * presenter's media but cannot publish.
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class BroadcastSignalingTest {

    private static final long COUNT_INTERVAL_MS = 500;
    private static final int VIEWERS = 200;

    private static ChorusServer server;
    private static int port;
    private final List<WsTestClient> sockets = new ArrayList<>();
    private final List<MediaTestClient> media = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.rooms.max-participants", "2");
        p.setProperty("chorus.rooms.max-viewers", String.valueOf(VIEWERS));
        p.setProperty("chorus.rooms.viewer-count-interval", COUNT_INTERVAL_MS + "ms");
        server = new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        // The first start loads the media stack (ice4j's Kotlin reflection): slow on a busy machine.
        server.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        port = server.httpPort();
    }

    @AfterEach
    void closeClients() {
        media.forEach(MediaTestClient::close);
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

    @Test
    void twoHundredViewersCostEachMemberABoundedNumberOfMessages(Vertx vertx) throws Exception {
        WsTestClient presenter = connect(vertx);
        String presenterId = presenter.join("live", "Ada").getJsonObject("you").getString("id");

        long start = System.currentTimeMillis();
        List<WsTestClient> viewers = new ArrayList<>();
        for (int i = 0; i < VIEWERS; i++) {
            WsTestClient v = connect(vertx);
            JsonObject joined = v.join("live", "viewer" + i, "viewer");
            assertEquals("joined", joined.getString("type"), joined.encode());
            assertEquals(1, joined.getJsonArray("participants").size(), "only the presenter is listed");
            assertEquals(
                    presenterId,
                    joined.getJsonArray("participants").getJsonObject(0).getString("id"));
            assertEquals(i + 1, joined.getInteger("viewers"));
            viewers.add(v);
        }
        WsTestClient oneTooMany = connect(vertx);
        assertEquals("room_full", oneTooMany.join("live", "late", "viewer").getString("code"));
        assertEquals(VIEWERS, metric("chorus_viewers"), "/metrics counts the audience");
        assertEquals(VIEWERS + 1, metric("chorus_participants"), "viewers are participants too");

        // Every count sent by now has arrived a count interval later.
        long joinMillis = System.currentTimeMillis() - start;
        List<JsonObject> presenterSaw = presenter.drain(2 * COUNT_INTERVAL_MS);
        long bound = joinMillis / COUNT_INTERVAL_MS + 2;
        List<Integer> counts = counts(presenterSaw);
        assertEquals(presenterSaw.size(), counts.size(), "the presenter hears only counts: " + presenterSaw);
        assertTrue(counts.size() <= bound, counts.size() + " counts in " + joinMillis + " ms");
        assertEquals(VIEWERS, counts.get(counts.size() - 1), "the last count is exact");

        int most = 0;
        for (WsTestClient v : viewers) {
            List<JsonObject> saw = v.drain(20);
            assertEquals(saw.size(), counts(saw).size(), "a viewer hears only counts: " + saw);
            most = Math.max(most, saw.size());
        }
        assertTrue(most <= bound, "a viewer got " + most + " messages; bound " + bound);

        // A second presenter is announced to everyone, viewers included: one message each.
        WsTestClient second = connect(vertx);
        JsonObject joined = second.join("live", "Bea");
        assertEquals(VIEWERS, joined.getInteger("viewers"));
        assertEquals("participant-joined", presenter.next().getString("type"));
        for (WsTestClient v : viewers) {
            assertEquals("participant-joined", v.next().getString("type"));
        }

        // Half the audience leaves: still counts, no participant-left.
        for (int i = 0; i < VIEWERS / 2; i++) {
            viewers.get(i).send(new JsonObject().put("type", "leave"));
        }
        for (int i = 0; i < VIEWERS / 2; i++) {
            // Counts of the others leaving may come first.
            JsonObject m = viewers.get(i).next();
            while ("viewers".equals(m.getString("type"))) {
                m = viewers.get(i).next();
            }
            assertEquals("left", m.getString("type"), m.encode());
        }
        List<JsonObject> after = second.drain(2 * COUNT_INTERVAL_MS);
        List<Integer> afterCounts = counts(after);
        assertEquals(after.size(), afterCounts.size(), after.toString());
        assertEquals(VIEWERS / 2, afterCounts.get(afterCounts.size() - 1));
        assertEquals(VIEWERS / 2, metric("chorus_viewers"));
    }

    /** One unlabelled sample of /metrics. */
    private static double metric(String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return PrometheusSamples.value(PrometheusSamples.parse(r.body()), name);
    }

    @Test
    void viewersReceiveThePresentersMediaAndCannotPublish(Vertx vertx) throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        MediaTestClient presenter = MediaTestClient.join(vertx, port, cert, "show", "Ada", 1, 1);
        media.add(presenter);
        List<MediaTestClient> viewers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MediaTestClient v = MediaTestClient.join(vertx, port, cert, "show", "viewer" + i, "viewer", 0, 0);
            media.add(v);
            viewers.add(v);
        }
        List<MediaTestClient> all = new ArrayList<>(media);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline
                && !viewers.stream().allMatch(v -> v.minPacketsFrom(presenter.id) >= 20)) {
            for (MediaTestClient c : all) {
                c.pumpUntil(() -> false, 10);
            }
        }
        for (MediaTestClient v : viewers) {
            assertEquals(2, v.midsFrom(presenter.id).size(), "the presenter's mic and camera");
            assertTrue(v.minPacketsFrom(presenter.id) >= 20, "packets " + v.minPacketsFrom(presenter.id));
            assertEquals("connected", v.mediaState());
        }
        assertEquals(0, presenter.trackCount(), "viewers publish nothing, so the presenter receives nothing");
        assertEquals(1, presenter.answers(), "viewers coming never made the presenter renegotiate");

        // A viewer whose offer sends is refused; its media carries on.
        DtlsCertificate other = DtlsCertificate.generate();
        MediaTestClient sender = MediaTestClient.join(vertx, port, other, "show", "sneaky", "viewer", 1, 1);
        media.add(sender);
        JsonObject refused = null;
        long until = System.currentTimeMillis() + 10_000;
        while (refused == null && System.currentTimeMillis() < until) {
            sender.pumpUntil(() -> false, 20);
            refused = sender.takeOther("error");
        }
        assertTrue(refused != null, "no error for a viewer's sending offer");
        assertEquals("not_allowed", refused.getString("code"), refused.encode());
        assertEquals(1L, refused.getLong("re"));
        assertTrue(refused.getString("message").contains("viewer"), refused.getString("message"));
        sender.ws.send(
                new JsonObject().put("type", "mute").put("audioMuted", false).put("id", 9));
        JsonObject muteRefused = null;
        until = System.currentTimeMillis() + 10_000;
        while (muteRefused == null && System.currentTimeMillis() < until) {
            sender.pumpUntil(() -> false, 20);
            muteRefused = sender.takeOther("error");
        }
        assertTrue(muteRefused != null, "no error for a viewer's mute");
        assertEquals("not_allowed", muteRefused.getString("code"));
        assertEquals(1, presenter.answers(), "nothing reached the presenter");
    }

    private static List<Integer> counts(List<JsonObject> messages) {
        return messages.stream()
                .filter(m -> "viewers".equals(m.getString("type")))
                .map(m -> m.getInteger("count"))
                .toList();
    }
}
