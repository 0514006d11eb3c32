package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real server as its own process ({@code java -cp <module classpath> dev.chorus.signaling.Main}),
 * two participants in a call with media flowing, then SIGTERM to that process: both participants
 * are told ({@code server-shutdown}) while the process still runs, a join during the drain is refused
 * with {@code shutting_down}, and once the room empties the process exits with status 0, well within
 * the drain timeout.
 */
@ExtendWith(VertxExtension.class)
class GracefulShutdownProcessTest {

    private static final long DRAIN_TIMEOUT_SECONDS = 20;

    private Process server;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void killServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startServer(int httpPort) throws Exception {
        // Surefire runs tests through a manifest-only jar; it publishes the real classpath here.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        classpath,
                        "-Dlogback.configurationFile="
                                + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
                        "dev.chorus.signaling.Main")
                .redirectErrorStream(true);
        pb.environment().put("CHORUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("CHORUS_HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("CHORUS_MEDIA_PORT", "0");
        pb.environment().put("CHORUS_MEDIA_WORKERS", "1");
        pb.environment().put("CHORUS_MEDIA_ALLOWED_REMOTES", "127.0.0.0/8");
        pb.environment().put("CHORUS_SHUTDOWN_DRAIN_TIMEOUT", DRAIN_TIMEOUT_SECONDS + "s");
        pb.environment().put("CHORUS_LOG_LEVEL", "INFO");
        pb.environment().remove("CHORUS_CONFIG");
        server = pb.start();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            output.add(line);
                        }
                    } catch (java.io.IOException ignored) {
                        // the process ended
                    }
                },
                "server-output");
        reader.setDaemon(true);
        reader.start();
        // Start-up (SRTP warm-up, ICE stack) takes seconds, many more on a busy machine.
        long deadline = System.currentTimeMillis() + 90_000;
        while (!outputContains("ready: open http")) {
            assertTrue(server.isAlive(), "server exited early:\n" + String.join("\n", output));
            assertTrue(System.currentTimeMillis() < deadline, "server not ready:\n" + String.join("\n", output));
            Thread.sleep(50);
        }
    }

    /**
     * SIGTERM to the server's PID. Through its {@link ProcessHandle}: {@code Process.destroy()} would
     * also close our end of its output pipe, losing what it logs while it shuts down.
     */
    private void sigterm() {
        assertTrue(server.toHandle().destroy(), "SIGTERM not sent to " + server.pid());
    }

    private boolean outputContains(String text) {
        synchronized (output) {
            return output.stream().anyMatch(l -> l.contains(text));
        }
    }

    @Test
    void sigtermTellsClientsRefusesJoinsDrainsAndExitsZero(Vertx vertx) throws Exception {
        int port = freePort();
        startServer(port);
        DtlsCertificate cert = DtlsCertificate.generate();
        try (MediaTestClient ada = MediaTestClient.join(vertx, port, cert, "drain", "Ada", 1, 1);
                MediaTestClient bob = MediaTestClient.join(vertx, port, cert, "drain", "Bob", 1, 1)) {
            List<MediaTestClient> both = List.of(ada, bob);
            long deadline = System.currentTimeMillis() + 20_000;
            while (!(ada.minPacketsFrom(bob.id) >= 20 && bob.minPacketsFrom(ada.id) >= 20)) {
                assertTrue(System.currentTimeMillis() < deadline, "media did not flow");
                for (MediaTestClient c : both) {
                    c.pumpUntil(() -> false, 10);
                }
            }

            long pid = server.pid();
            long sigtermAt = System.nanoTime();
            sigterm();
            JsonObject[] told = new JsonObject[2];
            deadline = System.currentTimeMillis() + 10_000;
            while (told[0] == null || told[1] == null) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "clients not told of the shutdown:\n" + String.join("\n", output));
                for (int i = 0; i < 2; i++) {
                    both.get(i).pumpUntil(() -> false, 10);
                    if (told[i] == null) {
                        told[i] = both.get(i).takeOther("server-shutdown");
                    }
                }
            }
            // Told while the server still runs: it is waiting for the room to empty.
            assertTrue(server.isAlive(), "server " + pid + " exited before the room emptied");
            for (JsonObject m : told) {
                assertEquals("shutdown", m.getString("reason"), m.encode());
                assertEquals(DRAIN_TIMEOUT_SECONDS * 1000, m.getLong("drainMs"), m.encode());
                assertTrue(m.getLong("deadline") > System.currentTimeMillis(), m.encode());
            }
            // The call goes on during the drain.
            long before = ada.minPacketsFrom(bob.id);
            deadline = System.currentTimeMillis() + 5_000;
            while (ada.minPacketsFrom(bob.id) < before + 10) {
                assertTrue(System.currentTimeMillis() < deadline, "media stopped during the drain");
                for (MediaTestClient c : both) {
                    c.pumpUntil(() -> false, 10);
                }
            }

            // A newcomer is told too, and its join is refused with a clear code.
            WsTestClient late = WsTestClient.connect(vertx, port);
            try {
                assertEquals("server-shutdown", late.next().getString("type"));
                late.send(new JsonObject()
                        .put("type", "join")
                        .put("id", 1)
                        .put("room", "drain")
                        .put("name", "Cy"));
                JsonObject refused = late.nextError("shutting_down");
                assertEquals(1, refused.getInteger("re"));
            } finally {
                late.close();
            }
            assertTrue(server.isAlive(), "server exited while participants were still in the room");

            // The room empties: the drain ends early and the process exits 0.
            ada.leave();
            bob.leave();
            for (MediaTestClient c : both) {
                c.pumpUntil(() -> c.takeOther("left") != null, 5_000);
            }
            assertTrue(
                    server.waitFor(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    "server still running:\n" + String.join("\n", output));
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);
            assertEquals(0, server.exitValue(), String.join("\n", output));
            assertTrue(exitMillis < DRAIN_TIMEOUT_SECONDS * 1000, "took " + exitMillis + " ms");
            Thread.sleep(200); // let the reader take the last lines
            assertTrue(outputContains("shutdown: SIGTERM received"), String.join("\n", output));
            assertTrue(outputContains("shutdown: drain over (all rooms empty"), String.join("\n", output));
            assertTrue(outputContains("shutdown: stopped"), String.join("\n", output));
            System.out.printf("graceful shutdown: exit %d after %d ms%n", server.exitValue(), exitMillis);
        }
    }
}
