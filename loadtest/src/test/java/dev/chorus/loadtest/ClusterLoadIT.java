package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterLoad} end to end: three server jars in a cluster on loopback, one room of native bots spread over
 * them (two bots per node), all bots asking the first node and following its redirects. Every node must serve its
 * share and receive the others' publishers over the relay, the nodes with publishers must relay them, and the bots
 * must lose almost nothing across the relays.
 *
 * <p>Tagged as a benchmark, outside the suite, for the suite's time (three server JVMs and six bots, 40 s):
 * {@code mvn -pl loadtest -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClusterLoadIT
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dchorus.it.excludedGroups=none}. The suite's three-node checks are
 * SpanningRoomProcessTest and SpanningRoomBrowserIT.
 */
@Tag("benchmark")
class ClusterLoadIT {
    @Test
    void oneRoomOfBotsSpreadOverThreeNodesIsServedThroughTheRelays() throws Exception {
        Path jar = Path.of("..", "web", "target", "chorus-server.jar");
        assertTrue(Files.isRegularFile(jar), "the server jar is built before this module: " + jar.toAbsolutePath());
        Path report = Path.of("target", "cluster-load");
        ObjectNode out = ClusterLoad.run(
                jar,
                3,
                List.of(
                        "--publishers", "3",
                        "--subscribers", "3",
                        "--profile", "360p",
                        "--ramp-up", "2s",
                        "--duration", "10s",
                        "--report", report.toString()),
                System.err);
        System.out.println(out.get("summary").asText());
        assertEquals(2, out.get("roomParticipantsPerNode").asInt());
        int relaying = 0;
        for (JsonNode n : out.get("perNode")) {
            assertEquals(2, n.path("roomParticipants").asInt(), n.toString());
            // Publishers join first, so one node may have none of them: it only receives.
            relaying += n.path("relayPacketsSentPerSecond").asDouble() > 20 ? 1 : 0;
            assertTrue(n.path("relayPacketsReceivedPerSecond").asDouble() > 20, "receives the others: " + n);
            assertTrue(n.path("cpuCores").asDouble() > 0, n.toString());
        }
        assertTrue(relaying >= 2, "the nodes with publishers relay them: " + out);
        JsonNode result =
                new ObjectMapper().readTree(report.resolve("result.json").toFile());
        assertEquals(
                0,
                result.path("bots").path("failed").asInt(),
                result.path("bots").toString());
        assertEquals(
                6,
                result.path("bots").path("mediaConnected").asInt(),
                result.path("bots").toString());
        double loss = result.path("steady").path("loss").asDouble(1);
        assertTrue(loss < 0.01, "steady loss " + loss + ": " + result.path("steady"));
    }
}
