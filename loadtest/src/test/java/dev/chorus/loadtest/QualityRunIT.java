package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.ChorusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's quality mode end to end, kept short: a real server on loopback announcing the proxy's port as its
 * candidate, one loss level (5 %, 50 ms), a few seconds of a two-party Chromium call through the in-process
 * impairment proxy. Checks that both pages decoded each other's video, that the proxy dropped packets on
 * their flows, that NACKs were sent and answered, that the report files hold the figures and that no browser
 * process is left.
 */
class QualityRunIT {
    private ChorusServer server;
    private int proxyPort;

    @BeforeEach
    void startServer() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            proxyPort = probe.getLocalPort(); // free now; the run binds it again moments later
        }
        server = LoopbackTestServer.start(Map.of(
                "chorus.media.public-address",
                "127.0.0.1",
                "chorus.media.public-port",
                Integer.toString(proxyPort),
                "chorus.media.tcp-port",
                "-1")); // no way round the proxy
    }

    @AfterEach
    void stopServer() {
        LoopbackTestServer.stop(server);
    }

    @Test
    void oneLevelTwoPartyCallThroughTheProxy(@TempDir Path dir) throws Exception {
        LoadTestConfig config = LoadTestConfig.parse(
                "--quality",
                "--server",
                "http://127.0.0.1:" + server.httpPort(),
                "--loss-levels",
                "5",
                "--red",
                "on", // one call: RED offered (the default runs each level twice, without then with)
                "--delay",
                "50ms",
                "--duration",
                "8s",
                "--media-target",
                "127.0.0.1:" + server.mediaPort(),
                "--proxy-port",
                Integer.toString(proxyPort),
                "--report",
                dir.toString());
        ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
        String summary;
        try (PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8)) {
            summary = LoadTestMain.execute(config, progress);
        }
        String progress = progressBytes.toString(StandardCharsets.UTF_8);
        System.out.println(progress);
        System.out.println(summary);
        assertTrue(summary.startsWith("loss=5% red min_fps="), summary);

        JsonNode r = new ObjectMapper().readTree(dir.resolve("quality.json").toFile());
        assertEquals(50, r.path("config").path("delayMillisEachWay").asLong());
        JsonNode levels = r.path("levels");
        assertEquals(1, levels.size(), levels.toString());
        JsonNode level = levels.path(0);
        assertEquals(5.0, level.path("lossPercent").asDouble());
        assertTrue(level.path("red").asBoolean(), level.toString());
        List<String> receivers = new ArrayList<>();
        long nacks = 0;
        long sfuNacks = 0;
        long retransmitted = 0;
        for (JsonNode x : level.path("receivers")) {
            receivers.add(x.path("receiver").asText() + "<-" + x.path("from").asText());
            assertFalse(x.has("failure"), x.toString());
            assertTrue(x.path("seconds").asDouble() >= 7, x.toString());
            // Video kept decoding through the loss (the fake camera runs at up to 30 fps).
            double fps = x.path("framesDecodedPerSecond").asDouble();
            assertTrue(fps > 3 && fps < 61, "decode rate " + fps + ": " + x);
            assertTrue(x.path("senderFramesEncodedPerSecond").asDouble() > 3, x.toString());
            // The proxy impaired this page's downlink and the sender's uplink.
            assertTrue(x.path("proxyDroppedToReceiver").asLong() > 0, x.toString());
            assertTrue(x.path("proxyDroppedFromSender").asLong() > 0, x.toString());
            assertTrue(x.path("audioPacketsReceived").asLong() > 100, x.toString());
            // The audio lost after recovery is measured (what the decoder concealed).
            assertTrue(
                    x.path("audioSamples").asLong() > 0
                            && x.path("audioConcealedPercent").isNumber(),
                    x.toString());
            assertTrue(x.has("videoRetransmittedPacketsReceived") && x.has("sfuNackMisses"), x.toString());
            nacks += x.path("nackCount").asLong();
            sfuNacks += x.path("sfuNacksReceived").asLong();
            retransmitted += x.path("sfuRetransmitted").asLong();
        }
        assertEquals(List.of("a<-b", "b<-a"), receivers.stream().sorted().toList());
        // Over both directions of the call, the browsers NACKed and the SFU answered.
        assertTrue(nacks > 0, "no NACK from either page: " + level);
        assertTrue(sfuNacks > 0, "the SFU saw no NACK: " + level);
        assertTrue(retransmitted > 0, "the SFU retransmitted nothing: " + level);
        assertTrue(
                level.path("server").path("retransmittedPackets").asDouble() > 0,
                level.path("server").toString());
        assertTrue(
                level.path("proxyAtEnd").path("flows").isArray(),
                level.path("proxyAtEnd").toString());

        String md = Files.readString(dir.resolve("quality.md"));
        assertTrue(md.contains("| loss | RED | receiver | fps (sent) | freezes |"), md);
        assertTrue(md.contains("| 5 % | yes | a ← b |") && md.contains("| 5 % | yes | b ← a |"), md);
        assertTrue(progress.contains("level 5.00 %"), progress);

        // The browsers are gone: no chromium or chromedriver left among this JVM's children.
        long left = ProcessHandle.current()
                .descendants()
                .filter(h -> h.info().command().map(c -> c.contains("chrom")).orElse(false))
                .count();
        assertEquals(0, left, "browser processes left after the run");
    }
}
