package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ChorusServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hardening through the real server: the page's security headers, the WebSocket Origin check, and the limits per
 * client address (loopback is exempt by default; this server exempts nothing, so its own loopback clients count).
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class SecurityHardeningTest {
    private static ChorusServer server;
    private static int port;
    private final List<WsTestClient> sockets = new ArrayList<>();
    private final List<Socket> raw = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        Properties p = LoopbackServers.properties();
        p.setProperty("chorus.security.max-connections-per-ip", "3");
        p.setProperty("chorus.security.connections-per-ip-burst", "20");
        p.setProperty("chorus.security.joins-per-ip-per-second", "1");
        p.setProperty("chorus.security.joins-per-ip-burst", "2");
        // Nothing exempt: the test's own loopback clients count (an empty list, as an operator would set it).
        server = LoopbackServers.start(p, Map.of("CHORUS_SECURITY_LIMITS_EXEMPT", ""));
        port = server.httpPort();
    }

    @AfterEach
    void close() throws IOException {
        sockets.forEach(WsTestClient::close);
        sockets.clear();
        for (Socket s : raw) {
            s.close();
        }
        raw.clear();
    }

    @AfterAll
    static void stopServer() {
        server.stopAndWait(Duration.ofSeconds(10));
    }

    @Test
    void responsesComeWithAPolicyThatAllowsOnlyTheServersOwnScriptsAndSocket() throws Exception {
        // The web client itself is in the web module (its browser tests run under this policy); every response
        // carries the headers, so the health check shows them here.
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
        assertTrue(csp.contains("connect-src 'self' ws://127.0.0.1:" + port), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""));
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
    }

    @Test
    void aSocketFromAnotherSitesPageIsRefusedAndOneFromTheServersOwnIsNot() throws Exception {
        assertEquals(403, upgradeStatus("http://evil.example"));
        assertEquals(403, upgradeStatus("http://127.0.0.1:" + (port + 1)));
        assertEquals(101, upgradeStatus("http://127.0.0.1:" + port));
        assertEquals(101, upgradeStatus(null), "no Origin: a native client");
        JsonObject debug = debug();
        assertTrue(debug.getJsonObject("clientLimits").getLong("originRefused") >= 2, debug.encode());
    }

    @Test
    void connectionsAndJoinsFromOneAddressAreLimited(Vertx vertx) throws Exception {
        WsTestClient a = connect(vertx);
        connect(vertx);
        connect(vertx);
        assertEquals(429, upgradeStatus(null), "a fourth at once");
        a.close();
        sockets.remove(a);
        awaitUpgradeStatus(101);

        WsTestClient b = sockets.get(0);
        WsTestClient c = sockets.get(1);
        assertEquals("joined", b.join("limits", "Bo").getString("type"));
        assertEquals("joined", c.join("limits2", "Cy").getString("type"));
        b.send(new JsonObject().put("type", "leave"));
        b.next();
        JsonObject third = b.join("limits3", "Bo");
        assertEquals("error", third.getString("type"), third.encode());
        assertEquals("rate_limited", third.getString("code"), third.encode());
        JsonObject debug = debug();
        assertTrue(debug.getJsonObject("clientLimits").getJsonObject("refused").getLong("too_many_connections") >= 1);
        assertEquals(
                1, debug.getJsonObject("clientLimits").getJsonObject("refused").getLong("join_rate"));
    }

    private WsTestClient connect(Vertx vertx) {
        WsTestClient c = WsTestClient.connect(vertx, port);
        sockets.add(c);
        return c;
    }

    /** A closed socket frees its place once the server has seen the close. */
    private void awaitUpgradeStatus(int expected) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int status;
        do {
            status = upgradeStatus(null);
            if (status != expected) {
                Thread.sleep(50);
            }
        } while (status != expected && System.nanoTime() < deadline);
        assertEquals(expected, status);
    }

    /** The status of a WebSocket upgrade with {@code origin} (null: none); a 101 socket stays open till the test ends. */
    private int upgradeStatus(String origin) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        raw.add(s);
        s.setSoTimeout(10_000);
        String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        String[] parts = line.toString().split(" ");
        int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        if (status != 101) {
            s.close();
        }
        return status;
    }

    private static JsonObject debug() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/debug"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }
}
