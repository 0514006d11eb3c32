package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.ChorusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's Chromium path end to end, through the shaded jar: a real server on loopback (signaling, SFU and
 * the web client's pages), one room with one publishing page and two receive-only pages in one headless
 * Chromium, about 12 s of steady state. Checks that each subscriber decoded the publisher's video at a plausible rate, that the
 * subscribers published nothing, that the report files hold the data, and that no browser process is left.
 */
class ChromiumBotsIT {
    private ChorusServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = LoopbackTestServer.start(Map.of());
    }

    @AfterEach
    void stopServer() {
        LoopbackTestServer.stop(server);
    }

    /**
     * Through the shaded jar, as a user runs it ({@code java -jar chorus-loadtest.jar --bots chromium}): the jar
     * carries the driver stack. One run serves every check (a second browser run of its own cost the suite 16 s).
     */
    @Test
    void shadedJarRunsOnePublisherAndTwoReceiveOnlyPages(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "chorus-loadtest.jar");
        assertTrue(Files.isRegularFile(jar), "package the module first: " + jar.toAbsolutePath());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-jar",
                        jar.toString(),
                        "--server",
                        "http://127.0.0.1:" + server.httpPort(),
                        "--bots",
                        "chromium",
                        "--publishers",
                        "1",
                        "--subscribers",
                        "2",
                        "--pages-per-browser",
                        "3",
                        "--duration",
                        "12s",
                        "--ramp-up",
                        "0s",
                        "--server-pid",
                        Long.toString(ProcessHandle.current().pid()), // the server runs in this JVM
                        "--report",
                        dir.toString())
                .redirectError(dir.resolve("progress.txt").toFile())
                .redirectOutput(dir.resolve("summary.txt").toFile())
                .start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the CLI did not stop by itself");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String progress = Files.readString(dir.resolve("progress.txt"));
        String summary = Files.readString(dir.resolve("summary.txt")).trim();
        System.out.println(progress);
        System.out.println(summary);
        assertEquals(0, p.exitValue(), progress);
        assertTrue(
                summary.matches("forwarded_pps=\\d+ server_cpu_cores=[0-9.]+ forwarded_pps_per_core=\\d+"
                        + " loss=[0-9.]+% p99_latency_ms=[0-9.]+ latency_figure=video_jitter_buffer_delay .*"),
                summary);
        assertTrue(summary.endsWith("pages=3/3"), summary);
        assertTrue(progress.contains("steady] pages 3/3 connected"), progress);

        JsonNode r = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
        assertEquals("chromium", r.path("config").path("bots").asText());
        assertTrue(
                r.path("steady").path("serverForwardedPps").asDouble() > 50,
                r.path("steady").toString());
        assertTrue(
                r.path("steady").path("seconds").asDouble() >= 10,
                r.path("steady").toString());
        // The server's CPU per packet the pages received. The server runs in this JVM, so the figure also
        // counts the test harness and the JIT: hundreds of microseconds, 2,025 once on a loaded machine (10 %
        // of the packets lost, 100 packets/s). NaN (no CPU reading, no packets), 0 or tens of thousands would
        // mean the figure is broken.
        double perPacket =
                r.path("steady").path("serverCpuMicrosPerReceivedPacket").asDouble(Double.NaN);
        assertTrue(perPacket > 0.1 && perPacket < 20_000, r.path("steady").toString());
        assertTrue(summary.contains(" server_cpu_us_per_received_packet="), summary);

        int subscribersSeen = 0;
        for (JsonNode page : r.path("pages")) {
            String name = page.path("name").asText();
            assertEquals("connected", page.path("connectionState").asText(), page.toString());
            assertFalse(page.has("failure"), page.toString());
            if (page.path("role").asText().equals("subscriber")) {
                subscribersSeen++;
                assertEquals(0, page.path("packetsSent").asLong(), "receive-only pages publish nothing: " + page);
                assertEquals(1, page.path("receivedVideoStreams").asInt(), page.toString());
            } else {
                assertTrue(page.path("packetsSent").asLong() > 100, page.toString());
                assertTrue(page.path("framesEncoded").asLong() > 50, page.toString());
            }
            assertTrue(name.startsWith("pub-") || name.startsWith("sub-"), name);
        }
        assertEquals(2, subscribersSeen);

        List<String> checked = new ArrayList<>();
        for (JsonNode s : r.path("streams")) {
            if (!s.path("role").asText().equals("subscriber")) {
                continue;
            }
            assertEquals("pub-0-0", s.path("from").asText(), s.toString());
            assertTrue(s.path("packetsReceived").asLong() > 100, s.toString());
            if (s.path("kind").asText().equals("video")) {
                // The fake camera runs at up to 30 fps; on a loaded 2-core machine it may drop, never to zero.
                double fps = s.path("framesDecodedPerSecond").asDouble();
                assertTrue(fps > 3 && fps < 61, "implausible decode rate " + fps + ": " + s);
                assertTrue(s.path("framesDecodedTotal").asLong() > 30, s.toString());
                double join = s.path("joinToFirstFrameMs").asDouble();
                assertTrue(join > 0 && join < 15_000, "join to first frame " + join + ": " + s);
                assertTrue(s.has("freezes") && s.has("jitterBufferDelayMs"), s.toString());
                checked.add(s.path("page").asText());
            }
        }
        assertEquals(List.of("sub-0-0", "sub-0-1"), checked.stream().sorted().toList());
        assertEquals(
                2,
                r.path("joinToFirstFrameMs").path("count").asInt(),
                r.path("joinToFirstFrameMs").toString());

        JsonNode series = r.path("series");
        assertTrue(series.size() >= 12, "one sample a second: " + series.size());
        double maxFrames = 0;
        double maxForwarded = 0;
        for (JsonNode s : series) {
            maxFrames = Math.max(maxFrames, s.path("framesDecodedPerSecond").asDouble());
            maxForwarded = Math.max(maxForwarded, s.path("serverForwardedPps").asDouble());
        }
        assertTrue(maxFrames > 6, "frames decoded/s in the series: " + maxFrames);
        assertTrue(maxForwarded > 50, "server forwarded pps in the series: " + maxForwarded);

        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("Frames decoded per second"), "html has the frames chart");
        assertTrue(html.contains("Video freezes"), "html has the freezes chart");
        assertTrue(html.contains("Server CPU (cores)"), "html keeps the server charts");
        assertTrue(html.contains("<td>sub-0-1</td><td>pub-0-0</td>"), "html has the per-stream table");
        assertFalse(html.contains("<script"), "self-contained, no scripts");

        for (JsonNode b : r.path("browsers")) {
            assertTrue(b.path("pids").size() >= 2, "chromedriver and chromium pids recorded: " + b);
            for (JsonNode pid : b.path("pids")) {
                assertFalse(
                        ProcessHandle.of(pid.asLong())
                                .map(ProcessHandle::isAlive)
                                .orElse(false),
                        "browser process " + pid + " still running after the run");
            }
        }
    }
}
