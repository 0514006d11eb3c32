package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.api.ApiTokens;
import dev.chorus.signaling.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room recording through the server API, end to end with a native publisher: the room is told, the files and the
 * manifest land under the data directory, and the errors are clear. (What is in the files is checked with ffprobe
 * on real browser media in web's RecordingBrowserIT; the native peer's VP8 is a header in front of filler.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class RecordingApiTest {

    @TempDir
    Path dataDir;

    private ChorusServer server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.api.key", ApiTokens.KEY);
        p.setProperty("chorus.api.secret", ApiTokens.SECRET);
        p.setProperty("chorus.data-dir", dataDir.toString());
        server = new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        port = server.httpPort();
    }

    @AfterEach
    void stopServer() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    private ServerApiTest.Reply call(String method, String path, JsonObject body) throws Exception {
        return ServerApiTest.call(
                port, method, "/api/v1" + path, body == null ? null : body.encode(), ApiTokens.valid());
    }

    private static JsonObject ok(ServerApiTest.Reply reply) {
        assertEquals(200, reply.status(), reply.body().encode());
        return reply.body();
    }

    @Test
    void aRoomIsRecordedIntoOneFilePerTrackWithAManifestAndEveryoneIsTold(Vertx vertx) throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        WsTestClient bob = WsTestClient.connect(vertx, port);
        try (MediaTestClient alice = MediaTestClient.join(vertx, port, cert, "lab", "Alice", 1, 1)) {
            assertTrue(alice.pumpUntil(() -> alice.peer.connected().isDone(), 20_000), "media connected");
            assertFalse(bob.join("lab", "Bob").getBoolean("recording"), "joined says the room is not recorded");

            JsonObject started = ok(call("POST", "/rooms/lab/recording", null));
            assertEquals("recording", started.getString("state"));
            String id = started.getString("recording");
            JsonObject told = bob.next("recording");
            assertTrue(told.getBoolean("active"));
            assertEquals(id, told.getString("recording"));
            assertEquals(
                    "recording_running",
                    call("POST", "/rooms/lab/recording", null).code());

            alice.pump(2500); // sender reports come about once a second, and the first frame waits for one
            ok(call("DELETE", "/rooms/lab/recording", null));
            assertFalse(bob.next("recording").getBoolean("active"));
            JsonObject state = ok(call("GET", "/rooms/lab/recording", null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!"stopped".equals(state.getString("state")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                state = ok(call("GET", "/rooms/lab/recording", null));
            }
            assertEquals("stopped", state.getString("state"), state.encode());
            assertEquals(
                    "recording_not_found",
                    call("DELETE", "/rooms/lab/recording", null).code(),
                    "none runs");

            Path dir = dataDir.resolve("recordings").resolve("lab").resolve(id);
            assertEquals(dir.toString(), state.getString("directory"));
            JsonObject manifest = new JsonObject(Files.readString(dir.resolve("manifest.json")));
            assertEquals("stopped", manifest.getString("state"));
            assertEquals(id, manifest.getString("recording"));
            JsonArray participants = manifest.getJsonArray("participants");
            assertEquals(1, participants.size());
            assertEquals(alice.id, participants.getJsonObject(0).getString("id"));
            JsonArray tracks = participants.getJsonObject(0).getJsonArray("tracks");
            assertEquals(2, tracks.size(), tracks.encode());
            for (int i = 0; i < tracks.size(); i++) {
                JsonObject t = tracks.getJsonObject(i);
                assertEquals("ended", t.getString("state"), t.encode());
                assertTrue(t.getLong("frames") >= 20, t.encode());
                assertTrue(
                        t.getDouble("startOffsetMillis") >= -100 && t.getDouble("startOffsetMillis") < 2500,
                        t.encode());
                assertEquals(0, t.getJsonObject("dropped").getLong("busy"));
                Path file = dir.resolve(t.getString("file"));
                // Headers, then at least one 4-byte block header and a payload per frame.
                assertTrue(Files.size(file) > 200 + 5 * t.getLong("frames"), file + " " + Files.size(file));
                // The EBML magic, and a Segment whose size was written at close.
                byte[] head = Files.readAllBytes(file);
                assertEquals(0x1A, head[0]);
                assertEquals(0x45, head[1]);
            }
        } finally {
            bob.close();
        }
    }

    @Test
    void badRecordingRequestsGetClearErrors(Vertx vertx) throws Exception {
        assertEquals(
                "room_not_found", call("POST", "/rooms/nowhere/recording", null).code());
        WsTestClient bob = WsTestClient.connect(vertx, port);
        try {
            bob.join("lab", "Bob");
            assertEquals(
                    "recording_not_found",
                    call("GET", "/rooms/lab/recording", null).code());
            assertEquals(
                    "recording_not_found",
                    call("DELETE", "/rooms/lab/recording", null).code());
            assertEquals(
                    "invalid_field",
                    call("POST", "/rooms/lab/recording", new JsonObject().put("dir", "/etc"))
                            .code());
            // A room without media yet can be recorded: its tracks join the recording as they are published.
            JsonObject started = ok(call("POST", "/rooms/lab/recording", new JsonObject()));
            assertTrue(bob.next("recording").getBoolean("active"));
            assertEquals(0, started.getJsonArray("participants").size());
            // The room ends: its recording stops with it.
            ok(call("DELETE", "/rooms/lab", null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            JsonObject manifest = null;
            Path file = dataDir.resolve("recordings/lab")
                    .resolve(started.getString("recording"))
                    .resolve("manifest.json");
            while (System.nanoTime() < deadline) {
                manifest = new JsonObject(Files.readString(file));
                if ("stopped".equals(manifest.getString("state"))) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals("stopped", manifest.getString("state"));
        } finally {
            bob.close();
        }
    }

    @Test
    void aMemberWithTheRecordPermissionStartsAndStopsTheRecordingBySignaling(Vertx vertx) throws Exception {
        WsTestClient ada = WsTestClient.connect(vertx, port);
        WsTestClient bob = WsTestClient.connect(vertx, port);
        try {
            ada.join("lab", "Ada");
            String bobId = bob.join("lab", "Bob").getJsonObject("you").getString("id");
            bob.send(new JsonObject().put("type", "record").put("id", 1).put("active", true));
            assertEquals("permission_denied", bob.nextError("permission_denied").getString("code"));
            bob.send(new JsonObject().put("type", "record").put("id", 2));
            assertEquals("active", bob.nextError("invalid_field").getString("field"));

            ok(call(
                    "PATCH",
                    "/rooms/lab/participants/" + bobId + "/permissions",
                    new JsonObject().put("record", true)));
            bob.next("permissions");
            bob.send(new JsonObject().put("type", "record").put("id", 3).put("active", true));
            JsonObject answer = bob.next("recording");
            assertEquals(3, answer.getInteger("re"));
            assertTrue(answer.getBoolean("active"));
            JsonObject told = skipTo(ada, "recording");
            assertTrue(told.getBoolean("active"));
            assertNull(told.getValue("re"));
            assertEquals(answer.getString("recording"), told.getString("recording"));
            assertEquals(
                    "recording", ok(call("GET", "/rooms/lab/recording", null)).getString("state"));

            bob.send(new JsonObject().put("type", "record").put("id", 4).put("active", true));
            assertEquals(4, bob.nextError("recording_running").getInteger("re"));
            bob.send(new JsonObject().put("type", "record").put("id", 5).put("active", false));
            assertFalse(bob.next("recording").getBoolean("active"));
            assertFalse(skipTo(ada, "recording").getBoolean("active"));
            bob.send(new JsonObject().put("type", "record").put("id", 6).put("active", false));
            assertEquals(6, bob.nextError("not_recording").getInteger("re"));
        } finally {
            ada.close();
            bob.close();
        }
    }

    /** The next message of {@code type}, past others (joins, permission updates). */
    private static JsonObject skipTo(WsTestClient client, String type) {
        for (int i = 0; i < 20; i++) {
            JsonObject m = client.next();
            if (type.equals(m.getString("type"))) {
                return m;
            }
        }
        throw new AssertionError("no " + type);
    }
}
