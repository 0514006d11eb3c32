package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real call through the real server (two Java clients: WebSocket signaling, ICE + DTLS + SRTP,
 * audio and video both ways), then a scrape of {@code GET /metrics}: the counters must have moved.
 */
@ExtendWith(VertxExtension.class)
class MetricsEndpointTest {

    private static ChorusServer start(Properties extra) throws Exception {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.media.workers", "2");
        p.setProperty("chorus.media.allowed-remotes.0", "127.0.0.0/8");
        p.putAll(extra);
        ChorusServer server =
                new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return server;
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sample lines ("name{labels} value") by their name-and-labels part. */
    @Test
    void scrapeAfterARealCallShowsTrafficStreamsDropsAndJvm(Vertx vertx) throws Exception {
        ChorusServer server = start(new Properties());
        DtlsCertificate cert = DtlsCertificate.generate();
        try (MediaTestClient ada = MediaTestClient.join(vertx, server.httpPort(), cert, "metrics", "Ada", 1, 1);
                MediaTestClient bob = MediaTestClient.join(vertx, server.httpPort(), cert, "metrics", "Bob", 1, 1)) {
            List<MediaTestClient> both = List.of(ada, bob);
            long deadline = System.currentTimeMillis() + 20_000;
            while (!(ada.minPacketsFrom(bob.id) >= 30 && bob.minPacketsFrom(ada.id) >= 30)) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "media did not flow: " + ada.minPacketsFrom(bob.id) + " / " + bob.minPacketsFrom(ada.id));
                for (MediaTestClient c : both) {
                    c.pumpUntil(() -> false, 10);
                }
            }

            HttpResponse<String> response = get(server.httpPort(), "/metrics");
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(
                    response.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                    response.headers().toString());
            String text = response.body();
            Path dump = Path.of("target", "metrics-sample.txt");
            Files.createDirectories(dump.getParent());
            Files.writeString(dump, text);
            Map<String, Double> s = PrometheusSamples.parse(text);

            assertEquals(1.0, PrometheusSamples.value(s, "chorus_rooms"));
            assertEquals(2.0, PrometheusSamples.value(s, "chorus_participants"));
            assertEquals(2.0, PrometheusSamples.value(s, "chorus_connections"));
            assertEquals(0.0, PrometheusSamples.value(s, "chorus_draining"));
            assertEquals(1.0, PrometheusSamples.value(s, "chorus_media_rooms"));
            assertEquals(2.0, PrometheusSamples.value(s, "chorus_media_transports"));
            // Each publishes audio and video; each subscribes to the other's two tracks.
            assertEquals(4.0, PrometheusSamples.value(s, "chorus_media_producers"));
            assertEquals(4.0, PrometheusSamples.value(s, "chorus_media_consumers"));

            // Both clients received at least 30 packets per stream from the other: the server saw at
            // least that many come in and go out, at the transport and at the forwarding layer.
            assertTrue(PrometheusSamples.value(s, "chorus_transport_received_packets_total") >= 120, text);
            assertTrue(PrometheusSamples.value(s, "chorus_transport_received_bytes_total")
                    > PrometheusSamples.value(s, "chorus_transport_received_packets_total"));
            assertTrue(PrometheusSamples.value(s, "chorus_transport_sent_packets_total") >= 120, text);
            assertTrue(PrometheusSamples.value(s, "chorus_transport_sent_bytes_total") > 0);
            assertTrue(PrometheusSamples.value(s, "chorus_rtp_received_packets_total") >= 120);
            assertTrue(PrometheusSamples.value(s, "chorus_rtp_received_bytes_total") > 0);
            assertTrue(PrometheusSamples.value(s, "chorus_rtp_forwarded_packets_total") >= 120);
            assertTrue(PrometheusSamples.value(s, "chorus_rtp_forwarded_bytes_total") > 0);
            // A subscriber arriving makes the SFU ask the publisher for a keyframe.
            assertTrue(PrometheusSamples.value(s, "chorus_rtcp_feedback_sent_total{type=\"pli\"}") >= 1, text);
            PrometheusSamples.value(s, "chorus_rtcp_feedback_received_total{type=\"nack\"}");
            PrometheusSamples.value(s, "chorus_rtcp_sent_packets_total");

            // Drops carry a stage and a named reason, zero or not.
            PrometheusSamples.value(s, "chorus_media_drops_total{reason=\"SRTP_AUTH_FAILED\",stage=\"transport\"}");
            PrometheusSamples.value(s, "chorus_media_drops_total{reason=\"CONSUMER_PAUSED\",stage=\"forwarding\"}");
            PrometheusSamples.value(s, "chorus_media_drops_total{reason=\"QUEUE_FULL\",stage=\"forwarding\"}");
            PrometheusSamples.value(s, "chorus_media_drops_total{reason=\"POOL_EXHAUSTED\",stage=\"bridge\"}");
            assertEquals(
                    0.0,
                    PrometheusSamples.value(
                            s, "chorus_media_drops_total{reason=\"SRTP_AUTH_FAILED\",stage=\"transport\"}"));

            // JVM: memory, GC, threads, CPU.
            assertTrue(text.contains("jvm_memory_used_bytes{"), "no JVM memory metrics");
            assertTrue(text.contains("jvm_gc_"), "no GC metrics");
            assertTrue(PrometheusSamples.value(s, "jvm_threads_live_threads") > 0);
            assertTrue(text.contains("process_cpu_usage "), "no CPU metrics");

            // Counters only grow: a second scrape after more media is not lower.
            for (MediaTestClient c : both) {
                c.pumpUntil(() -> false, 200);
            }
            Map<String, Double> later =
                    PrometheusSamples.parse(get(server.httpPort(), "/metrics").body());
            assertTrue(PrometheusSamples.value(later, "chorus_rtp_forwarded_packets_total")
                    >= PrometheusSamples.value(s, "chorus_rtp_forwarded_packets_total"));
            assertTrue(PrometheusSamples.value(later, "chorus_transport_received_packets_total")
                    >= PrometheusSamples.value(s, "chorus_transport_received_packets_total"));
        } finally {
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }

