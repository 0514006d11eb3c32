package dev.chorus.signaling.webhook;

import dev.chorus.signaling.config.ServerConfig;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to every URL, at least once and in order per room: each URL has a lane per room, a FIFO
 * whose head is the only delivery of that room in progress to that URL. The head is POSTed; on a 2xx it is
 * done, otherwise it is tried again after a backoff that doubles from {@code initialBackoff} up to
 * {@code maxBackoff}, until {@code maxAttempts} attempts in all, and then given up (logged, counted). Only then
 * does the room's next event go. Rooms never wait for each other, nor URLs for each other.
 *
 * <p>Confined to one thread (the webhook context): {@link #submit}, the {@link Scheduler}'s tasks and the
 * {@link Sender}'s callbacks all run there, so there are no locks. Clock, timers and HTTP are injected, which
 * makes the retry logic testable step by step with a fake clock.
 */
final class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Runs a task on the dispatcher's thread after a delay. */
    interface Scheduler {
        void schedule(long delayMillis, Runnable task);
    }

    /** POSTs a body; calls {@code done} exactly once, on the dispatcher's thread. */
    interface Sender {
        void post(URI url, Map<String, String> headers, String body, Consumer<Result> done);
    }

    /** An attempt's outcome: the HTTP status, or -1 and what went wrong (no connection, timeout). */
    record Result(int status, String error) {
        static Result status(int status) {
            return new Result(status, null);
        }

        static Result error(String error) {
            return new Result(-1, error);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String describe() {
            return status >= 0 ? "HTTP " + status : error;
        }
    }

    private final List<Target> targets = new ArrayList<>();
    private final int maxAttempts;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    private final Scheduler scheduler;
    private final Sender sender;
    private final LongSupplier clockMillis;
    private final WebhookStats stats;
    private final WebhookSignature signature;
    private final String userAgent;
    private boolean closed;

    WebhookDispatcher(
            ServerConfig.Webhooks settings,
            Scheduler scheduler,
            Sender sender,
            LongSupplier clockMillis,
            WebhookStats stats,
            String userAgent) {
        for (String url : settings.urls()) {
            targets.add(new Target(URI.create(url)));
        }
        this.maxAttempts = settings.maxAttempts();
        this.initialBackoffMillis = settings.initialBackoff().toMillis();
        this.maxBackoffMillis = settings.maxBackoff().toMillis();
        this.scheduler = scheduler;
        this.sender = sender;
        this.clockMillis = clockMillis;
        this.stats = stats;
        this.signature = new WebhookSignature(settings.secret());
        this.userAgent = userAgent;
    }

    /** Queues {@code event} for every URL; its room's lane sends it when the events before it are done. */
    void submit(WebhookEvent event) {
        if (closed) {
            stats.dequeued();
            return;
        }
        Pending pending = new Pending(event, event.toJson().encode(), targets.size());
        for (Target target : targets) {
            Lane lane = target.lanes.computeIfAbsent(event.room(), room -> new Lane(target, room));
            lane.queue.addLast(pending);
            if (lane.queue.size() == 1) {
                attempt(lane);
            }
        }
    }

    /** The wait before attempt {@code failed + 1}, after {@code failed} failed attempts (1, 2, ...). */
    long backoffMillis(int failed) {
        long delay = initialBackoffMillis;
        for (int i = 1; i < failed && delay < maxBackoffMillis; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxBackoffMillis);
    }

    /** Stops: nothing more is sent or retried. Returns how many deliveries were left undone. */
    int close() {
        closed = true;
        int left = 0;
        for (Target target : targets) {
            for (Lane lane : target.lanes.values()) {
                left += lane.queue.size();
            }
            target.lanes.clear();
        }
        return left;
    }

    /** Lanes with events waiting or in progress, over every URL (tests, debug). */
    int lanes() {
        int n = 0;
        for (Target target : targets) {
            n += target.lanes.size();
        }
        return n;
    }

    private void attempt(Lane lane) {
        if (closed) {
            return;
        }
        Pending head = lane.queue.peekFirst();
        int attempt = ++lane.attempts;
        long timestamp = clockMillis.getAsLong() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", userAgent);
        headers.put("Chorus-Webhook-Id", head.event.id());
        headers.put("Chorus-Webhook-Event", head.event.type());
        headers.put("Chorus-Webhook-Attempt", Integer.toString(attempt));
        // Signed per attempt: a retry carries a fresh timestamp, so receivers can keep a tight replay window.
        headers.put(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(WebhookSignature.SIGNATURE_HEADER, signature.sign(timestamp, head.body));
        sender.post(lane.target.url, headers, head.body, result -> completed(lane, head, attempt, result));
    }

    private void completed(Lane lane, Pending head, int attempt, Result result) {
        if (closed || lane.queue.peekFirst() != head || lane.attempts != attempt) {
            return; // closed meanwhile, or a duplicate callback
        }
        if (result.ok()) {
            stats.countDelivered();
            if (attempt > 1) {
                log.info(
                        "webhook {} {} room={} seq={} delivered to {} at attempt {}",
                        head.event.type(),
                        head.event.id(),
                        head.event.room(),
                        head.event.sequence(),
                        lane.target.logName,
                        attempt);
            }
            next(lane);
        } else if (attempt >= maxAttempts) {
            stats.countFailed();
            log.warn(
                    "webhook {} {} room={} seq={} given up for {} after {} attempts (last: {})",
                    head.event.type(),
                    head.event.id(),
                    head.event.room(),
                    head.event.sequence(),
                    lane.target.logName,
                    attempt,
                    result.describe());
            next(lane);
        } else {
            stats.countRetried();
            long delay = backoffMillis(attempt);
            log.debug(
                    "webhook {} {} room={} to {}: attempt {} failed ({}), again in {} ms",
                    head.event.type(),
                    head.event.id(),
                    head.event.room(),
                    lane.target.logName,
                    attempt,
                    result.describe(),
                    delay);
            scheduler.schedule(delay, () -> attempt(lane));
        }
    }

    /** The head is done (delivered or given up): the room's next event goes, or the lane goes away. */
    private void next(Lane lane) {
        Pending done = lane.queue.pollFirst();
        lane.attempts = 0;
        if (--done.targetsLeft == 0) {
            stats.dequeued();
        }
        if (lane.queue.isEmpty()) {
            lane.target.lanes.remove(lane.room);
        } else {
            attempt(lane);
        }
    }

    /** An event and its body, waiting for {@code targetsLeft} URLs. */
    private static final class Pending {
        final WebhookEvent event;
        final String body;
        int targetsLeft;

        Pending(WebhookEvent event, String body, int targets) {
            this.event = event;
            this.body = body;
            this.targetsLeft = targets;
        }
    }

    /** One URL and its lanes, by room name. */
    private static final class Target {
        final URI url;
        /** No credentials or query in logs: either may hold a secret. */
        final String logName;

        final Map<String, Lane> lanes = new HashMap<>();

        Target(URI url) {
            this.url = url;
            this.logName = url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                    + (url.getRawPath() == null ? "" : url.getRawPath());
        }
    }

    /** One room's events for one URL, in order; the head is being attempted. */
    private static final class Lane {
        final Target target;
        final String room;
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        /** Attempts made for the head so far. */
        int attempts;

        Lane(Target target, String room) {
            this.target = target;
            this.room = room;
        }
    }
}
