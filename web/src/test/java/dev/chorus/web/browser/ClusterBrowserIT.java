package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two servers in one cluster (chorus.cluster, in this JVM) and the real web client: a deep link to the node that
 * does not serve the room ends on the node that does (the page follows "redirect" with its name and link options)
 * and the two pages meet there, with video.
 */
class ClusterBrowserIT {

    @Test
    void aDeepLinkToTheOtherNodeFollowsTheRedirectAndMeetsTheRoom() throws Exception {
        int clusterA = freePort();
        int clusterB = freePort();
        List<String> members = List.of("127.0.0.1:" + clusterA, "127.0.0.1:" + clusterB);
        try (TestServer a = TestServer.start(cluster("a", clusterA, members));
                TestServer b = TestServer.start(cluster("b", clusterB, members))) {
            awaitNodes(a, 2);
            awaitNodes(b, 2);
            Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
            List<RoomPage> pages = new ArrayList<>();
            try {
                RoomPage ada = RoomPage.openIn(browser, a.url("/r/hall?name=Ada"));
                pages.add(ada);
                ada.awaitState("joined");
                // Equal loads: the room usually stays where Ada asked, unless the other node's CPU was clearly lower.
                TestServer serving = ((String) ada.script("return location.origin")).equals(origin(a)) ? a : b;
                TestServer other = serving == a ? b : a;
                String servingId = serving == a ? "a" : "b";
                awaitParticipantsOn(other, servingId, 1);

                RoomPage bob = RoomPage.openIn(browser, other.url("/r/hall?name=Bob&publish=0"));
                pages.add(bob);
                bob.awaitState("joined");
                String bobUrl = (String) bob.script("return location.href");
                assertTrue(bobUrl.startsWith(serving.url("/r/hall?")), bobUrl);
                assertTrue(bobUrl.contains("name=Bob") && bobUrl.contains("publish=0"), bobUrl);
                assertTrue(bobUrl.contains("redirects=1"), bobUrl);
                assertEquals(Boolean.TRUE, bob.script("return window.chorus.receiveOnly"), "publish=0 kept");
                bob.awaitParticipants(List.of("Ada", "Bob"));
                bob.awaitInbound(List.of(ada.selfId()), "video", "camera", Duration.ofSeconds(30));
                JsonNode cluster = other.debug().path("signaling").path("cluster");
                assertTrue(cluster.path("redirected").asLong() >= 1, cluster.toString());
            } finally {
                pages.forEach(p -> p.screenshot("cluster-" + pages.indexOf(p)));
                pages.forEach(RoomPage::close);
                browser.quit();
            }
        }
    }

    private static Map<String, String> cluster(String id, int port, List<String> members) {
        // A list from properties is written with indexes (members.0, members.1).
        return Map.of(
                "chorus.cluster.enabled",
                "true",
                "chorus.cluster.node-id",
                id,
                "chorus.cluster.name",
                "chorus-it-" + ProcessHandle.current().pid(),
                "chorus.cluster.port",
                String.valueOf(port),
                "chorus.cluster.members.0",
                members.get(0),
                "chorus.cluster.members.1",
                members.get(1),
                "chorus.cluster.heartbeat-interval",
                "500ms",
                "chorus.cluster.entry-ttl",
                "2s");
    }

    private static String origin(TestServer s) {
        return s.url("");
    }

    private static void awaitNodes(TestServer s, int nodes) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (s.debug().path("signaling").path("cluster").path("nodes").size() != nodes) {
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    s.debug().path("signaling").toString());
            Thread.sleep(100);
        }
    }

    private static void awaitParticipantsOn(TestServer viewer, String node, int participants) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            for (JsonNode n : viewer.debug().path("signaling").path("cluster").path("nodes")) {
                if (node.equals(n.path("id").asText()) && n.path("participants").asInt() == participants) {
                    return;
                }
            }
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    viewer.debug().path("signaling").toString());
            Thread.sleep(100);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
