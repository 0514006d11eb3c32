package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.transport.DtlsCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
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

    private ServerProcess server;

    @AfterEach
    void killServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private boolean outputContains(String text) {
        return server.outputContains(text);
    }

    @Test
    void sigtermTellsClientsRefusesJoinsDrainsAndExitsZero(Vertx vertx) throws Exception {
        server = ServerProcess.start(
                        "drain-server", Map.of("CHORUS_SHUTDOWN_DRAIN_TIMEOUT", DRAIN_TIMEOUT_SECONDS + "s"))
                .awaitReady();
        int port = server.httpPort;
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
            server.sigterm();
            JsonObject[] told = new JsonObject[2];
            deadline = System.currentTimeMillis() + 10_000;
            while (told[0] == null || told[1] == null) {
                assertTrue(
                        System.currentTimeMillis() < deadline, "clients not told of the shutdown:\n" + server.output());
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
            assertTrue(server.waitFor(DRAIN_TIMEOUT_SECONDS), "server still running:\n" + server.output());
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);
            assertEquals(0, server.exitValue(), server.output());
            assertTrue(exitMillis < DRAIN_TIMEOUT_SECONDS * 1000, "took " + exitMillis + " ms");
            Thread.sleep(200); // let the reader take the last lines
            assertTrue(outputContains("shutdown: SIGTERM received"), server.output());
            assertTrue(outputContains("shutdown: drain over (all rooms empty"), server.output());
            assertTrue(outputContains("shutdown: stopped"), server.output());
            System.out.printf("graceful shutdown: exit %d after %d ms%n", server.exitValue(), exitMillis);
        }
    }
}
