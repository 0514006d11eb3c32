package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.worker.Timer;
import dev.chorus.sfu.worker.TimerQueue;

/**
 * Rate-limits keyframe requests towards one publisher: at most one per {@code minInterval}.
 * A request inside the interval is deferred to its end; further requests while one is deferred
 * are coalesced into it. So N subscribers asking at once cost the publisher one keyframe. A
 * keyframe arriving while a request is deferred answers it: the deferred request is dropped
 * (counted as satisfied). Requests are counted by {@link KeyframeRequestKind}. A request the
 * transport could not send (the publisher's DTLS not up yet) does not count as sent: it neither
 * starts the interval nor hides the next request, which goes out as soon as it comes.
 */
final class KeyframeRequester {
    /** Sends the actual request (a PLI to the publisher). */
    @FunctionalInterface
    interface Sink {
        /** True when the request went out. */
        boolean sendKeyframeRequest(long nowNanos);
    }

    private final TimerQueue timers;
    private final long minIntervalNanos;
    private final Sink sink;
    private final Timer deferred;
    private boolean sentBefore;
    private long lastSentNanos;
    private long requests;
    private long sent;
    private long notSent;
    private long coalesced;
    private long satisfiedByKeyframe;
    private final long[] byKind = new long[KeyframeRequestKind.values().length];

    KeyframeRequester(String name, TimerQueue timers, long minIntervalNanos, Sink sink) {
        this.timers = timers;
        this.minIntervalNanos = minIntervalNanos;
        this.sink = sink;
        this.deferred = new Timer(name, this::send);
    }

    void request(long nowNanos, KeyframeRequestKind kind) {
        requests++;
        byKind[kind.ordinal()]++;
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
        if (!sink.sendKeyframeRequest(nowNanos)) {
            notSent++;
            return;
        }
        sentBefore = true;
        lastSentNanos = nowNanos;
        sent++;
    }

    /** A keyframe arrived from the publisher: a deferred request is answered by it. */
    void onKeyframe() {
        if (deferred.isScheduled()) {
            timers.cancel(deferred);
            satisfiedByKeyframe++;
        }
    }

    long requested(KeyframeRequestKind kind) {
        return byKind[kind.ordinal()];
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
        n.put("notSent", notSent);
        n.put("coalesced", coalesced);
        n.put("satisfiedByKeyframe", satisfiedByKeyframe);
        n.put("deferredPending", deferred.isScheduled());
        ObjectNode kinds = n.putObject("byKind");
        for (KeyframeRequestKind k : KeyframeRequestKind.values()) {
            kinds.put(k.name(), byKind[k.ordinal()]);
        }
        return n;
    }
}
