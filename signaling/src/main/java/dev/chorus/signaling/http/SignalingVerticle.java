package dev.chorus.signaling.http;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.worker.ThreadNice;
import dev.chorus.signaling.api.ApiCredentials;
import dev.chorus.signaling.api.ApiRoutes;
import dev.chorus.signaling.api.RecordingApi;
import dev.chorus.signaling.cluster.ClusterDirectory;
import dev.chorus.signaling.cluster.ClusterMembers;
import dev.chorus.signaling.cluster.ClusterNode;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.metrics.ServerMetrics;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.Timers;
import dev.chorus.signaling.security.ClientLimits;
import dev.chorus.signaling.security.OriginPolicy;
import dev.chorus.signaling.security.SecurityHeaders;
import dev.chorus.signaling.session.JoinQueue;
import dev.chorus.signaling.session.Resumption;
import dev.chorus.signaling.session.SessionSettings;
import dev.chorus.signaling.session.SignalingSession;
import dev.chorus.signaling.tls.TlsCertificate;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the server: the web client, {@code /r/<room>} deep links, health
 * checks and the signaling WebSocket. Deployed as a single instance so every session
 * and the room registry share one event-loop thread.
 */
public final class SignalingVerticle extends VerticleBase {

    private static final Logger log = LoggerFactory.getLogger(SignalingVerticle.class);

    private final ServerConfig config;
    private final RoomRegistry rooms;
    private final SessionSettings sessionSettings;
    private final MessageParser parser;
    private final Function<Executor, MediaService> mediaFactory;
    private final TlsCertificate tls;
    private MediaService media;
    /** Room recordings (server API and moderators); made when the server listens. */
    private RecordingApi recordings;

    private final Set<SignalingSession> sessions = new LinkedHashSet<>();
    private final long startedAtMillis = System.currentTimeMillis();
    private HttpServer server;
    private final OriginPolicy origins;
    /** Who may read /metrics and /debug. */
    private final OperatorAccess access;

    private long originsRefused;
    private ServerMetrics metrics;
    /** Resume tokens and participants held after a dropped socket; made at start. */
    private Resumption resumption;

    private JoinQueue joinQueue;
    /** Cluster mode's directory of nodes and rooms, which routes joins; null on a single node. */
    private ClusterDirectory cluster;

    private ClusterMembers clusterMembers;

    private long metricsSequence;
    /** Meters of other parts (webhooks), bound to the registry when /metrics is on. */
    private final List<MeterBinder> meterBinders = new ArrayList<>();
    /** Set once shutdown starts; completes when the drain is over. Signaling thread only. */
    private Promise<Void> drain;

    private long drainTimer = -1;
    private JsonObject drainNotice;

    /**
     * @param mediaFactory starts the SFU given an executor for this verticle's thread, which owns
     *                     rooms, sessions and media sessions alike
     */
    public SignalingVerticle(
            ServerConfig config,
            RoomRegistry rooms,
            SessionSettings sessionSettings,
            Function<Executor, MediaService> mediaFactory) {
        this(config, rooms, sessionSettings, null, mediaFactory);
    }

    /** @param tls the https/wss certificate, or null for plain http/ws */
    public SignalingVerticle(
            ServerConfig config,
            RoomRegistry rooms,
            SessionSettings sessionSettings,
            TlsCertificate tls,
            Function<Executor, MediaService> mediaFactory) {
        this.config = config;
        this.tls = tls;
        this.mediaFactory = mediaFactory;
        this.rooms = rooms;
        this.sessionSettings = sessionSettings;
        this.parser = new MessageParser(Limits.from(config.signaling()));
        this.origins = new OriginPolicy(config.security().allowedOrigins());
        this.access = new OperatorAccess(config, new ApiCredentials(config.api()));
    }

    @Override
    public Future<?> start() {
        // Opening the SFU (certificate, ICE stack, worker threads) takes a moment: off the event loop.
        return vertx.executeBlocking(() -> mediaFactory.apply(task -> context.runOnContext(v -> task.run())))
                .compose(started -> {
                    media = started;
                    // This event loop runs signaling and the media plane's control tasks: session set-up, which may
                    // wait when the CPU is short, where forwarding may not. Only now: a thread inherits the nice value
                    // of the thread that starts it, and the media threads have started.
                    ThreadNice.lowerCurrentThread(config.media().transport().setupThreadNice());
                    if (config.metrics().enabled()) {
                        metrics = new ServerMetrics();
                        meterBinders.forEach(b -> b.bindTo(metrics.registry()));
                    }
                    return listen();
                })
                .compose(listening -> config.cluster().enabled() ? joinCluster() : Future.succeededFuture());
    }

