package dev.chorus.signaling.http;

import static dev.chorus.signaling.http.ClusterDebug.awaitCluster;
import static dev.chorus.signaling.http.ClusterDebug.clusterOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One room across three servers, each its own JVM on loopback, with rooms spanning nodes after one participant per
 * node ({@code room-participants-per-node = 1}): three members land on three nodes and see each other as if on one
 * (a join that reaches a full node is redirected: answered {@code redirect}, closed with 4002);
 * chat from all three, sent at once, arrives in one order with the same numbers everywhere; mute and leave reach
 * the other nodes; a new room goes to the emptiest node; a newcomer on a node that starts to serve the room again
 * reads the chat so far; and when a node is killed, its member leaves the others' rooms ({@code node_lost}), its
 * other room is served again by a live node, and /debug and /metrics count the departure.
 */
@ExtendWith(VertxExtension.class)
class SpanningRoomProcessTest {
    private static final int CHATS_EACH = 5;

    @Test
    void threeNodesServeOneRoomAsOne(Vertx vertx) throws Exception {
        int[] clusterPorts = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()};
        String members =
                "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2];
        try (ServerProcess a = ServerProcess.start("span-a", node("a", clusterPorts[0], members));
                ServerProcess b = ServerProcess.start("span-b", node("b", clusterPorts[1], members));
                ServerProcess c = ServerProcess.start("span-c", node("c", clusterPorts[2], members))) {
            Map<String, ServerProcess> byId = new LinkedHashMap<>();
            byId.put("a", a.awaitReady());
            byId.put("b", b.awaitReady());
            byId.put("c", c.awaitReady());
            for (ServerProcess s : byId.values()) {
                awaitCluster(s, cl -> cl.getJsonArray("nodes").size() == 3);
            }

            // Everyone asks node a. The first is served there; a is then full for the room, so the next go elsewhere.
            Member ada = join(vertx, byId, "a", "Ada");
            String adaNode = ada.node;
            for (ServerProcess s : byId.values()) {
                awaitCluster(s, cl -> roomParticipants(cl, adaNode, "span") == 1);
            }
            Member bob = join(vertx, byId, adaNode, "Bob");
            assertNotEquals(adaNode, bob.node, "a full node spans the room to another");
            bob.sees(ada.id);
            ada.await(m -> "participant-joined".equals(m.getString("type"))
                    && bob.id.equals(m.getJsonObject("participant").getString("id")));
            String bobNode = bob.node;
            for (ServerProcess s : byId.values()) {
                awaitCluster(s, cl -> roomParticipants(cl, bobNode, "span") == 1);
            }
            Member cy = join(vertx, byId, adaNode, "Cy");
            assertNotEquals(adaNode, cy.node);
            assertNotEquals(bob.node, cy.node, "the third node takes the third member");
            cy.sees(ada.id);
            cy.sees(bob.id);
            for (Member m : List.of(ada, bob)) {
                m.await(x -> "participant-joined".equals(x.getString("type"))
                        && cy.id.equals(x.getJsonObject("participant").getString("id")));
            }

            // Chat from all three at once: one order, the same numbers, on every node.
            for (int i = 0; i < CHATS_EACH; i++) {
                for (Member m : List.of(ada, bob, cy)) {
                    m.client.send(new JsonObject().put("type", "chat").put("text", m.name + " " + i));
                }
            }
            List<String> adaSaw = ada.chats(3 * CHATS_EACH);
            assertEquals(adaSaw, bob.chats(3 * CHATS_EACH), "bob's order is ada's");
            assertEquals(adaSaw, cy.chats(3 * CHATS_EACH), "cy's order is ada's");
            for (int i = 0; i < adaSaw.size(); i++) {
                assertTrue(adaSaw.get(i).startsWith((i + 1) + ":"), "numbered 1..15 without gaps: " + adaSaw);
            }
            for (Member m : List.of(ada, bob, cy)) {
                for (int i = 1; i < CHATS_EACH; i++) {
                    String before = m.name + " " + (i - 1);
                    String after = m.name + " " + i;
                    assertTrue(
                            indexOf(adaSaw, before) < indexOf(adaSaw, after),
                            "each sender's own messages keep their order: " + adaSaw);
                }
            }

            // Mute on bob's node reaches ada's and cy's.
            bob.client.send(new JsonObject().put("type", "mute").put("audioMuted", true));
            for (Member m : List.of(ada, cy)) {
                m.await(x -> "mute".equals(x.getString("type"))
                        && bob.id.equals(x.getString("id"))
                        && x.getBoolean("audioMuted"));
            }

            // Cy leaves: the others see it.
            cy.client.send(new JsonObject().put("type", "leave"));
            for (Member m : List.of(ada, bob)) {
                m.await(x -> "participant-left".equals(x.getString("type")) && cy.id.equals(x.getString("id")));
            }

            // A newcomer on the node cy left gets the room's chat so far, from the owner, in the same order.
            String cyNode = cy.node;
            awaitCluster(byId.get(adaNode), cl -> roomParticipants(cl, cyNode, "span") == 0);
            // A new room asked of a node with a participant goes to the emptiest node: cy's, empty now.
            Member eve = join(vertx, byId, adaNode, "retro", "Eve");
            assertEquals(cyNode, eve.node, "the node without participants takes a new room");
            eve.client.send(new JsonObject().put("type", "leave"));
            eve.await(x -> "left".equals(x.getString("type")));
            Member dee = join(vertx, byId, adaNode, "Dee");
            assertEquals(cyNode, dee.node, "the only node with room for dee");
            assertEquals(adaSaw, dee.chats(3 * CHATS_EACH), "dee reads the history in ada's order");

            // Dee's node dies (it also serves "retro"): the others drop her, and "retro" is served again elsewhere.
            long killedAt = System.nanoTime();
            byId.get(dee.node).kill();
            for (Member m : List.of(ada, bob)) {
                JsonObject left = m.await(
                        x -> "participant-left".equals(x.getString("type")) && dee.id.equals(x.getString("id")));
                assertEquals("node_lost", left.getString("reason"), left.encode());
            }
            long droppedMs = (System.nanoTime() - killedAt) / 1_000_000;
            Member retroAgain = join(vertx, byId, adaNode, "retro", "Eve");
            assertNotEquals(dee.node, retroAgain.node, "a dead node's room is served by a live one");
            System.out.printf(
                    "spanning room: 3 nodes, %d chat messages in one order; a killed node's member left the others"
                            + " after %d ms, its other room was served again after %d ms%n",
                    adaSaw.size(), droppedMs, (System.nanoTime() - killedAt) / 1_000_000);
            JsonObject cluster = clusterOf(byId.get(ada.node));
            assertTrue(cluster.getJsonObject("presence").getLong("descriptionsReceived") > 0, cluster.encode());
            assertEquals(2, cluster.getJsonArray("nodes").size(), cluster.encode());
            // Known from the member leaving (its connections closed), before its entries expired.
            assertEquals(1, cluster.getLong("departures"), cluster.encode());
            assertTrue(cluster.getLong("redirected") >= 2, cluster.encode());
            String metrics = ClusterDebug.metrics(byId.get(ada.node));
            assertTrue(metrics.contains("chorus_cluster_nodes 2.0"), metrics);
            assertTrue(metrics.contains("chorus_cluster_departures_total 1.0"), metrics);
            assertTrue(metrics.contains("chorus_cluster_joins_redirected_total"), metrics);
        }
    }

    /** A member connected to one node, with everything it received so far. */
    private static final class Member {
        final String name;
        final WsTestClient client;
        final String node;
        final JsonObject joined;
        final String id;
        final List<JsonObject> seen = new ArrayList<>();

        Member(String name, WsTestClient client, String node, JsonObject joined) {
            this.name = name;
            this.client = client;
            this.node = node;
            this.joined = joined;
            this.id = joined.getJsonObject("you").getString("id");
        }

        /** The first message so far, or from now on, that matches. */
        JsonObject await(Predicate<JsonObject> match) {
            for (JsonObject m : seen) {
                if (match.test(m)) {
                    return m;
                }
            }
            while (true) {
                JsonObject m = client.next();
                seen.add(m);
                if (match.test(m)) {
                    return m;
                }
            }
        }

        /**
         * Knows {@code id} as a member of the room: listed in its {@code joined}, or announced since (a node that
         * just began to serve the room hears of the others' members a moment after).
         */
        void sees(String id) {
            if (!ids(joined.getJsonArray("participants")).contains(id)) {
                await(m -> "participant-joined".equals(m.getString("type"))
                        && id.equals(m.getJsonObject("participant").getString("id")));
            }
        }

        /** The first {@code n} chat messages as "seq:text". */
        List<String> chats(int n) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (out.size() < n) {
                JsonObject m = i < seen.size() ? seen.get(i) : next();
                i++;
                if ("chat".equals(m.getString("type"))) {
                    out.add(m.getLong("seq") + ":" + m.getString("text"));
                }
            }
            return out;
        }

        private JsonObject next() {
            JsonObject m = client.next();
            seen.add(m);
            return m;
        }
    }

    /** Joins "span" through {@code nodeId}, following redirects; the node that served it and its answer. */
    private static Member join(Vertx vertx, Map<String, ServerProcess> byId, String nodeId, String name) {
        return join(vertx, byId, nodeId, "span", name);
    }

    /**
     * Joins {@code room} through {@code nodeId}, following redirects (each checked: answered to the join's id, the
     * room and the node's URL named, the socket closed with 4002); the node that served it and its answer.
     */
    private static Member join(Vertx vertx, Map<String, ServerProcess> byId, String nodeId, String room, String name) {
        String at = nodeId;
        for (int hop = 0; hop < 3; hop++) {
            WsTestClient client = WsTestClient.connect(vertx, byId.get(at).httpPort);
            JsonObject join = new JsonObject()
                    .put("type", "join")
                    .put("id", 7)
                    .put("room", room)
                    .put("name", name);
            client.send(hop > 0 ? join.put("redirects", hop) : join);
            JsonObject m = client.next();
            while ("queued".equals(m.getString("type")) || "cluster".equals(m.getString("type"))) {
                m = client.next();
            }
            if ("joined".equals(m.getString("type"))) {
                return new Member(name, client, at, m);
            }
            assertEquals("redirect", m.getString("type"), m.encode());
            assertEquals(7, m.getInteger("re"), m.encode());
            assertEquals(room, m.getString("room"), m.encode());
            at = m.getString("node");
            assertEquals("http://127.0.0.1:" + byId.get(at).httpPort, m.getString("url"), m.encode());
            assertEquals(4002, client.awaitClose());
        }
        throw new AssertionError(name + " redirected more than twice");
    }

    private static List<String> ids(JsonArray participants) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < participants.size(); i++) {
            ids.add(participants.getJsonObject(i).getString("id"));
        }
        return ids;
    }

    private static int indexOf(List<String> chats, String text) {
        for (int i = 0; i < chats.size(); i++) {
            if (chats.get(i).endsWith(":" + text)) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> node(String id, int clusterPort, String members) {
        return Map.of(
                "CHORUS_CLUSTER_ENABLED", "true",
                "CHORUS_CLUSTER_NODE_ID", id,
                "CHORUS_CLUSTER_NAME", "chorus-span-" + ProcessHandle.current().pid(),
                "CHORUS_CLUSTER_HOST", "127.0.0.1",
                "CHORUS_CLUSTER_PORT", String.valueOf(clusterPort),
                "CHORUS_CLUSTER_MEMBERS", members,
                "CHORUS_CLUSTER_HEARTBEAT_INTERVAL", "500ms",
                "CHORUS_CLUSTER_ENTRY_TTL", "2s",
                "CHORUS_CLUSTER_ROOM_PARTICIPANTS_PER_NODE", "1");
    }

    private static int roomParticipants(JsonObject cluster, String node, String room) {
        JsonArray nodes = cluster.getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            JsonObject n = nodes.getJsonObject(i);
            if (node.equals(n.getString("id"))) {
                return n.getJsonObject("roomParticipants", new JsonObject()).getInteger(room, 0);
            }
        }
        return -1;
    }
}