    @Test
    void transportTotalsOutliveClosedTransports(Vertx vertx) throws Exception {
        ChorusServer server = start(new Properties());
        DtlsCertificate cert = DtlsCertificate.generate();
        try {
            try (MediaTestClient ada = MediaTestClient.join(vertx, server.httpPort(), cert, "gone", "Ada", 1, 1);
                    MediaTestClient bob = MediaTestClient.join(vertx, server.httpPort(), cert, "gone", "Bob", 1, 1)) {
                long deadline = System.currentTimeMillis() + 20_000;
                while (!(ada.minPacketsFrom(bob.id) >= 10 && bob.minPacketsFrom(ada.id) >= 10)) {
                    assertTrue(System.currentTimeMillis() < deadline, "media did not flow");
                    ada.pumpUntil(() -> false, 10);
                    bob.pumpUntil(() -> false, 10);
                }
            }
            Map<String, Double> s = Map.of();
            long deadline = System.currentTimeMillis() + 10_000;
            do {
                Thread.sleep(50);
                s = PrometheusSamples.parse(get(server.httpPort(), "/metrics").body());
            } while ((PrometheusSamples.value(s, "chorus_participants") != 0
                            || PrometheusSamples.value(s, "chorus_media_transports") != 0)
                    && System.currentTimeMillis() < deadline);
            assertEquals(0.0, PrometheusSamples.value(s, "chorus_rooms"));
            assertEquals(0.0, PrometheusSamples.value(s, "chorus_media_transports"));
            assertEquals(0.0, PrometheusSamples.value(s, "chorus_media_producers"));
            assertEquals(0.0, PrometheusSamples.value(s, "chorus_media_consumers"));
            assertTrue(PrometheusSamples.value(s, "chorus_transport_received_packets_total") >= 40, s.toString());
            assertTrue(PrometheusSamples.value(s, "chorus_rtp_forwarded_packets_total") >= 40, s.toString());
        } finally {
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }

    @Test
    void metricsAreRefusedToClientsOutsideTheAllowedRangesAndCanBeTurnedOff() throws Exception {
        Properties onlyOther = new Properties();
        onlyOther.setProperty("chorus.metrics.allowed-clients.0", "192.0.2.0/24");
        ChorusServer restricted = start(onlyOther);
        try {
            HttpResponse<String> r = get(restricted.httpPort(), "/metrics");
            assertEquals(403, r.statusCode());
            assertTrue(r.body().contains("chorus.metrics.allowed-clients"), r.body());
        } finally {
            restricted.stopAndWait(Duration.ofSeconds(10));
        }
        Properties off = new Properties();
        off.setProperty("chorus.metrics.enabled", "false");
        ChorusServer disabled = start(off);
        try {
            assertEquals(404, get(disabled.httpPort(), "/metrics").statusCode());
        } finally {
            disabled.stopAndWait(Duration.ofSeconds(10));
        }
    }
}
