package dev.chorus.sfu.forward;

import dev.chorus.sfu.worker.MediaWorker;
import java.util.concurrent.CompletableFuture;

/**
 * A room's router and the worker it lives on. {@link RouterRegistry#placeRouter} chooses the worker
 * at once and queues the router's creation there; the worker's queue is first in, first out, so every
 * command queued on it afterwards finds the router made, and nobody has to wait for it.
 */
public final class PlacedRouter {
    private final String roomId;
    private final MediaWorker worker;
    private final CompletableFuture<Router> created = new CompletableFuture<>();
    /** Worker thread only: set by the creation command, which runs before any later command. */
    private Router router;
    /** Why the router was not made, once known; read by any thread. */
    private volatile Throwable failure;

    PlacedRouter(String roomId, MediaWorker worker) {
        this.roomId = roomId;
        this.worker = worker;
    }

    public String roomId() {
        return roomId;
    }

    public MediaWorker worker() {
        return worker;
    }

    /** Completes on the worker with the router, or with why it was not made (e.g. a full queue). */
    public CompletableFuture<Router> created() {
        return created;
    }

    /**
     * Why the router was not made, or null while it is (or may yet be) made. Not null on return from
     * {@link RouterRegistry#placeRouter} when the worker's queue refused the creation.
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * Worker thread only, from a command queued after {@link RouterRegistry#placeRouter} returned:
     * the router, or null when its creation failed.
     */
    public Router router() {
        return router;
    }

    /** Worker thread: the creation command. */
    void create(RouterConfig config) {
        try {
            router = new Router(roomId, worker, config);
        } catch (RuntimeException | Error e) {
            refused(e);
            return;
        }
        created.complete(router);
    }

    void refused(Throwable why) {
        failure = why;
        created.completeExceptionally(why);
    }
}
