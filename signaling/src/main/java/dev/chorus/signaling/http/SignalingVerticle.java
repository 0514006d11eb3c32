package dev.chorus.signaling.http;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.session.SessionSettings;
import dev.chorus.signaling.session.SignalingSession;
import dev.chorus.signaling.tls.TlsCertificate;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
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
  private final Set<SignalingSession> sessions = new LinkedHashSet<>();
  private final long startedAtMillis = System.currentTimeMillis();
  private HttpServer server;

  /**
   * @param mediaFactory starts the SFU given an executor for this verticle's thread, which owns
   *                     rooms, sessions and media sessions alike
   */
  public SignalingVerticle(ServerConfig config, RoomRegistry rooms, SessionSettings sessionSettings,
      Function<Executor, MediaService> mediaFactory) {
    this(config, rooms, sessionSettings, null, mediaFactory);
  }

  /** @param tls the https/wss certificate, or null for plain http/ws */
  public SignalingVerticle(ServerConfig config, RoomRegistry rooms, SessionSettings sessionSettings,
      TlsCertificate tls, Function<Executor, MediaService> mediaFactory) {
    this.config = config;
    this.tls = tls;
    this.mediaFactory = mediaFactory;
    this.rooms = rooms;
    this.sessionSettings = sessionSettings;
    this.parser = new MessageParser(Limits.from(config.signaling()));
  }

  @Override
  public Future<?> start() {
    // Opening the SFU (certificate, ICE stack, worker threads) takes a moment: off the event loop.
    return vertx.executeBlocking(() -> mediaFactory.apply(task -> context.runOnContext(v -> task.run())))
        .compose(started -> {
          media = started;
          return listen();
        });
  }

  private Future<HttpServer> listen() {
    Router router = Router.router(vertx);
    router.get("/debug").handler(this::debug);
    router.get("/health").handler(this::health);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("live", true)));
    router.get("/health/ready").handler(ctx -> json(ctx, rooms.acceptingJoins() ? 200 : 503,
        new JsonObject().put("ready", rooms.acceptingJoins())));
    router.get("/ws").handler(this::upgrade);
    // Deep links are the single-page client; it reads the room from the address bar.
    router.get("/r/:room").handler(ctx -> ctx.reroute("/"));
    router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html"));

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setMaxWebSocketFrameSize(config.signaling().maxFrameBytes())
        .setMaxWebSocketMessageSize(config.signaling().maxFrameBytes());
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(tls.certPath().toString()).setKeyPath(tls.keyPath().toString()));
    }

    long sweepMillis = Math.max(50, Math.min(config.signaling().keepaliveInterval().toMillis(),
        config.signaling().keepaliveTimeout().toMillis() / 10));
    vertx.setPeriodic(sweepMillis, id -> keepaliveSweep());

    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
      server = s;
      log.info("listening on {}://{}:{}", tls != null ? "https" : "http", config.http().host(), s.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    if (media != null) {
      media.close();
    }
    return Future.succeededFuture();
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

  private void upgrade(RoutingContext ctx) {
    ctx.request().toWebSocket()
        .onSuccess(this::accept)
        .onFailure(e -> log.debug("websocket upgrade failed from {}: {}", ctx.request().remoteAddress(), e.toString()));
  }

  private void accept(ServerWebSocket socket) {
    SignalingSession session = new SignalingSession(socket, rooms, media, parser, sessionSettings,
        sessionSettings.nanoClock().getAsLong(), sessions::remove);
    sessions.add(session);
    session.start();
  }

  private void keepaliveSweep() {
    long now = sessionSettings.nanoClock().getAsLong();
    for (SignalingSession session : List.copyOf(sessions)) {
      session.keepalive(now);
    }
  }

  private void health(RoutingContext ctx) {
    boolean ready = rooms.acceptingJoins();
    json(ctx, ready ? 200 : 503, new JsonObject()
        .put("status", ready ? "UP" : "DRAINING")
        .put("live", true)
        .put("ready", ready)
        .put("rooms", rooms.roomCount())
        .put("participants", rooms.participantCount())
        .put("connections", sessions.size())
        .put("uptimeSeconds", (System.currentTimeMillis() - startedAtMillis) / 1000));
  }

  /** Rooms, participants, transports and forwarding counters; loopback clients only by default. */
  private void debug(RoutingContext ctx) {
    String remote = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    if (!config.debug().allowRemote() && !isLoopback(remote)) {
      json(ctx, 403, new JsonObject().put("error", "/debug is served to loopback clients only"
          + " (set chorus.debug.allow-remote to change that)"));
      return;
    }
    JsonObject signaling = rooms.toJson();
    Future.fromCompletionStage(media.debugJson(), context).onComplete(ar -> {
      if (ar.failed()) {
        log.error("debug dump failed", ar.cause());
        json(ctx, 500, new JsonObject().put("error", "debug dump failed: " + ar.cause()));
        return;
      }
      json(ctx, 200, new JsonObject().put("signaling", signaling)
          .put("media", new JsonObject(ar.result().toString())));
    });
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
