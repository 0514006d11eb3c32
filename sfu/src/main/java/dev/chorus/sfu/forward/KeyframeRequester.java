package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.worker.Timer;
import dev.chorus.sfu.worker.TimerQueue;

/**
 * Rate-limits keyframe requests towards one publisher: at most one per {@code minInterval}.
 * A request inside the interval is deferred to its end; further requests while one is deferred
 * are coalesced into it. So N subscribers asking at once cost the publisher one keyframe.
 */
final class KeyframeRequester {
    /** Sends the actual request (a PLI to the publisher). */
    @FunctionalInterface
    interface Sink {
        void sendKeyframeRequest(long nowNanos);
    }

    private final TimerQueue timers;
    private final long minIntervalNanos;
    private final Sink sink;
    private final Timer deferred;
    private boolean sentBefore;
    private long lastSentNanos;
    private long requests;
    private long sent;
    private long coalesced;

    KeyframeRequester(String name, TimerQueue timers, long minIntervalNanos, Sink sink) {
        this.timers = timers;
        this.minIntervalNanos = minIntervalNanos;
        this.sink = sink;
        this.deferred = new Timer(name, this::send);
    }

    void request(long nowNanos) {
        requests++;
        if (deferred.isScheduled()) {
            coalesced++;
            return;
        }
        if (!sentBefore || nowNanos - lastSentNanos >= minIntervalNanos) {
            send(nowNanos);
        } else {
            timers.schedule(deferred, lastSentNanos + minIntervalNanos);
        }
    }

    private void send(long nowNanos) {
        sentBefore = true;
        lastSentNanos = nowNanos;
        sent++;
        sink.sendKeyframeRequest(nowNanos);
    }

    void close() {
        timers.cancel(deferred);
    }

    long sent() {
        return sent;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("requests", requests);
        n.put("sent", sent);
        n.put("coalesced", coalesced);
        n.put("deferredPending", deferred.isScheduled());
        return n;
    }
}
