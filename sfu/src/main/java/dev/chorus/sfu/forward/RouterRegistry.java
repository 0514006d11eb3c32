package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.worker.Clock;
import dev.chorus.sfu.worker.ForwardingStats;
import dev.chorus.sfu.worker.MediaWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Places routers (one per room) on media workers and finds them again. This is the entry
 * point for signaling: place a router here (its worker is chosen at once, the router is made by
 * the first command on that worker), then run every call on it through its worker
 * ({@code placed.worker().submit(() -> placed.router().addProducer(...))}). Thread-safe; control
 * path only (the map may lock internally, the packet path never touches it).
 */
public final class RouterRegistry implements AutoCloseable {
    private final List<MediaWorker> workers;
    private final RouterConfig config;
    private final Map<String, PlacedRouter> routers = new ConcurrentHashMap<>();
    private final Map<MediaWorker, Integer> load = new ConcurrentHashMap<>();

    public RouterRegistry(List<MediaWorker> workers, RouterConfig config) {
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("need at least one worker");
        }
        this.workers = List.copyOf(workers);
        this.config = config;
        this.workers.forEach(w -> load.put(w, 0));
    }

    /**
     * Starts {@code count} worker threads sharing one pool.
     *
     * @param queueCapacity per-worker work ring size (packets + commands)
     */
    public static RouterRegistry start(
            int count, PacketBufferPool pool, Clock clock, int queueCapacity, RouterConfig config) {
        List<MediaWorker> workers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MediaWorker w = new MediaWorker("media-" + i, clock, pool, queueCapacity, Math.max(16, queueCapacity / 16));
            w.start();
            workers.add(w);
        }
        return new RouterRegistry(workers, config);
    }

    /**
     * Chooses the worker with the fewest routers for {@code roomId} and queues the router's creation
     * there as one command; returns at once. Commands queued on that worker afterwards run after the
     * creation (see {@link PlacedRouter#router()}). When the worker's queue refuses the command, or a
     * router for the room exists already, {@link PlacedRouter#created()} has failed on return.
     */
    public synchronized PlacedRouter placeRouter(String roomId) {
        if (routers.containsKey(roomId)) {
            PlacedRouter duplicate = new PlacedRouter(roomId, workers.get(0));
            duplicate.refused(new IllegalArgumentException("router exists: " + roomId));
            return duplicate;
        }
        MediaWorker worker = workers.get(0);
        for (MediaWorker w : workers) {
            if (load.get(w) < load.get(worker)) {
                worker = w;
            }
        }
        MediaWorker chosen = worker;
        PlacedRouter placed = new PlacedRouter(roomId, chosen);
        load.merge(chosen, 1, Integer::sum);
        routers.put(roomId, placed);
        // Registered before the command is queued, so a refusal below is undone here at once.
        placed.created().whenComplete((router, error) -> {
            if (error != null && routers.remove(roomId, placed)) {
                load.merge(chosen, -1, Integer::sum);
            }
        });
        if (!chosen.submit(() -> placed.create(config))) {
            placed.refused(new IllegalStateException("worker " + chosen.name() + " queue is full"));
        }
        return placed;
    }

    /** Creates the router for {@code roomId} on the worker with the fewest routers. */
    public CompletableFuture<Router> createRouter(String roomId) {
        return placeRouter(roomId).created();
    }

    /**
     * The router of {@code roomId}, or null when there is none or it is not made yet.
     * Use it only through its worker.
     */
    public Router router(String roomId) {
        PlacedRouter placed = routers.get(roomId);
        CompletableFuture<Router> created = placed == null ? null : placed.created();
        return created == null || !created.isDone() || created.isCompletedExceptionally() ? null : created.join();
    }

    /** Removes the room's router now and closes it on its worker (after its creation, if still queued). */
    public CompletableFuture<Void> closeRouter(String roomId) {
        PlacedRouter placed = routers.remove(roomId);
        if (placed == null) {
            return CompletableFuture.completedFuture(null);
        }
        load.merge(placed.worker(), -1, Integer::sum);
        return placed.worker().call(() -> {
            Router router = placed.router();
            if (router != null) {
                router.close();
            }
            return null;
        });
    }

    public List<MediaWorker> workers() {
        return workers;
    }

    /** The forwarding totals of every worker, each copied on its own thread, summed. */
    public CompletableFuture<ForwardingStats> statsSnapshot() {
        CompletableFuture<ForwardingStats> sum = CompletableFuture.completedFuture(ForwardingStats.empty());
        for (MediaWorker w : workers) {
            sum = sum.thenCombine(w.statsSnapshot(), ForwardingStats::plus);
        }
        return sum;
    }

    /** Every worker's and router's state, each read on its own worker thread. */
    public CompletableFuture<ObjectNode> debugJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode workerArray = root.putArray("workers");
        ArrayNode routerArray = root.putArray("routers");
        List<CompletableFuture<?>> parts = new ArrayList<>();
        for (MediaWorker w : workers) {
            parts.add(w.call(w::toJson).thenAccept(json -> {
                synchronized (root) {
                    workerArray.add(json);
                }
            }));
        }
        for (PlacedRouter p : routers.values()) {
            parts.add(p.worker()
                    .call(() -> p.router() == null ? null : p.router().toJson())
                    .thenAccept(json -> {
                        if (json == null) {
                            return; // its creation failed; the failure was reported to whoever placed it
                        }
                        synchronized (root) {
                            routerArray.add(json);
                        }
                    }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> root);
    }

    @Override
    public void close() {
        for (String roomId : List.copyOf(routers.keySet())) {
            closeRouter(roomId);
        }
        workers.forEach(MediaWorker::close);
    }
}
