package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Predicate;

/** A cluster node's view of the cluster, as its {@code /debug} shows it ({@code signaling.cluster}), for tests. */
final class ClusterDebug {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClusterDebug() {}

    /** Waits up to 60 s until the node's view satisfies {@code condition}; fails with the last view and its log. */
    static void awaitCluster(ServerProcess server, Predicate<JsonObject> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonObject last = null;
        while (last == null || !condition.test(last)) {
            assertTrue(System.currentTimeMillis() < deadline, "cluster state: " + last + "\n" + server.output());
            Thread.sleep(100);
            last = clusterOf(server);
        }
    }

    /** The node's /metrics text. */
    static String metrics(ServerProcess server) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static JsonObject clusterOf(ServerProcess server) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort + "/debug"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body()).getJsonObject("signaling").getJsonObject("cluster");
    }
}
