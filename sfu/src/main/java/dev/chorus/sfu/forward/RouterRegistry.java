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
 * point for signaling: create a router here, then run every call on it through its worker
 * ({@code router.worker().call(() -> router.addProducer(...))}). Thread-safe; control path
 * only (the map may lock internally, the packet path never touches it).
 */
public final class RouterRegistry implements AutoCloseable {
    private final List<MediaWorker> workers;
    private final RouterConfig config;
    private final Map<String, Router> routers = new ConcurrentHashMap<>();
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
    public static RouterRegistry start(int count, PacketBufferPool pool, Clock clock, int queueCapacity,
                                       RouterConfig config) {
        List<MediaWorker> workers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MediaWorker w = new MediaWorker("media-" + i, clock, pool, queueCapacity, Math.max(16, queueCapacity / 16));
            w.start();
            workers.add(w);
        }
        return new RouterRegistry(workers, config);
    }

    /** Creates the router for {@code roomId} on the worker with the fewest routers. */
    public synchronized CompletableFuture<Router> createRouter(String roomId) {
        if (routers.containsKey(roomId)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("router exists: " + roomId));
        }
        MediaWorker worker = workers.get(0);
        for (MediaWorker w : workers) {
            if (load.get(w) < load.get(worker)) {
                worker = w;
            }
        }
        MediaWorker chosen = worker;
        load.merge(chosen, 1, Integer::sum);
        CompletableFuture<Router> created = chosen.call(() -> new Router(roomId, chosen, config));
        return created.whenComplete((router, error) -> {
            if (error == null) {
                routers.put(roomId, router);
            } else {
                load.merge(chosen, -1, Integer::sum);
            }
        });
    }

    /** The router of {@code roomId} or null. Use it only through its worker. */
    public Router router(String roomId) {
        return routers.get(roomId);
    }

    public CompletableFuture<Void> closeRouter(String roomId) {
        Router router = routers.remove(roomId);
        if (router == null) {
            return CompletableFuture.completedFuture(null);
        }
        load.merge(router.worker(), -1, Integer::sum);
        return router.worker().call(() -> {
            router.close();
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
        for (Router r : routers.values()) {
            parts.add(r.worker().call(r::toJson).thenAccept(json -> {
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
