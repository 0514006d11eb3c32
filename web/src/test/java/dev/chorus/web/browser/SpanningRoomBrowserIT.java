package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One room across three server jars, each its own process, rooms spanning nodes after one participant per node: three
 * Chromium pages all open the deep link of the same node, land on three nodes (the first stays, the others are
 * redirected), and each sees and hears the other two, whose media reaches its node over the relay between nodes.
 * Prints the relay traffic each node sent.
 */
class SpanningRoomBrowserIT {
    private static final Duration MEDIA_WITHIN = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pagesOnThreeNodesOfOneRoomSeeAndHearEachOther() throws Exception {
        int[] clusterPorts = {freePort(), freePort(), freePort()};
        String members =
                "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2];
        Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        List<RoomPage> pages = new ArrayList<>();
        try (ServerProcess a =
                        ServerProcess.launch(node("a", clusterPorts[0], members), Path.of("target", "span-a.log"));
                ServerProcess b =
                        ServerProcess.launch(node("b", clusterPorts[1], members), Path.of("target", "span-b.log"));
                ServerProcess c =
                        ServerProcess.launch(node("c", clusterPorts[2], members), Path.of("target", "span-c.log"))) {
            List<ServerProcess> nodes = List.of(a, b, c);
            for (ServerProcess s : nodes) {
                s.awaitHealthy();
            }
            for (ServerProcess s : nodes) {
                awaitCluster(s, cluster -> cluster.path("nodes").size() == 3);
            }
            try {
                String entry = a.base();
                for (String name : List.of("Ann", "Ben", "Cat")) {
                    RoomPage page = RoomPage.openIn(browser, entry + "/r/span?name=" + name);
                    pages.add(page);
                    page.awaitState("joined");
                    entry = origin(pages.get(0));
                    // Every node must know where the room's members are before the next one asks.
                    int joinedSoFar = pages.size();
                    for (ServerProcess s : nodes) {
                        awaitCluster(s, cluster -> inRoom(cluster, "span") == joinedSoFar);
                    }
                }
                Set<String> origins = new HashSet<>();
                pages.forEach(p -> origins.add(origin(p)));
                assertEquals(3, origins.size(), "one page per node: " + origins);

                long mediaStart = System.nanoTime();
                for (RoomPage p : pages) {
                    List<String> others = pages.stream()
                            .filter(o -> o != p)
                            .map(RoomPage::selfId)
                            .toList();
                    p.awaitInbound(others, "video", "camera", MEDIA_WITHIN);
                    p.awaitInbound(others, "audio", "mic", MEDIA_WITHIN);
                }
                long mediaMs = (System.nanoTime() - mediaStart) / 1_000_000;
                Thread.sleep(3000);
                StringBuilder relays = new StringBuilder();
                for (ServerProcess s : nodes) {
                    JsonNode relay = debug(s).path("media").path("relay");
                    long sent = 0;
                    for (JsonNode link : relay.path("links")) {
                        sent += link.path("packetsSent").asLong();
                    }
                    assertTrue(sent > 0, "every node relays its page's media: " + relay);
                    assertTrue(relay.path("packetsReceived").asLong() > 0, relay.toString());
                    assertEquals(0, relay.path("droppedUnknownSource").asLong(), relay.toString());
                    relays.append(String.format(
                            " %s sent %d, received %d;",
                            s.base(), sent, relay.path("packetsReceived").asLong()));
                }
                System.out.printf(
                        "spanning room in browsers: 3 pages on 3 nodes see and hear each other %d ms after the last"
                                + " joined; relay packets:%s%n",
                        mediaMs, relays);
            } catch (Throwable t) {
                TestOutcome.markFailed();
                for (int i = 0; i < pages.size(); i++) {
                    pages.get(i).screenshot("spanning-room-" + i);
                }
                throw t;
            } finally {
                pages.forEach(RoomPage::close);
            }
        } finally {
            browser.quit();
        }
    }

    private static String origin(RoomPage page) {
        return (String) page.script("return location.origin");
    }

    /** Participants of {@code room} all nodes have together, as this node last read their entries. */
    private static int inRoom(JsonNode cluster, String room) {
        int n = 0;
        for (JsonNode node : cluster.path("nodes")) {
            n += node.path("roomParticipants").path(room).asInt(0);
        }
        return n;
    }

    private static Map<String, String> node(String id, int clusterPort, String members) {
        return Map.of(
                "CHORUS_CLUSTER_ENABLED",
                "true",
                "CHORUS_CLUSTER_NODE_ID",
                id,
                "CHORUS_CLUSTER_NAME",
                "chorus-span-" + ProcessHandle.current().pid(),
                "CHORUS_CLUSTER_PORT",
                String.valueOf(clusterPort),
                "CHORUS_CLUSTER_MEMBERS",
                members,
                "CHORUS_CLUSTER_HEARTBEAT_INTERVAL",
                "500ms",
                "CHORUS_CLUSTER_ENTRY_TTL",
                "2s",
                "CHORUS_CLUSTER_ROOM_PARTICIPANTS_PER_NODE",
                "1");
    }

    private static JsonNode debug(ServerProcess s) throws Exception {
        return JSON.readTree(ServerProcess.get(s.base() + "/debug", Duration.ofSeconds(10)));
    }

    private static void awaitCluster(ServerProcess s, java.util.function.Predicate<JsonNode> condition)
            throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            JsonNode cluster = debug(s).path("signaling").path("cluster");
            if (condition.test(cluster)) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, cluster.toString());
            Thread.sleep(100);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
