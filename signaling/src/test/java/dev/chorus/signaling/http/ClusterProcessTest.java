package dev.chorus.signaling.http;

import static dev.chorus.signaling.http.ClusterDebug.awaitCluster;
import static dev.chorus.signaling.http.ClusterDebug.clusterOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two servers, each its own JVM on loopback, in one cluster (chorus.cluster, Hazelcast members listed statically):
 * they see each other; a join is served on the node that serves its room and redirected there from the other; a
 * new room goes to the less loaded node; and when a node is killed, its room is served again on the survivor
 * once the dead node's entries expire.
 */
@ExtendWith(VertxExtension.class)
class ClusterProcessTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void joinsGoToTheNodeOfTheirRoomNewRoomsToTheLeastLoadedAndADeadNodesRoomsMoveOn(Vertx vertx) throws Exception {
        int clusterA = ServerProcess.freePort();
        int clusterB = ServerProcess.freePort();
        String members = "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB;
        try (ServerProcess a = ServerProcess.start("node-a", node("a", clusterA, members));
                ServerProcess b = ServerProcess.start("node-b", node("b", clusterB, members))) {
            a.awaitReady();
            b.awaitReady();
            long formedAt = System.nanoTime();
            awaitCluster(a, c -> c.getJsonArray("nodes").size() == 2);
            awaitCluster(b, c -> c.getJsonArray("nodes").size() == 2);
            System.out.printf(
                    "cluster: both nodes see each other %d ms after both were ready%n",
                    (System.nanoTime() - formedAt) / 1_000_000);

            // Nobody serves "standup": it goes to one of the two (both empty: the one the join reached, unless
            // the other's CPU is clearly lower); that node serves it, the other redirects there.
            Map<String, ServerProcess> byId = Map.of("a", a, "b", b);
            WsTestClient ada = connect(vertx, a.httpPort);
            JsonObject first = join(ada, "standup", "Ada");
            ServerProcess serving = a;
            if ("redirect".equals(first.getString("type"))) {
                serving = byId.get(first.getString("node"));
                assertEquals(b, serving, first.encode());
                ada = connect(vertx, serving.httpPort);
                first = join(ada, "standup", "Ada");
            }
            assertEquals("joined", first.getString("type"), first.encode());
            ServerProcess other = serving == a ? b : a;
            String servingId = serving == a ? "a" : "b";
            // Once the serving node's load (1 participant) is published, the other knows it is the emptier node.
            awaitCluster(other, c -> participantsOf(c, servingId) == 1);

            // The other node does not serve "standup": the join is told where it is served.
            WsTestClient bob = connect(vertx, other.httpPort);
            bob.send(new JsonObject()
                    .put("type", "join")
                    .put("id", 7)
                    .put("room", "standup")
                    .put("name", "Bob"));
            JsonObject redirect = answer(bob);
            assertEquals("redirect", redirect.getString("type"), redirect.encode());
            assertEquals(7, redirect.getInteger("re"));
            assertEquals(servingId, redirect.getString("node"));
            assertEquals("http://127.0.0.1:" + serving.httpPort, redirect.getString("url"));
            assertEquals("standup", redirect.getString("room"));
            assertEquals(4002, bob.awaitClose());

            // A new room asked of the serving node (1 participant) goes to the other (none).
            WsTestClient cy = connect(vertx, serving.httpPort);
            JsonObject toOther = join(cy, "retro", "Cy");
            assertEquals("redirect", toOther.getString("type"), toOther.encode());
            assertEquals("http://127.0.0.1:" + other.httpPort, toOther.getString("url"));
            WsTestClient cyThere = connect(vertx, other.httpPort);
            assertEquals("joined", join(cyThere, "retro", "Cy").getString("type"));

            // The serving node dies without a word; once its entries expire, the other serves "standup".
            serving.kill();
            long killedAt = System.nanoTime();
            JsonObject served = null;
            long deadline = System.currentTimeMillis() + 20_000;
            while (served == null) {
                assertTrue(System.currentTimeMillis() < deadline, "standup never moved:\n" + other.output());
                WsTestClient dee = connect(vertx, other.httpPort);
                JsonObject answer = join(dee, "standup", "Dee");
                if ("joined".equals(answer.getString("type"))) {
                    served = answer;
                } else {
                    assertEquals("redirect", answer.getString("type"), answer.encode());
                    dee.awaitClosed();
                    Thread.sleep(250);
                }
            }
            System.out.printf(
                    "cluster: serving node killed, its room served on the other after %d ms%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
            JsonObject cluster = clusterOf(other);
            assertEquals(1, cluster.getJsonArray("nodes").size(), cluster.encode());
            assertTrue(cluster.getJsonArray("localRooms").contains("standup"), cluster.encode());
            assertTrue(cluster.getLong("redirected") >= 1, cluster.encode());
            // Known from the member leaving (its connections closed), before its entries expired.
            assertEquals(1, cluster.getLong("departures"), cluster.encode());
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.httpPort + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertTrue(metrics.contains("chorus_cluster_nodes 1.0"), metrics);
            assertTrue(metrics.contains("chorus_cluster_departures_total 1.0"), metrics);
            assertTrue(metrics.contains("chorus_cluster_joins_redirected_total"), metrics);
        }
    }

    /** Joins and returns the answer, past "queued" and any node list (nodes come and go in this test). */
    private static JsonObject join(WsTestClient client, String room, String name) {
        client.send(new JsonObject().put("type", "join").put("room", room).put("name", name));
        return answer(client);
    }

    private static JsonObject answer(WsTestClient client) {
        JsonObject m = client.next();
        while ("queued".equals(m.getString("type")) || "cluster".equals(m.getString("type"))) {
            m = client.next();
        }
        return m;
    }

    /** Connects and takes the node list every socket of a cluster node gets after welcome. */
    private static WsTestClient connect(Vertx vertx, int port) {
        WsTestClient client = WsTestClient.connect(vertx, port);
        JsonObject nodes = client.next();
        assertEquals("cluster", nodes.getString("type"), nodes.encode());
        assertTrue(nodes.getJsonArray("nodes").size() >= 1, nodes.encode());
        return client;
    }

    private static Map<String, String> node(String id, int clusterPort, String members) {
        return Map.of(
                "CHORUS_CLUSTER_ENABLED",
                "true",
                "CHORUS_CLUSTER_NODE_ID",
                id,
                "CHORUS_CLUSTER_NAME",
                "chorus-test-" + ProcessHandle.current().pid(),
                "CHORUS_CLUSTER_HOST",
                "127.0.0.1",
                "CHORUS_CLUSTER_PORT",
                String.valueOf(clusterPort),
                "CHORUS_CLUSTER_MEMBERS",
                members,
                "CHORUS_CLUSTER_HEARTBEAT_INTERVAL",
                "500ms",
                "CHORUS_CLUSTER_ENTRY_TTL",
                "2s");
    }

    private static int participantsOf(JsonObject cluster, String node) {
        JsonArray nodes = cluster.getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            if (node.equals(nodes.getJsonObject(i).getString("id"))) {
                return nodes.getJsonObject(i).getInteger("participants");
            }
        }
        return -1;
    }
}
