package dev.chorus.signaling.http;

import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.MessageParser;
import dev.chorus.signaling.room.RoomRegistry;
import dev.chorus.signaling.session.SessionSettings;
import dev.chorus.signaling.session.SignalingSession;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
  private final Set<SignalingSession> sessions = new LinkedHashSet<>();
  private final long startedAtMillis = System.currentTimeMillis();
  private HttpServer server;

  public SignalingVerticle(ServerConfig config, RoomRegistry rooms, SessionSettings sessionSettings) {
    this.config = config;
    this.rooms = rooms;
    this.sessionSettings = sessionSettings;
    this.parser = new MessageParser(Limits.from(config.signaling()));
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
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

    long sweepMillis = Math.max(50, Math.min(config.signaling().keepaliveInterval().toMillis(),
        config.signaling().keepaliveTimeout().toMillis() / 10));
    vertx.setPeriodic(sweepMillis, id -> keepaliveSweep());

    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
      server = s;
      log.info("listening on http://{}:{}", config.http().host(), s.actualPort());
    });
  }

  /** The bound port; useful when configured as 0. */
  public int actualPort() {
    return server.actualPort();
  }

  /** Runs a change to room state on the thread that owns it. */
  public Future<Void> runOnSignalingThread(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      action.run();
      done.complete();
    });
    return done.future();
  }

  private void upgrade(RoutingContext ctx) {
    ctx.request().toWebSocket()
        .onSuccess(this::accept)
        .onFailure(e -> log.debug("websocket upgrade failed from {}: {}", ctx.request().remoteAddress(), e.toString()));
  }

  private void accept(ServerWebSocket socket) {
    SignalingSession session = new SignalingSession(socket, rooms, parser, sessionSettings,
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

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
