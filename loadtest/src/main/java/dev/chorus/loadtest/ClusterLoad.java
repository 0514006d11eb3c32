package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One room spread over a cluster of server processes on loopback, loaded by native bots: starts {@code --nodes}
 * server jars in cluster mode (rooms spanning nodes after an equal share of the room's bots each), runs the fixed
 * load test against the first node (the bots follow its redirects), and reports, per node, its CPU and the relay
 * traffic it sent and received over the steady window, next to the bots' loss and latency.
 *
 * <pre>
 * java -cp chorus-loadtest.jar dev.chorus.loadtest.ClusterLoad --server-jar web/target/chorus-server.jar \
 *     --nodes 3 [load test options: --publishers 3 --subscribers 9 --duration 20s --report dir ...]
 * </pre>
 * Writes cluster.json into the report directory beside the load test's own result.json.
 */
public final class ClusterLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** One server process of the cluster. */
    record Node(String id, int httpPort, Process process, ServerProbe probe) {
        String base() {
            return "http://127.0.0.1:" + httpPort;
        }
    }

    /** A node's counters at one moment. */
    record Reading(double cpuSeconds, long relaySent, long relayReceived, int roomParticipants, long nanos) {}

    private ClusterLoad() {}

    public static void main(String[] args) throws Exception {
        Path serverJar = Path.of("web/target/chorus-server.jar");
        int nodes = 3;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server-jar" -> serverJar = Path.of(args[++i]);
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        ObjectNode result = run(serverJar, nodes, rest, System.err);
        System.out.println(result.get("summary").asText());
        System.exit(0); // the bots' ice4j and Vert.x leave non-daemon threads behind
    }

    /** Starts the cluster, loads it, stops it; the figures (also written to cluster.json in the report dir). */
    static ObjectNode run(Path serverJar, int nodeCount, List<String> loadArgs, java.io.PrintStream progress)
            throws Exception {
        if (nodeCount < 2 || nodeCount > 8) {
            throw new IllegalArgumentException("--nodes must be 2-8");
        }
        LoadTestConfig probeConfig = LoadTestConfig.parse(loadArgs.toArray(String[]::new));
        int roomBots = probeConfig.publishers() + probeConfig.subscribers();
        int perNode = Math.max(1, (roomBots + nodeCount - 1) / nodeCount);
        Files.createDirectories(probeConfig.reportDir());
        List<Node> nodes = start(serverJar, nodeCount, perNode, probeConfig.reportDir(), progress);
        try {
            List<String> args = new ArrayList<>(loadArgs);
            args.addAll(List.of("--server", nodes.get(0).base(), "--rooms", "1"));
            LoadTestConfig config = LoadTestConfig.parse(args.toArray(String[]::new));
            long windowStart = config.rampUp().toNanos() + TimeUnit.SECONDS.toNanos(3);
            long windowEnd = config.rampUp().toNanos() + config.duration().toNanos() - TimeUnit.SECONDS.toNanos(1);
            Reading[][] readings = new Reading[2][nodeCount];
            Thread sampler = new Thread(
                    () -> {
                        try {
                            long t0 = System.nanoTime();
                            LoadTestMain.sleepUntil(t0 + windowStart);
                            readings[0] = read(nodes);
                            LoadTestMain.sleepUntil(t0 + windowEnd);
                            readings[1] = read(nodes);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "cluster-sampler");
            sampler.setDaemon(true);
            sampler.start();
            String loadSummary = LoadTestMain.execute(config, progress);
            sampler.join(10_000);
            ObjectNode out = figures(nodes, readings, perNode, loadSummary);
            Files.writeString(
                    config.reportDir().resolve("cluster.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            return out;
        } finally {
            stop(nodes);
        }
    }

    private static ObjectNode figures(List<Node> nodes, Reading[][] r, int perNode, String loadSummary) {
        ObjectNode out = JSON.createObjectNode();
        out.put("nodes", nodes.size());
        out.put("roomParticipantsPerNode", perNode);
        out.put("load", loadSummary);
        ArrayNode list = out.putArray("perNode");
        StringBuilder summary = new StringBuilder("cluster of " + nodes.size() + " nodes, one room:");
        for (int i = 0; i < nodes.size(); i++) {
            ObjectNode n = list.addObject();
            n.put("node", nodes.get(i).id());
            Reading a = r[0] == null ? null : r[0][i];
            Reading b = r[1] == null ? null : r[1][i];
            if (a == null || b == null) {
                n.put("error", "no readings");
                continue;
            }
            double seconds = (b.nanos() - a.nanos()) / 1e9;
            double cores = (b.cpuSeconds() - a.cpuSeconds()) / seconds;
            double sentPerSecond = (b.relaySent() - a.relaySent()) / seconds;
            double receivedPerSecond = (b.relayReceived() - a.relayReceived()) / seconds;
            n.put("roomParticipants", b.roomParticipants());
            n.put("cpuCores", LoadTestMain.round(cores, 3));
            n.put("relayPacketsSentPerSecond", LoadTestMain.round(sentPerSecond, 1));
            n.put("relayPacketsReceivedPerSecond", LoadTestMain.round(receivedPerSecond, 1));
            n.put("windowSeconds", LoadTestMain.round(seconds, 1));
            summary.append(String.format(
                    " %s: %d participants, %.2f cores, relay out %.0f/s in %.0f/s;",
                    nodes.get(i).id(), b.roomParticipants(), cores, sentPerSecond, receivedPerSecond));
        }
        out.put("summary", summary + " bots: " + loadSummary);
        return out;
    }

    private static Reading[] read(List<Node> nodes) {
        Reading[] out = new Reading[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            long sent = 0;
            long received = 0;
            int participants = 0;
            try {
                JsonNode debug = JSON.readTree(get(n.base() + "/debug"));
                JsonNode relay = debug.path("media").path("relay");
                for (JsonNode link : relay.path("links")) {
                    sent += link.path("packetsSent").asLong();
                }
                received = relay.path("packetsReceived").asLong();
                for (JsonNode node : debug.path("signaling").path("cluster").path("nodes")) {
                    if (n.id().equals(node.path("id").asText())) {
                        for (JsonNode count : node.path("roomParticipants")) {
                            participants += count.asInt();
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            out[i] = new Reading(n.probe().cpuSeconds(), sent, received, participants, System.nanoTime());
        }
        return out;
    }

    private static List<Node> start(Path jar, int count, int perNode, Path dir, java.io.PrintStream progress)
            throws Exception {
        int[] clusterPorts = new int[count];
        int[] httpPorts = new int[count];
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < count; i++) {
            clusterPorts[i] = freePort();
            httpPorts[i] = freePort();
            members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clusterPorts[i]);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Node> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                String id = "node-" + (char) ('a' + i);
                ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(id + ".log").toFile());
                pb.environment().put("CHORUS_HTTP_HOST", "127.0.0.1");
                pb.environment().put("CHORUS_HTTP_PORT", String.valueOf(httpPorts[i]));
                pb.environment().put("CHORUS_MEDIA_ADDRESS", "127.0.0.1");
                pb.environment().put("CHORUS_MEDIA_PORT", "0");
                pb.environment().put("CHORUS_CLUSTER_ENABLED", "true");
                pb.environment().put("CHORUS_CLUSTER_NODE_ID", id);
                pb.environment()
                        .put(
                                "CHORUS_CLUSTER_NAME",
                                "chorus-load-" + ProcessHandle.current().pid());
                pb.environment().put("CHORUS_CLUSTER_HOST", "127.0.0.1");
                pb.environment().put("CHORUS_CLUSTER_PORT", String.valueOf(clusterPorts[i]));
                pb.environment().put("CHORUS_CLUSTER_MEMBERS", members.toString());
                pb.environment().put("CHORUS_CLUSTER_ROOM_PARTICIPANTS_PER_NODE", String.valueOf(perNode));
                pb.environment().put("CHORUS_CLUSTER_HEARTBEAT_INTERVAL", "500ms");
                pb.environment().put("CHORUS_CLUSTER_ENTRY_TTL", "2s");
                pb.environment().put("CHORUS_SIGNALING_JOINS_PER_SECOND", "1000");
                Process p = pb.start();
                nodes.add(new Node(
                        id,
                        httpPorts[i],
                        p,
                        new ServerProbe(URI.create("http://127.0.0.1:" + httpPorts[i]), OptionalLong.of(p.pid()))));
            }
            for (Node n : nodes) {
                awaitCluster(n, count);
            }
            progress.printf(
                    "cluster: %d nodes up (%s), %d of the room's bots per node%n",
                    count, Arrays.toString(nodes.stream().map(Node::base).toArray()), perNode);
            return nodes;
        } catch (Exception | Error e) {
            stop(nodes);
            throw e;
        }
    }

    private static void awaitCluster(Node n, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (true) {
            if (!n.process().isAlive()) {
                throw new IllegalStateException(
                        n.id() + " exited with " + n.process().exitValue());
            }
            try {
                JsonNode nodes = JSON.readTree(get(n.base() + "/debug"))
                        .path("signaling")
                        .path("cluster")
                        .path("nodes");
                if (nodes.size() == count) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(n.id() + " did not see " + count + " nodes within 90 s");
            }
            Thread.sleep(200);
        }
    }

    private static void stop(List<Node> nodes) throws InterruptedException {
        for (Node n : nodes) {
            n.process().destroy();
        }
        for (Node n : nodes) {
            if (!n.process().waitFor(20, TimeUnit.SECONDS)) {
                n.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
