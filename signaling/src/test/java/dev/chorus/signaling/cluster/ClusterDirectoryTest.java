package dev.chorus.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.session.JoinPlacement.Route;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two directories on one (non-clustered) Vert.x, whose shared maps then stand for the cluster's: routing to a
 * room's node, placement of a new room, and a member's departure freeing its rooms at once.
 */
class ClusterDirectoryTest {

    private final Vertx vertx = Vertx.vertx();
    private final Set<String> connected = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> departures = new ArrayList<>();
    private final List<JsonObject> told = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private final ClusterMembers members = new ClusterMembers() {
        @Override
        public String selfId() {
            return "unused";
        }

        @Override
        public Set<String> ids() {
            return Set.copyOf(connected);
        }

        @Override
        public void onRemoved(Consumer<String> removed) {
            departures.add(removed);
        }
    };

    private static NodeInfo node(String id, int participants) {
        return new NodeInfo(
                id, "m-" + id, "http://" + id, "127.0.0.1", 10000, participants, 0, 0, 0, 0.1, false, 0, "", Map.of());
    }

    /** Runs {@code action} on {@code ctx} (the directories' signaling thread) and waits for its future. */
    private static <T> T on(Context ctx, Supplier<Future<T>> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        ctx.runOnContext(v -> action.get().onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.completeExceptionally(ar.cause());
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void joinsGoToTheRoomsNodeAndADepartedNodesRoomIsPlacedAgainAtOnce() throws Exception {
        ClusterConfig config = new ClusterConfig(
                true,
                "t",
                "",
                "127.0.0.1",
                5701,
                List.of(),
                "",
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                0,
                0);
        connected.addAll(Set.of("m-a", "m-b"));
        Context ctx = vertx.getOrCreateContext();
        int[] loadOfA = {0};
        ClusterDirectory a = new ClusterDirectory(vertx, config, members, () -> node("a", loadOfA[0]), told::add);
        ClusterDirectory b = new ClusterDirectory(vertx, config, members, () -> node("b", 0), told::add);
        on(ctx, a::start);
        on(ctx, b::start); // b reads a's entry; a sees b at its next heartbeat (30 s away: not in this test)

        // Nobody serves "standup": a keeps it (equal loads, no redirect).
        assertEquals(Route.LOCAL, on(ctx, () -> a.route("standup")));
        // b is told to send it to a.
        assertEquals(new Route("a", "http://a"), on(ctx, () -> b.route("standup")));
        assertEquals(1L, b.toJson().getLong("redirected"));

        // a's member leaves: b stops routing to it at once and takes the room over.
        connected.remove("m-a");
        ctx.runOnContext(v -> departures.forEach(d -> d.accept("m-a")));
        Thread.sleep(100);
        assertEquals(Route.LOCAL, on(ctx, () -> b.route("standup")));
        assertEquals(1L, b.toJson().getLong("departures"));
        assertTrue(b.liveNodes().keySet().equals(Set.of("b")), b.liveNodes().toString());
        assertTrue(
                told.stream().anyMatch(m -> m.getJsonArray("nodes").size() == 1),
                "sockets were told of the departure: " + told);
    }

    @Test
    void aNewRoomGoesToTheEmptierNode() throws Exception {
        ClusterConfig config = new ClusterConfig(
                true,
                "t",
                "",
                "127.0.0.1",
                5701,
                List.of(),
                "",
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                0,
                0);
        connected.addAll(Set.of("m-a", "m-b"));
        Context ctx = vertx.getOrCreateContext();
        ClusterDirectory busy = new ClusterDirectory(vertx, config, members, () -> node("a", 12), told::add);
        ClusterDirectory idle = new ClusterDirectory(vertx, config, members, () -> node("b", 0), told::add);
        on(ctx, idle::start);
        on(ctx, busy::start);
        assertEquals(new Route("b", "http://b"), on(ctx, () -> busy.route("retro")));
        // Claimed for b: b serves it when the client comes.
        assertEquals(Route.LOCAL, on(ctx, () -> idle.route("retro")));
    }

    @Test
    void aRoomWhoseNodesAreFullSpansToAnotherNodeWhenRoomsMaySpan() throws Exception {
        ClusterConfig config = new ClusterConfig(
                true,
                "t",
                "",
                "127.0.0.1",
                5701,
                List.of(),
                "",
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                1,
                0);
        connected.addAll(Set.of("m-a", "m-b"));
        Context ctx = vertx.getOrCreateContext();
        NodeInfo full = new NodeInfo(
                "a", "m-a", "http://a", "127.0.0.1", 10000, 1, 1, 0, 0, 0.1, false, 0, "127.0.0.1:1", Map.of("big", 1));
        ClusterDirectory a = new ClusterDirectory(vertx, config, members, () -> full, told::add);
        ClusterDirectory b = new ClusterDirectory(vertx, config, members, () -> node("b", 0), told::add);
        on(ctx, a::start);
        assertEquals(Route.LOCAL, on(ctx, () -> a.route("big")), "nobody serves it: a keeps it");
        on(ctx, b::start); // b reads a's entry: a has its one participant of "big"
        assertEquals(Route.LOCAL, on(ctx, () -> b.route("big")), "a is full for the room: it spans to b");
        // b now has one placed there too: with every node full the join goes to the room's owner.
        assertEquals(new Route("a", "http://a"), on(ctx, () -> b.route("big")));
        assertEquals(1L, b.toJson().getLong("redirected"));
    }
}
