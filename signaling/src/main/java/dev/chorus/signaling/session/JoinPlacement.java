package dev.chorus.signaling.session;

import io.vertx.core.Future;

/**
 * Where a join is served, in cluster mode (see {@code dev.chorus.signaling.cluster}): here, or on another node whose
 * URL the client is given. Called on the signaling thread; the future completes there too.
 */
public interface JoinPlacement {

    /** Here, or the node (and its public URL) that serves or will serve {@code room}. */
    Future<Route> route(String room);

    /**
     * As {@link #route(String)}, for a join that another node sent here ({@code redirected}): that node chose this
     * one knowing more about itself than this node does, so this node serves the join if it can.
     */
    default Future<Route> route(String room, boolean redirected) {
        return route(room);
    }

    /** A placement: {@link #LOCAL}, or another node. */
    record Route(String node, String url) {
        public static final Route LOCAL = new Route(null, null);

        public boolean local() {
            return node == null;
        }
    }
}
