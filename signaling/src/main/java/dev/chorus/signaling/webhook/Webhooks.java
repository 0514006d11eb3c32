package dev.chorus.signaling.webhook;

import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks as the rooms see them: a {@link RoomListener} that turns what happens into numbered
 * {@link WebhookEvent}s and hands them to the {@link WebhookDispatcher}. On the signaling thread it only
 * numbers, checks the queue's bound and enqueues a task: encoding, signing and HTTP run on the webhook
 * context (its own event loop), so a slow or dead receiver never holds up signaling or media.
 */
public final class Webhooks implements RoomListener {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final long DROP_LOG_INTERVAL_MILLIS = 10_000;

    private final ServerConfig.Webhooks settings;
    private final LongSupplier clockMillis;
    private final Supplier<String> ids;
    private final WebhookStats stats = new WebhookStats();
    /** Each live room's id and event count; signaling thread only. */
    private final Map<Room, RoomLife> lives = new IdentityHashMap<>();

    private long lastDropLogMillis = Long.MIN_VALUE / 2;
    // Set by start(); the dispatcher is confined to the thread behind the executor.
    private volatile Executor dispatcherThread;
    private WebhookDispatcher dispatcher;
    private VertxWebhookSender sender;

    /**
     * @param clockMillis wall clock (event times, signature timestamps)
     * @param ids         unique event and room ids
     */
    Webhooks(ServerConfig.Webhooks settings, LongSupplier clockMillis, Supplier<String> ids) {
        this.settings = settings;
        this.clockMillis = clockMillis;
        this.ids = ids;
    }

    /** Webhooks as configured, or null when {@code chorus.webhooks.urls} is empty. Start before joins. */
    public static Webhooks create(ServerConfig.Webhooks settings) {
        return settings.enabled()
                ? new Webhooks(
                        settings,
                        System::currentTimeMillis,
                        () -> UUID.randomUUID().toString())
                : null;
    }

    /**
     * Deploys the webhook context (a verticle of its own, so its own event loop where Vert.x has more than
     * one) with its HTTP client and dispatcher.
     */
    public Future<Void> start(Vertx vertx, String userAgent) {
        return vertx.deployVerticle(new VerticleBase() {
                    @Override
                    public Future<?> start() {
                        sender = new VertxWebhookSender(
                                vertx, settings.requestTimeout().toMillis());
                        dispatcher = new WebhookDispatcher(
                                settings,
                                (delay, task) -> vertx.setTimer(Math.max(1, delay), id -> task.run()),
                                sender,
                                clockMillis,
                                stats,
                                userAgent);
                        dispatcherThread = task -> context.runOnContext(v -> task.run());
                        log.info(
                                "webhooks to {} URL(s), up to {} attempts each, backoff {}..{}",
                                settings.urls().size(),
                                settings.maxAttempts(),
                                settings.initialBackoff(),
                                settings.maxBackoff());
                        return Future.succeededFuture();
                    }

                    @Override
                    public Future<?> stop() {
                        int left = dispatcher.close();
                        if (left > 0) {
                            log.warn("webhooks stopped with {} deliveries undone", left);
                        }
                        sender.close();
                        return Future.succeededFuture();
                    }
                })
                .mapEmpty();
    }

    /** For tests: runs the dispatcher on {@code thread} with the given timers and HTTP. */
    void start(Executor thread, WebhookDispatcher.Scheduler scheduler, WebhookDispatcher.Sender http) {
        dispatcher = new WebhookDispatcher(settings, scheduler, http, clockMillis, stats, "chorus-test");
        dispatcherThread = thread;
    }

    /**
     * Waits, at most {@code chorus.webhooks.shutdown-wait}, until no one is left in a room ({@code members}
     * counts them, on the signaling thread) and every event is delivered or given up. For a graceful shutdown,
     * after the sockets were closed: their leaves still have to happen, then to be delivered.
     */
    public Future<Void> flush(Vertx vertx, Supplier<Future<Integer>> members) {
        long deadline = System.nanoTime() + settings.shutdownWait().toNanos();
        Promise<Void> done = Promise.promise();
        vertx.setPeriodic(
                50,
                timer -> members.get().onComplete(ar -> {
                    boolean empty = ar.succeeded() && ar.result() == 0 && stats.queued() == 0;
                    if (empty || System.nanoTime() > deadline) {
                        vertx.cancelTimer(timer);
                        if (done.tryComplete() && !empty) {
                            log.warn("shutdown: stopping with {} webhook event(s) undelivered", stats.queued());
                        }
                    }
                }));
        return done.future();
    }

    /** Delivery counters, for /metrics. */
    public WebhookStats stats() {
        return stats;
    }

    @Override
    public void roomStarted(Room room) {
        emit(room, WebhookEvent.ROOM_STARTED, null, null, null);
    }

    @Override
    public void participantJoined(Participant participant) {
        emit(participant.room(), WebhookEvent.PARTICIPANT_JOINED, participant, null, null);
    }

    @Override
    public void participantLeft(Participant participant, LeaveReason reason) {
        emit(participant.room(), WebhookEvent.PARTICIPANT_LEFT, participant, null, reason.wire());
    }

    @Override
    public void roomEnded(Room room) {
        emit(room, WebhookEvent.ROOM_ENDED, null, null, null);
        lives.remove(room);
    }

    @Override
    public void trackPublished(Participant participant, PublishedTrack track) {
        emit(participant.room(), WebhookEvent.TRACK_PUBLISHED, participant, track, null);
    }

    @Override
    public void trackUnpublished(Participant participant, PublishedTrack track) {
        emit(participant.room(), WebhookEvent.TRACK_UNPUBLISHED, participant, track, null);
    }

    private void emit(Room room, String type, Participant participant, PublishedTrack track, String reason) {
        RoomLife life = lives.computeIfAbsent(room, r -> new RoomLife(ids.get()));
        // Numbered even when dropped below: the receiver sees the gap.
        long sequence = ++life.sequence;
        long now = clockMillis.getAsLong();
        WebhookEvent event = new WebhookEvent(
                ids.get(),
                type,
                room.name(),
                life.sid,
                room.createdAtMillis(),
                sequence,
                now,
                participant == null
                        ? null
                        : new WebhookEvent.ParticipantInfo(
                                participant.id(),
                                participant.name(),
                                participant.identity(),
                                participant.role().wire()),
                track == null
                        ? null
                        : new WebhookEvent.TrackInfo(
                                track.producerId(),
                                track.mid(),
                                track.kind().token(),
                                track.source().wire()),
                reason);
        Executor thread = dispatcherThread;
        if (thread == null || !stats.tryEnqueue(settings.maxQueue())) {
            if (thread != null) {
                logDrop(now, event);
            }
            return;
        }
        thread.execute(() -> dispatcher.submit(event));
    }

    private void logDrop(long now, WebhookEvent event) {
        if (now - lastDropLogMillis >= DROP_LOG_INTERVAL_MILLIS) {
            lastDropLogMillis = now;
            log.warn(
                    "webhook queue full ({} events, chorus.webhooks.max-queue): dropped {} room={} seq={}"
                            + " ({} dropped so far; logged at most every {} s)",
                    settings.maxQueue(),
                    event.type(),
                    event.room(),
                    event.sequence(),
                    stats.dropped(),
                    DROP_LOG_INTERVAL_MILLIS / 1000);
        }
    }

    /** A room's lifetime as webhooks number it. */
    private static final class RoomLife {
        final String sid;
        long sequence;

        RoomLife(String sid) {
            this.sid = sid;
        }
    }
}