    private Future<Void> joinCluster() {
        // Every socket hears of a node coming or going: a page whose node dies goes to another one.
        return ClusterNode.join(
                        vertx,
                        config,
                        clusterMembers,
                        tls != null,
                        server.actualPort(),
                        media,
                        rooms,
                        joinQueue::waiting,
                        nodes -> sessions.forEach(s -> s.send(nodes)))
                .onSuccess(directory -> {
                    cluster = directory;
                    if (metrics != null) {
                        directory.meters().bindTo(metrics.registry());
                    }
                })
                .mapEmpty();
    }

    private Future<HttpServer> listen() {
        // Set on this verticle's context, so the timers fire on the signaling thread.
        Timers timers = (delayMillis, task) -> vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
        joinQueue = new JoinQueue(
                config.signaling().joinsPerSecond(),
                config.signaling().joinBurst(),
                config.signaling().joinQueue(),
                sessionSettings.nanoClock(),
                timers);
        resumption = new Resumption(rooms, config.resume(), timers, System::currentTimeMillis);
        Router router = Router.router(vertx);
        if (config.security().pageHeaders()) {
            router.route().handler(ctx -> SecurityHeaders.handle(ctx, tls != null));
        }
        router.get("/debug").handler(this::debug);
        if (metrics != null) {
            router.get("/metrics").handler(this::metrics);
        }
        router.get("/health").handler(this::health);
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("live", true)));
        router.get("/health/ready")
                .handler(ctx -> json(
                        ctx,
                        rooms.acceptingJoins() ? 200 : 503,
                        new JsonObject().put("ready", rooms.acceptingJoins())));
        router.get("/ws").handler(this::upgrade);
        recordings = new RecordingApi(
                rooms, Path.of(config.dataDir()).resolve("recordings"), () -> media, sessionSettings.wallClock());
        ApiRoutes.mount(router, config, rooms, recordings, () -> media, sessionSettings.wallClock());
        // Deep links are the single-page client; it reads the room from the address bar.
        router.get("/r/:room").handler(ctx -> ctx.reroute("/"));
        router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html"));

        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(config.http().port())
                .setMaxWebSocketFrameSize(config.signaling().maxFrameBytes())
                .setMaxWebSocketMessageSize(config.signaling().maxFrameBytes());
        if (tls != null) {
            options.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(tls.certPath().toString())
                            .setKeyPath(tls.keyPath().toString()));
        }

        long sweepMillis = Math.max(
                50,
                Math.min(
                        config.signaling().keepaliveInterval().toMillis(),
                        config.signaling().keepaliveTimeout().toMillis() / 10));
        vertx.setPeriodic(sweepMillis, id -> keepaliveSweep());

        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
            server = s;
            log.info(
                    "listening on {}://{}:{}",
                    tls != null ? "https" : "http",
                    config.http().host(),
                    s.actualPort());
        });
    }

    @Override
    public Future<?> stop() {
        Future<Void> left = cluster == null ? Future.succeededFuture() : cluster.stop();
        // Sessions end here; workers, transports and the port are released off the event loop.
        Future<Void> mediaReleased =
                media == null ? Future.succeededFuture() : Future.fromCompletionStage(media.closeAsync(), context);
        if (metrics != null) {
            metrics.close();
        }
        return Future.join(left, mediaReleased).mapEmpty();
    }

    /** Cluster mode: the cluster's membership, from {@link dev.chorus.signaling.cluster.ClusteredVertx}; call before deploying. */
    public void clusterMembers(ClusterMembers members) {
        this.clusterMembers = members;
    }

    /** Adds meters to /metrics; call before deploying. */
    public void addMeterBinder(MeterBinder binder) {
        meterBinders.add(binder);
    }

    /** The SFU; use it on the signaling thread only. */
    public MediaService media() {
        return media;
    }

    /** The bound port; useful when configured as 0. */
    public int actualPort() {
        return server.actualPort();
    }

    /** Runs a change to room state on the thread that owns it. */
    public Future<Void> runOnSignalingThread(Runnable action) {
        return callOnSignalingThread(() -> {
            action.run();
            return null;
        });
    }

    /** Runs {@code action} on the thread that owns rooms and media, and completes with its result. */
    public <T> Future<T> callOnSignalingThread(Supplier<T> action) {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> {
            try {
                done.complete(action.get());
            } catch (RuntimeException e) {
                done.fail(e);
            }
        });
        return done.future();
    }

    // ---------------------------------------------------------------- graceful shutdown

    /**
     * Starts draining (idempotent): refuses new joins ({@code shutting_down}), sends every connected
     * client {@code server-shutdown}, and completes when no participant is left in any room or after
     * {@code timeout}, whichever comes first (or at once via {@link #endDrain}). Rooms carry on
     * meanwhile.
     */
    public Future<Void> drain(Duration timeout) {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> {
            if (drain != null) {
                drain.future().onComplete(result);
                return;
            }
            drain = Promise.promise();
            drain.future().onComplete(result);
            rooms.stopAcceptingJoins();
            long timeoutMillis = timeout.toMillis();
            JsonObject notice =
                    ServerMessages.serverShutdown(timeoutMillis, System.currentTimeMillis() + timeoutMillis);
            drainNotice = notice;
            for (SignalingSession session : List.copyOf(sessions)) {
                session.send(notice);
            }
            log.info(
                    "shutdown: refusing new joins, told {} connection(s); {} participant(s) in {} room(s) {}; "
                            + "waiting up to {} ms for the rooms to empty",
                    sessions.size(),
                    rooms.participantCount(),
                    rooms.roomCount(),
                    rooms.roomNames(),
                    timeoutMillis);
            long startNanos = System.nanoTime();
            if (rooms.participantCount() == 0) {
                endDrainNow("no participants");
                return;
            }
            drainTimer = vertx.setPeriodic(100, id -> {
                long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
                if (rooms.participantCount() == 0) {
                    endDrainNow("all rooms empty after " + elapsedMillis + " ms");
                } else if (elapsedMillis >= timeoutMillis) {
                    endDrainNow("drain timeout after " + elapsedMillis + " ms: " + rooms.participantCount()
                            + " participant(s) still in room(s) " + rooms.roomNames());
                }
            });
        });
        return result.future();
    }

    /** Ends a drain in progress at once (a second signal); no-op otherwise. */
    public Future<Void> endDrain(String why) {
        return runOnSignalingThread(() -> {
            if (drain != null) {
                endDrainNow(why);
            }
        });
    }

    private void endDrainNow(String why) {
        if (drainTimer >= 0) {
            vertx.cancelTimer(drainTimer);
            drainTimer = -1;
        }
        if (drain.tryComplete()) {
            log.info("shutdown: drain over ({})", why);
        }
    }

    /** Closes every WebSocket with 1001 (going away); completes when the close frames are out. */
    public Future<Void> disconnectAll(String reason) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            List<Future<Void>> closing = new ArrayList<>();
            for (SignalingSession session : List.copyOf(sessions)) {
                closing.add(session.goAway(reason));
            }
            log.info("shutdown: closing {} connection(s)", closing.size());
            Future.join(closing).onComplete(ar -> done.complete());
        });
        return done.future();
    }

    // ---------------------------------------------------------------- sockets

    private void upgrade(RoutingContext ctx) {
        String ip = ctx.request().remoteAddress() == null
                ? ""
                : ctx.request().remoteAddress().hostAddress();
        String origin = ctx.request().getHeader("Origin");
        String host = ctx.request().authority() == null
                ? null
                : ctx.request().authority().toString();
        if (!origins.allows(origin, host, tls != null)) {
            originsRefused++;
            log.info(
                    "remote={} websocket refused: origin {} not allowed (chorus.security.allowed-origins)", ip, origin);
            json(
                    ctx,
                    403,
                    new JsonObject()
                            .put("error", "origin_not_allowed")
                            .put("message", "pages from " + origin + " may not open a session here"));
            return;
        }
        ClientLimits limits = sessionSettings.clientLimits();
        long now = sessionSettings.nanoClock().getAsLong();
        ClientLimits.Refusal refusal = limits.tryConnect(ip, now);
        if (refusal != null) {
            log.info("remote={} websocket refused: {}", ip, refusal.wire());
            json(
                    ctx,
                    429,
                    new JsonObject()
                            .put("error", refusal.wire())
                            .put("message", "too many connections from your address; try again shortly"));
            return;
        }
        ctx.request().toWebSocket().onSuccess(socket -> accept(socket, ip)).onFailure(e -> {
            limits.release(ip, sessionSettings.nanoClock().getAsLong());
            log.debug("websocket upgrade failed from {}: {}", ctx.request().remoteAddress(), e.toString());
        });
    }

    private void accept(ServerWebSocket socket, String ip) {
        SignalingSession session = new SignalingSession(
                socket,
                rooms,
                media,
                parser,
                sessionSettings,
                resumption,
                joinQueue,
                cluster,
                sessionSettings.nanoClock().getAsLong(),
                ended -> {
                    sessions.remove(ended);
                    sessionSettings
                            .clientLimits()
                            .release(ip, sessionSettings.nanoClock().getAsLong());
                });
        sessions.add(session);
        session.start();
        if (cluster != null) {
            session.send(cluster.nodesMessage());
        }
        if (drain != null) {
            // Connected during the drain: say why a join will be refused.
            session.send(drainNotice);
        }
    }

    private void keepaliveSweep() {
        long now = sessionSettings.nanoClock().getAsLong();
        sessionSettings.clientLimits().sweep(now);
        for (SignalingSession session : List.copyOf(sessions)) {
            session.keepalive(now);
        }
    }

    private void health(RoutingContext ctx) {
        boolean ready = rooms.acceptingJoins();
        json(
                ctx,
                ready ? 200 : 503,
                new JsonObject()
                        .put("status", ready ? "UP" : "DRAINING")
                        .put("live", true)
                        .put("ready", ready)
                        .put("rooms", rooms.roomCount())
                        .put("participants", rooms.participantCount())
                        .put("connections", sessions.size())
                        .put("uptimeSeconds", (System.currentTimeMillis() - startedAtMillis) / 1000));
    }

    /**
     * Prometheus text format. Takes a fresh snapshot first (signaling counts here, media counts from
     * each media worker on its own thread), then renders on a worker thread so the JVM meters never
     * hold up the event loop.
     */
    private void metrics(RoutingContext ctx) {
        if (!access.admitMetrics(ctx)) {
            return;
        }
        ServerMetrics.Signaling signaling = new ServerMetrics.Signaling(
                rooms.roomCount(),
                rooms.participantCount(),
                rooms.viewerCount(),
                sessions.size(),
                !rooms.acceptingJoins(),
                joinQueue.waiting(),
                joinQueue.queuedTotal(),
                joinQueue.refusedTotal());
        long sequence = ++metricsSequence;
        Future.fromCompletionStage(media.metrics().orTimeout(5, TimeUnit.SECONDS), context)
                .compose(m ->
                        vertx.executeBlocking(() -> metrics.scrape(new ServerMetrics.Snapshot(sequence, signaling, m))))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        log.warn("metrics scrape failed: {}", ar.cause().toString());
                        ctx.response()
                                .setStatusCode(503)
                                .putHeader("content-type", "text/plain; charset=utf-8")
                                .end("metrics unavailable: " + ar.cause() + "\n");
                        return;
                    }
                    ctx.response()
                            .setStatusCode(200)
                            .putHeader("content-type", ServerMetrics.CONTENT_TYPE)
                            .putHeader("cache-control", "no-store")
                            .end(ar.result());
                });
    }

    /** Rooms, participants, transports and forwarding counters; loopback clients only by default. */
    private void debug(RoutingContext ctx) {
        if (!access.admitDebug(ctx)) {
            return;
        }
        String signaling = rooms.toJson()
                .put("resume", resumption.toJson())
                .put("joinQueue", joinQueue.toJson())
                .put("cluster", cluster == null ? null : cluster.toJson())
                .encode();
        String clientLimits = sessionSettings
                .clientLimits()
                .toJson()
                .put("originRefused", originsRefused)
                .encode();
        // The media tree of a busy server is large: it is written out on a worker, as is, not parsed back into a
        // JsonObject and written again on this thread (that blocked signaling for 4-5 s at the end of a six-page call).
        Future.fromCompletionStage(media.debugJson(), context)
                .compose(mediaTree -> vertx.executeBlocking(() -> "{\"signaling\":" + signaling + ",\"clientLimits\":"
                        + clientLimits + ",\"media\":" + mediaTree.toString() + "}"))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        log.error("debug dump failed", ar.cause());
                        json(ctx, 500, new JsonObject().put("error", "debug dump failed: " + ar.cause()));
                        return;
                    }
                    json(ctx, 200, ar.result());
                });
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        json(ctx, status, body.encode());
    }

    /** As {@link #json(RoutingContext, int, JsonObject)}, for a body already written out. */
    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store")
                .end(body);
    }
}
