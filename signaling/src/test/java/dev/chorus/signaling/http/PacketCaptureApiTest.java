package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.api.ApiTokens;
import dev.chorus.signaling.config.ConfigLoader;
import dev.chorus.testkit.capture.PcapFile;
import dev.chorus.testkit.peer.SendLayer;
import dev.chorus.testkit.peer.SendStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packet captures through the server API, end to end: a native peer publishes through a real server, the API
 * captures what it sends, and the downloaded pcap holds its decrypted RTP (by its SSRCs) and RTCP.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class PacketCaptureApiTest {

    @TempDir
    Path dataDir;

    private ChorusServer server;
    private int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.setProperty("chorus.api.key", ApiTokens.KEY);
        p.setProperty("chorus.api.secret", ApiTokens.SECRET);
        p.setProperty("chorus.api.capture-max-time", "30s");
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

    private HttpResponse<byte[]> download(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + ApiTokens.valid())
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aParticipantsDecryptedPacketsAreCapturedAndDownloadedAsPcap(Vertx vertx) throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        try (MediaTestClient alice = MediaTestClient.join(vertx, port, cert, "lab", "Alice", 1, 1)) {
            assertTrue(alice.pumpUntil(() -> alice.peer.connected().isDone(), 20_000), "media connected");
            String path = "/rooms/lab/participants/" + alice.id + "/capture";

            JsonObject started = ok(call("POST", path, new JsonObject().put("seconds", 20)));
            assertEquals("running", started.getString("state"));
            assertEquals(20, started.getInteger("maxSeconds"));
            String name = started.getString("name");
            assertTrue(name.startsWith("lab_" + alice.id + "_") && name.endsWith(".pcap"), name);
            assertEquals("/api/v1/captures/" + name, started.getString("download"));
            assertEquals("capture_running", call("POST", path, null).code());

            alice.pump(1500); // 50 audio packets/s and 50 video frames/s
            assertTrue(alice.peer.sendReceiverReport());
            alice.pump(200);
            JsonObject stopped = ok(call("DELETE", path, null));
            assertEquals(name, stopped.getString("name"));
            JsonObject state = stopped;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!"ended".equals(state.getString("state")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                state = ok(call("GET", path, null));
            }
            assertEquals("ended", state.getString("state"), state.encode());
            assertEquals("STOPPED", state.getString("end"));
            assertEquals(0, state.getLong("droppedBusy"));
            assertEquals("capture_not_found", call("DELETE", path, null).code(), "none runs now");

            HttpResponse<byte[]> file = download(started.getString("download"));
            assertEquals(200, file.statusCode());
            assertEquals(
                    "application/vnd.tcpdump.pcap",
                    file.headers().firstValue("content-type").orElse(""));
            assertTrue(Files.exists(dataDir.resolve("captures").resolve(name)));

            List<PcapFile.Packet> packets = PcapFile.read(file.body());
            Map<Long, Integer> rtpBySsrc = new HashMap<>();
            int rtcp = 0;
            for (PcapFile.Packet packet : packets) {
                if (packet.isRtcp()) {
                    rtcp++;
                } else {
                    rtpBySsrc.merge(packet.ssrc(), 1, Integer::sum);
                }
            }
            int records = packets.size();
            assertEquals(state.getLong("packets"), records, "every packet taken is in the file");
            Set<Long> sent = alice.peer.sendStreams().stream()
                    .map(SendStream::layers)
                    .flatMap(l -> l.stream().map(SendLayer::ssrc))
                    .collect(Collectors.toSet());
            assertEquals(sent, rtpBySsrc.keySet(), "RTP of both of Alice's streams, decrypted");
            for (int n : rtpBySsrc.values()) {
                assertTrue(n >= 40, "about 1.5 s of a stream: " + rtpBySsrc);
            }
            assertTrue(rtcp >= 1, "her receiver report");
        }
    }

    @Test
    void badCaptureRequestsGetClearErrors(Vertx vertx) throws Exception {
        WsTestClient bob = WsTestClient.connect(vertx, port);
        try {
            JsonObject joined = bob.join("lab", "Bob");
            String path =
                    "/rooms/lab/participants/" + joined.getJsonObject("you").getString("id") + "/capture";
            assertEquals("no_media", call("POST", path, null).code(), "no offer yet");
            assertEquals("capture_not_found", call("GET", path, null).code());
            assertEquals(
                    "invalid_field",
                    call("POST", path, new JsonObject().put("seconds", 0)).code());
            assertEquals(
                    "invalid_field",
                    call("POST", path, new JsonObject().put("seconds", 31)).code(),
                    "over the max");
            assertEquals(
                    "invalid_field",
                    call("POST", path, new JsonObject().put("file", "/etc/passwd"))
                            .code());
            assertEquals(
                    "participant_not_found",
                    call("POST", "/rooms/lab/participants/nobody/capture", null).code());
            assertEquals(
                    "room_not_found",
                    call("POST", "/rooms/nowhere/participants/x/capture", null).code());
            assertEquals(404, download("/api/v1/captures/nothing.pcap").statusCode());
            assertEquals(
                    404, download("/api/v1/captures/..%2F..%2Fetc%2Fpasswd").statusCode());
            assertEquals(404, download("/api/v1/captures/notes.txt").statusCode());
            assertEquals(
                    401,
                    http.send(
                                    HttpRequest.newBuilder(URI.create(
                                                    "http://127.0.0.1:" + port + "/api/v1/captures/nothing.pcap"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode(),
                    "no token, no file");
        } finally {
            bob.close();
        }
    }
}
