package dev.chorus.signaling;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.signaling.cluster.ClusterMembers;
import dev.chorus.signaling.cluster.ClusteredVertx;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.http.SignalingVerticle;
import dev.chorus.signaling.room.ParticipantIds;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.room.ViewerSettings;
import dev.chorus.signaling.session.SessionSettings;
import dev.chorus.signaling.tls.TlsCertificate;
import dev.chorus.signaling.webhook.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Starts and stops one server: Vert.x, the room registry and the signaling verticle. */
public final class ChorusServer {

    public static final String VERSION = "0.1.0";

    private final ServerConfig config;
    /** Made here on a single node; in cluster mode by {@link #start()}, which joins the cluster first. */
    private Vertx vertx;
    /** Cluster mode's membership; null on a single node. */
    private ClusterMembers clusterMembers;

    private final RoomRegistry rooms;
    private SignalingVerticle verticle;
    private TlsCertificate tls;
    /** Room events to the application's URLs; null when none are configured. */
    private final Webhooks webhooks;

    public ChorusServer(ServerConfig config) {
        this.config = config;
        if (!config.cluster().enabled()) {
            this.vertx = Vertx.vertx(vertxOptions());
        }
        this.rooms = new RoomRegistry(
                config.rooms().maxParticipants(),
                config.rooms().maxRooms(),
                config.signaling().chatHistory(),
                System::currentTimeMillis,
                new ParticipantIds(),
                new ViewerSettings(
                        config.rooms().maxViewers(),
                        config.rooms().viewerChat(),
                        config.rooms().viewerCountInterval().toMillis(),
                        config.rooms().viewerChatPerSecond()),
                // Called on the signaling context, so the timer fires there too.
                (delayMillis, task) -> vertx.setTimer(Math.max(1, delayMillis), id -> task.run()));
        this.webhooks = Webhooks.create(config.webhooks());
        if (webhooks != null) {
            rooms.addListener(webhooks);
        }
    }

    private static VertxOptions vertxOptions() {
        // Vert.x copies classpath files it serves into a cache directory, by default in the
        // working directory; keep that out of people's checkouts.
        return new VertxOptions()
                .setFileSystemOptions(new FileSystemOptions()
                        .setFileCacheDir(Path.of(System.getProperty("java.io.tmpdir"), "chorus-vertx-cache")
                                .toString()));
    }

    public Future<ChorusServer> start() {
        if (vertx == null) {
            return ClusteredVertx.start(vertxOptions(), config.cluster())
                    .recover(e -> Future.failedFuture(new IllegalStateException(
                            "cluster: cannot join on " + config.cluster().host() + ":"
                                    + config.cluster().port() + ": " + e.getMessage(),
                            e)))
                    .compose(clustered -> {
                        vertx = clustered.vertx();
                        clusterMembers = clustered.members();
                        return startOn();
                    });
        }
        return startOn();
    }

    private Future<ChorusServer> startOn() {
        if (config.http().tls().enabled()) {
            try {
                tls = TlsCertificate.resolve(config);
            } catch (IOException | RuntimeException e) {
                return Future.failedFuture(new IllegalStateException("TLS: " + e.getMessage(), e));
            }
        }
        SessionSettings settings;
        try {
            settings = SessionSettings.from(config, VERSION, System::nanoTime, System::currentTimeMillis);
        } catch (IllegalArgumentException e) { // e.g. an unreadable chorus.auth.jwks-file
            return Future.failedFuture(e);
        }
        MediaService.Settings mediaSettings = config.media().settings();
        verticle = new SignalingVerticle(config, rooms, settings, tls, control -> {
            try {
                return MediaService.start(mediaSettings, control);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot open media port " + config.media().address() + ":"
                                + config.media().port() + " (udp) / "
                                + config.media().tcpPort() + " (ice-tcp): " + e.getMessage(),
                        e);
            }
        });
        if (clusterMembers != null) {
            verticle.clusterMembers(clusterMembers);
        }
        Future<Void> hooks = Future.succeededFuture();
        if (webhooks != null) {
            verticle.addMeterBinder(webhooks.stats());
            hooks = webhooks.start(vertx, "chorus/" + VERSION);
        }
        return hooks.compose(v -> vertx.deployVerticle(verticle)).map(id -> this);
    }

    /** The https certificate served, or null when TLS is off. */
    public TlsCertificate tlsCertificate() {
        return tls;
    }

    /** "https" or "http". */
    public String scheme() {
        return tls != null ? "https" : "http";
    }

    public int httpPort() {
        return verticle.actualPort();
    }

    /** The UDP port all media shares; useful when configured as 0. */
    public int mediaPort() {
        return verticle.media().udpPort();
    }

    /** The ICE-TCP port (useful when configured as 0), or -1 when ICE-TCP is off. */
    public int mediaTcpPort() {
        return verticle.media().tcpPort();
    }

    /** The webhooks, or null when none are configured. */
    public Webhooks webhooks() {
        return webhooks;
    }

    /** Runs {@code action} with the SFU on the signaling thread (tests, diagnostics). */
    public <T> Future<T> withMedia(Function<MediaService, T> action) {
        return verticle.callOnSignalingThread(() -> action.apply(verticle.media()));
    }

    /** Refuses new joins from now on; existing rooms carry on. */
    public Future<Void> stopAcceptingJoins() {
        return verticle.runOnSignalingThread(rooms::stopAcceptingJoins);
    }

    /**
     * Graceful shutdown: refuses new joins, tells every client ({@code server-shutdown}), waits until
     * the rooms are empty or {@code drainTimeout} has passed, closes the WebSockets (1001) and then
     * stops media and Vert.x. Safe to call more than once; the drain starts once.
     */
    public Future<Void> shutdownGracefully(Duration drainTimeout) {
        return verticle.drain(drainTimeout)
                .compose(v -> verticle.disconnectAll("server shutting down"))
                // The leaves just made are events too (participant_left, room_ended): give them a moment.
                .compose(v -> webhooks == null
                        ? Future.succeededFuture()
                        : webhooks.flush(vertx, () -> verticle.callOnSignalingThread(rooms::participantCount)))
                .compose(v -> stop());
    }

    /** Ends a drain in progress now (a second SIGTERM); the shutdown then carries on at once. */
    public Future<Void> endDrain(String why) {
        return verticle.endDrain(why);
    }

    public Future<Void> stop() {
        return vertx == null ? Future.succeededFuture() : vertx.close();
    }

    /** Blocking stop for shutdown hooks and tests. */
    public void stopAndWait(Duration timeout) {
        try {
            stop().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("server did not stop within " + timeout, e);
        }
    }
}
