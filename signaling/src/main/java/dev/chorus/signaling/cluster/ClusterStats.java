package dev.chorus.signaling.cluster;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's directory did: joins served here and sent elsewhere, nodes seen leaving, directory failures,
 * and the nodes it sees now. Written on the signaling thread, read by /metrics scrapes on a worker.
 */
final class ClusterStats implements MeterBinder {

    final AtomicLong routedHere = new AtomicLong();
    final AtomicLong redirected = new AtomicLong();
    final AtomicLong departures = new AtomicLong();
    final AtomicLong directoryErrors = new AtomicLong();
    final AtomicInteger liveNodes = new AtomicInteger();

    void writeTo(JsonObject o) {
        o.put("routedHere", routedHere.get())
                .put("redirected", redirected.get())
                .put("departures", departures.get())
                .put("directoryErrors", directoryErrors.get());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("chorus.cluster.nodes", liveNodes, AtomicInteger::get)
                .description("Nodes of the cluster this node sees live (itself included)")
                .register(registry);
        FunctionCounter.builder("chorus.cluster.joins.routed.here", routedHere, AtomicLong::get)
                .description("Joins this node served because its room is (or was placed) here")
                .register(registry);
        FunctionCounter.builder("chorus.cluster.joins.redirected", redirected, AtomicLong::get)
                .description("Joins answered 'redirect' to the node that serves their room")
                .register(registry);
        FunctionCounter.builder("chorus.cluster.departures", departures, AtomicLong::get)
                .description("Nodes seen leaving the cluster (killed, cut off or stopped)")
                .register(registry);
        FunctionCounter.builder("chorus.cluster.directory.errors", directoryErrors, AtomicLong::get)
                .description("Directory reads or writes that failed or timed out (the join was served here)")
                .register(registry);
    }
}
