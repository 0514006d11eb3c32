package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.GracefulShutdown;
import dev.chorus.signaling.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Graceful shutdown in-process (the SIGTERM path through a real process is
 * {@link GracefulShutdownProcessTest}): the drain timeout ends the wait when a participant stays,
 * and a second signal ends it at once; either way clients are closed with 1001.
 */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

    private static ChorusServer start() throws Exception {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.media.workers", "1");
        ChorusServer server =
                new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return server;
    }

    private static <T> T await(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    @Test
    void drainTimeoutEndsTheWaitWhenSomeoneStays(Vertx vertx) throws Exception {
        ChorusServer server = start();
        WsTestClient stays = WsTestClient.connect(vertx, server.httpPort());
        WsTestClient idle = WsTestClient.connect(vertx, server.httpPort()); // connected, never joined
        try {
            assertEquals("joined", stays.join("stuck", "Ada").getString("type"));
            long start = System.nanoTime();
            Future<Void> stopped = server.shutdownGracefully(Duration.ofMillis(1500));
            JsonObject told = stays.next("server-shutdown");
            assertEquals(1500, told.getLong("drainMs"));
            assertEquals("server-shutdown", idle.next().getString("type"));
            assertFalse(stopped.isComplete(), "stopped before the drain timeout");
            // Still in its room during the drain: chat works.
            stays.send(new JsonObject().put("type", "chat").put("text", "still here"));
            assertEquals("still here", stays.next("chat").getString("text"));
            assertEquals(1001, stays.awaitClose());
            assertEquals(1001, idle.awaitClose());
            await(stopped, 20);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 1400, "drain ended after " + millis + " ms, before its timeout");
        } finally {
            stays.close();
            idle.close();
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }

    @Test
    void secondSignalEndsTheDrainAndExitsZero(Vertx vertx) throws Exception {
        ChorusServer server = start();
        WsTestClient stays = WsTestClient.connect(vertx, server.httpPort());
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        try {
            assertEquals("joined", stays.join("stuck", "Ada").getString("type"));
            GracefulShutdown shutdown = new GracefulShutdown(server, Duration.ofMinutes(5), exit::complete);
            shutdown.onSignal("SIGTERM");
            stays.next("server-shutdown");
            // A new join is refused while draining.
            WsTestClient late = WsTestClient.connect(vertx, server.httpPort());
            assertEquals("server-shutdown", late.next().getString("type"));
            late.send(new JsonObject().put("type", "join").put("room", "stuck").put("name", "Bob"));
            late.nextError("shutting_down");
            late.close();
            assertFalse(exit.isDone());
            shutdown.onSignal("SIGTERM");
            assertEquals(1001, stays.awaitClose());
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        } finally {
            stays.close();
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }
}
