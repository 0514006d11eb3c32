package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.ChorusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 30-participant meeting of native bots against a real server on loopback: ten publish camera (three
 * simulcast layers, 640x360 at the top) and microphone, twenty only watch (a meeting where everybody
 * publishes is, at 30, more than one machine can generate and serve alongside: see the README), everyone
 * shows every video at 320x180 and asks for at most six videos (last-N), and the publishers take turns
 * speaking, three seconds each, the previous talker going on quietly and everyone else silent (DTX). Checks
 * what large rooms promise:
 * <ul>
 *   <li>each bot receives at most six videos at once, and does get six;</li>
 *   <li>the server's dominant speaker follows the loudest bot within a second;</li>
 *   <li>the top layer, which no 320x180 tile needs, is turned off at every publisher (dynacast), the lowest
 *       at none.</li>
 * </ul>
 * The report goes to target/large-room/result.json.
 */
class LargeRoomIT {
    private static final int PARTICIPANTS = 30;
    private static final int PUBLISHERS = 10;
    private static final int LAST_N = 6;

    private ChorusServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = LoopbackTestServer.start(Map.of());
    }

    @AfterEach
    void stopServer() {
        LoopbackTestServer.stop(server);
    }

    /** What the SFU saw at the end (producers' layers, consumers' selections), for a failure's post-mortem. */
    private void saveDebug(Path file) {
        try {
            HttpResponse<Path> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/debug"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofFile(file));
            System.out.println("/debug: HTTP " + r.statusCode() + " -> " + file.toAbsolutePath());
        } catch (Exception e) {
            System.out.println("could not save /debug: " + e);
        }
    }

    @Test
    void thirtyParticipantsWithLastNSpeakersAndDynacast(@TempDir Path dir) throws Exception {
        LoadTestConfig config = LoadTestConfig.parse(
                "--server",
                "http://127.0.0.1:" + server.httpPort(),
                "--publishers",
                Integer.toString(PUBLISHERS),
                "--subscribers",
                Integer.toString(PARTICIPANTS - PUBLISHERS),
                "--simulcast",
                "--view",
                "320x180",
                "--last-n",
                Integer.toString(LAST_N),
                "--speech",
                "3s",
                "--ramp-up",
                "6s",
                "--duration",
                // From the start of the ramp-up, 27 s: the room settled at 10 s here (at most 16 s still leaves
                // the three turns checked below; 25 s gave six where three are asked for).
                "21s",
                "--server-pid",
                Long.toString(ProcessHandle.current().pid()),
                "--report",
                dir.toString());
        ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
        String summary;
        try (PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8)) {
            summary = LoadTestMain.execute(config, progress);
        }
        System.out.println(progressBytes.toString(StandardCharsets.UTF_8));
        System.out.println(summary);
        Path kept = Path.of("target", "large-room", "result.json");
        Files.createDirectories(kept.getParent());
        Files.copy(dir.resolve("result.json"), kept, StandardCopyOption.REPLACE_EXISTING);
        saveDebug(kept.resolveSibling("debug.json"));

        JsonNode r = new ObjectMapper().readTree(kept.toFile());
        JsonNode bots = r.path("bots");
        assertEquals(PARTICIPANTS, bots.path("mediaConnected").asInt(), bots.toString());
        assertEquals(
                PUBLISHERS,
                bots.path("simulcast").path("publishersWhoseLayersWereAccepted").asInt(),
                bots.path("simulcast").toString());

        JsonNode videos = r.path("largeRoom").path("videosReceivedAtOnce");
        assertTrue(videos.path("seconds").asInt() >= 8, videos.toString());
        assertEquals(PARTICIPANTS, videos.path("bots").asInt(), videos.toString());
        assertTrue(videos.path("maxAtFullRate").asInt() <= LAST_N, "last-N: " + videos);
        assertEquals(LAST_N, videos.path("p50AtFullRate").asInt(), "most bots get their six videos: " + videos);

        JsonNode speaker = r.path("largeRoom").path("speaker");
        assertTrue(
                speaker.path("turns").size() >= 3,
                "the room settled (every bot joined, media on time) at "
                        + r.path("largeRoom").path("settledAtSeconds") + " s, leaving too few turns: " + speaker);
        for (JsonNode turn : speaker.path("turns")) {
            assertTrue(turn.path("heard").asInt() >= PARTICIPANTS - 2, "nearly everyone heard the talker: " + turn);
            assertTrue(turn.path("p50Ms").asDouble() <= 1000, "the speaker follows within a second: " + turn);
        }

        JsonNode off = r.path("largeRoom").path("dynacast").path("publishersWithLayerOffAtEnd");
        assertEquals(PUBLISHERS, off.path("h").asInt(), "no 320x180 tile needs the top layer: " + off);
        assertEquals(0, off.path("l").asInt(), "the lowest layer always stays on: " + off);
    }
}
