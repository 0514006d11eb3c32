package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** A real server on 127.0.0.1 and a free port, with short keepalive timings for tests. */
public final class TestServer implements AutoCloseable {

    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(3);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChorusServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestServer(ChorusServer server) {
        this.server = server;
    }

    public static TestServer start() throws Exception {
        return start(Map.of());
    }

    /** As {@link #start()}, with some configuration keys overridden (e.g. to make media fail). */
    public static TestServer start(Map<String, String> overrides) throws Exception {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        // Media on loopback and an ephemeral UDP port, so test servers never collide.
        p.setProperty("chorus.media.address", "127.0.0.1");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.signaling.keepalive-interval", "500ms");
        p.setProperty("chorus.signaling.keepalive-timeout", KEEPALIVE_TIMEOUT.toMillis() + "ms");
        // Signaling and session set-up at the process's priority, not nice 10: the browsers of the test share the
        // machine, and a set-up thread at nice 10 behind their dozens of busy threads (Chromium gives its compositors
        // nice -8) got 1-10 % of a core while runnable; a six-page join then took its offers seconds each to answer
        // and one came after the page's limit. On a server of its own nice 10 yields to the media threads only.
        p.setProperty("chorus.media.setup-thread-nice", "0");
        overrides.forEach(p::setProperty);
        ChorusServer server =
                new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        // Generous: the first start in a JVM (ice4j's Kotlin reflection) took over 60 s at a load
        // average of 18-27; a start that never finishes still fails the test.
        server.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        return new TestServer(server);
    }

    public String url(String path) {
        return server.scheme() + "://127.0.0.1:" + server.httpPort() + path;
    }

    public ChorusServer server() {
        return server;
    }

    /** The server's /debug view: rooms, media sessions and their transports, routers. */
    public JsonNode debug() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url("/debug")))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The SFU's transport of that participant (its media session's "transport" in /debug). */
    public JsonNode transport(String participantId) throws Exception {
        JsonNode debug = debug();
        for (JsonNode room : debug.path("media").path("rooms")) {
            for (JsonNode s : room.path("sessions")) {
                if (participantId.equals(s.path("participantId").asText())) return s.path("transport");
            }
        }
        throw new AssertionError("no transport for " + participantId + " in /debug: " + debug.path("media"));
    }

    @Override
    public void close() {
        server.stopAndWait(Duration.ofSeconds(10));
    }
}
