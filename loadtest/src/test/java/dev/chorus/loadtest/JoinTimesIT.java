package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.ChorusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join-time harness against a real server: one round of two pages. Every stage of both joins must be
 * timed, in the order a join goes through them, so the breakdown the README reports is one the harness can
 * really take of our web client.
 */
class JoinTimesIT {
    private ChorusServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = LoopbackTestServer.start(Map.of());
    }

    @AfterEach
    void stopServer() {
        LoopbackTestServer.stop(server);
    }

    @Test
    void everyStageOfEveryJoinIsTimedInOrder(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        String table;
        try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
            table = JoinTimes.run(URI.create("http://127.0.0.1:" + server.httpPort()), 1, 2, dir, out);
        }
        System.out.println(progress.toString(StandardCharsets.UTF_8));
        System.out.println(table);
        JsonNode r = new ObjectMapper().readTree(dir.resolve("join.json").toFile());
        JsonNode pages = r.path("rounds").path(0).path("pages");
        assertEquals(2, pages.size(), r.toString());
        for (JsonNode page : pages) {
            for (String stage : JoinTimes.STAGES) {
                assertTrue(page.path(stage).isNumber(), stage + " not timed: " + page);
            }
            String[] inOrder = {"joinSent", "joined", "offerSent", "answer", "iceConnected", "dtlsConnected"};
            for (int i = 1; i < inOrder.length; i++) {
                assertTrue(
                        page.path(inOrder[i - 1]).asDouble()
                                <= page.path(inOrder[i]).asDouble(),
                        inOrder[i - 1] + " after " + inOrder[i] + ": " + page);
            }
            assertTrue(page.path("firstRemoteFrame").asDouble()
                    <= page.path("allRemoteFrames").asDouble());
        }
        assertEquals(2, r.path("stages").path("firstRemoteFrame").path("pages").asInt());
        assertTrue(r.path("slowestPageFirstRemoteFrame").path("p50").asDouble() > 0, r.toString());
    }
}
