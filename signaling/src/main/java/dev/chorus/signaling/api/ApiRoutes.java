package dev.chorus.signaling.api;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API's HTTP face under {@link #PREFIX}: the route table (which the OpenAPI file at
 * {@code /api/v1/openapi.json} describes; {@code ApiOpenApiTest} keeps the two equal), bearer token checks, JSON
 * bodies and JSON errors. Mounted on the signaling verticle's router, so every handler runs on the thread that owns
 * the rooms. With no {@code chorus.api.key}/{@code secret} every call but the OpenAPI file answers 404
 * {@code api_disabled}.
 */
public final class ApiRoutes {

    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

    public static final String PREFIX = "/api/v1";
    public static final String OPENAPI_PATH = PREFIX + "/openapi.json";
    static final int MAX_BODY_BYTES = 64 * 1024;

    /** One operation: method and path as the OpenAPI file spells it ({@code {room}} for a path parameter). */
    record Route(HttpMethod method, String path, Handler handler) {
        String vertxPath() {
            return path.replaceAll("\\{([A-Za-z]+)}", ":$1");
        }

        Pattern pattern() {
            return Pattern.compile(path.replaceAll("\\{[A-Za-z]+}", "[^/]+"));
        }
    }

    @FunctionalInterface
    interface Handler {
        /** The response body of a call that succeeded (its status is the route's), or null when it answered itself. */
        JsonObject handle(RoutingContext ctx, JsonObject body) throws ApiException;
    }

    private final ApiAuth auth;
    private final RoomApi api;
    private final CaptureApi captures;
    private final RecordingApi recordings;
    private final DataApi data;
    private final LongSupplier wallClock;
    private final Buffer openApi;
    /**
     * The signaling verticle's event-loop thread, which owns the rooms: every call must run on it. (Vert.x hands each
     * request a duplicate of the verticle's context, so the thread, not the context object, is what to compare.)
     */
    private final Thread owner =
            Vertx.currentContext() != null && Context.isOnEventLoopThread() ? Thread.currentThread() : null;

    private ApiRoutes(
            ServerConfig.Api settings,
            RoomApi api,
            CaptureApi captures,
            RecordingApi recordings,
            DataApi data,
            LongSupplier wallClock) {
        this.auth = settings.enabled() ? new ApiAuth(settings) : null;
        this.api = api;
        this.captures = captures;
        this.recordings = recordings;
        this.data = data;
        this.wallClock = wallClock;
        this.openApi = Buffer.buffer(openApiText());
    }

    /**
     * Mounts the API on {@code router}; call before any catch-all route (the static web client).
     *
     * @param recordings room recordings, shared with the moderators' signaling messages
     * @param media the media server, null while it is not running
     */
    public static void mount(
            Router router,
            ServerConfig config,
            RoomRegistry rooms,
            RecordingApi recordings,
            Supplier<MediaService> media,
            LongSupplier wallClock) {
        RoomApi api = new RoomApi(rooms, config);
        CaptureApi captures = new CaptureApi(
                api,
                Path.of(config.dataDir()).resolve("captures"),
                config.api().captureMaxTime(),
                config.api().captureMaxPackets(),
                wallClock);
        ApiRoutes routes = new ApiRoutes(config.api(), api, captures, recordings, new DataApi(api, media), wallClock);
        routes.install(router);
        log.info(
                "server API {}",
                config.api().enabled()
                        ? "on at " + PREFIX + " (key " + config.api().key() + ")"
                        : "off (no chorus.api.key/secret)");
    }

    /** Every operation, in the order the OpenAPI file lists them. */
    static List<Route> routes(RoomApi api, CaptureApi captures, RecordingApi recordings, DataApi data) {
        return List.of(
                new Route(HttpMethod.GET, PREFIX + "/rooms", (ctx, b) -> api.list()),
                new Route(HttpMethod.POST, PREFIX + "/rooms", (ctx, b) -> api.create(b)),
                new Route(HttpMethod.GET, PREFIX + "/rooms/{room}", (ctx, b) -> api.get(ctx.pathParam("room"))),
                new Route(HttpMethod.DELETE, PREFIX + "/rooms/{room}", (ctx, b) -> api.end(ctx.pathParam("room"))),
                new Route(
                        HttpMethod.POST,
                        PREFIX + "/rooms/{room}/messages",
                        (ctx, b) -> api.sendMessage(ctx.pathParam("room"), b)),
                new Route(
                        HttpMethod.POST,
                        PREFIX + "/rooms/{room}/data",
                        (ctx, b) -> data.send(ctx.pathParam("room"), b)),
                new Route(
                        HttpMethod.POST,
                        PREFIX + "/rooms/{room}/recording",
                        (ctx, b) -> recordings.start(api.room(ctx.pathParam("room")), b)),
                new Route(
                        HttpMethod.GET,
                        PREFIX + "/rooms/{room}/recording",
                        (ctx, b) -> recordings.get(api.room(ctx.pathParam("room")))),
                new Route(
                        HttpMethod.DELETE,
                        PREFIX + "/rooms/{room}/recording",
                        (ctx, b) -> recordings.stop(api.room(ctx.pathParam("room")))),
                new Route(
                        HttpMethod.DELETE,
                        PREFIX + "/rooms/{room}/participants/{participant}",
                        (ctx, b) -> api.removeParticipant(ctx.pathParam("room"), ctx.pathParam("participant"))),
                new Route(
                        HttpMethod.PATCH,
                        PREFIX + "/rooms/{room}/participants/{participant}/permissions",
                        (ctx, b) -> api.updatePermissions(ctx.pathParam("room"), ctx.pathParam("participant"), b)),
                new Route(
                        HttpMethod.POST,
                        PREFIX + "/rooms/{room}/participants/{participant}/tracks/{track}/mute",
                        (ctx, b) -> api.muteTrack(
                                ctx.pathParam("room"), ctx.pathParam("participant"), ctx.pathParam("track"), b)),
                new Route(
                        HttpMethod.POST,
                        PREFIX + "/rooms/{room}/participants/{participant}/capture",
                        (ctx, b) -> captures.start(ctx.pathParam("room"), ctx.pathParam("participant"), b)),
                new Route(
                        HttpMethod.GET,
                        PREFIX + "/rooms/{room}/participants/{participant}/capture",
                        (ctx, b) -> captures.get(ctx.pathParam("room"), ctx.pathParam("participant"))),
                new Route(
                        HttpMethod.DELETE,
                        PREFIX + "/rooms/{room}/participants/{participant}/capture",
                        (ctx, b) -> captures.stop(ctx.pathParam("room"), ctx.pathParam("participant"))),
                new Route(HttpMethod.GET, PREFIX + "/captures/{name}", (ctx, b) -> {
                    Path file = captures.file(ctx.pathParam("name"));
                    ctx.response()
                            .putHeader("content-type", "application/vnd.tcpdump.pcap")
                            .putHeader("content-disposition", "attachment; filename=\"" + file.getFileName() + "\"")
                            .putHeader("cache-control", "no-store")
                            .sendFile(file.toString());
                    return null;
                }));
    }

    private void install(Router router) {
        List<Route> table = routes(api, captures, recordings, data);
        router.get(OPENAPI_PATH)
                .handler(ctx -> ctx.response()
                        .putHeader("content-type", "application/json")
                        .putHeader("cache-control", "no-cache")
                        .end(openApi));
        router.route(PREFIX + "/*").handler(this::authenticate);
        router.route(PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        for (Route r : table) {
            router.route(r.method(), r.vertxPath()).handler(ctx -> call(ctx, r));
        }
        router.route(PREFIX + "/*").handler(ctx -> {
            String path = ctx.normalizedPath();
            boolean known =
                    table.stream().anyMatch(r -> r.pattern().matcher(path).matches());
            fail(
                    ctx,
                    known
                            ? new ApiException(
                                    ApiError.METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed on " + path)
                            : new ApiException(
                                    ApiError.NOT_FOUND,
                                    "no API route " + ctx.request().method() + " " + path));
        });
        router.route(PREFIX + "/*").failureHandler(ctx -> {
            if (ctx.statusCode() == 413) {
                fail(ctx, new ApiException(ApiError.BODY_TOO_LARGE, "the body is over " + MAX_BODY_BYTES + " bytes"));
            } else {
                log.error("server API {} {} failed", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
                fail(ctx, new ApiException(ApiError.INTERNAL_ERROR, "internal error"));
            }
        });
    }

    private void authenticate(RoutingContext ctx) {
        if (auth == null) {
            fail(
                    ctx,
                    new ApiException(
                            ApiError.API_DISABLED,
                            "the server API is off: set chorus.api.key and chorus.api.secret (CHORUS_API_KEY, CHORUS_API_SECRET)"));
            return;
        }
        try {
            auth.check(ctx.request().getHeader("authorization"), wallClock.getAsLong());
        } catch (ApiException e) {
            log.info(
                    "server API {} {} from {} refused: {}",
                    ctx.request().method(),
                    ctx.normalizedPath(),
                    ctx.request().remoteAddress(),
                    e.error().wire());
            fail(ctx, e);
            return;
        }
        ctx.next();
    }

    private void call(RoutingContext ctx, Route route) {
        JsonObject result;
        if (Thread.currentThread() != owner) {
            // Never expected: the routes are mounted by the signaling verticle, so requests arrive on its context.
            log.error("server API {} {} off the signaling thread; refused", route.method(), ctx.normalizedPath());
            fail(ctx, new ApiException(ApiError.INTERNAL_ERROR, "internal error"));
            return;
        }
        try {
            result = route.handler().handle(ctx, body(ctx, route.method()));
        } catch (ApiException e) {
            log.debug(
                    "server API {} {}: {} {}",
                    route.method(),
                    ctx.normalizedPath(),
                    e.error().wire(),
                    e.getMessage());
            fail(ctx, e);
            return;
        } catch (RuntimeException e) {
            log.error("server API {} {} failed", route.method(), ctx.normalizedPath(), e);
            fail(ctx, new ApiException(ApiError.INTERNAL_ERROR, "internal error"));
            return;
        }
        if (result == null) { // it answered itself (a file)
            log.debug("server API {} {} sent", route.method(), ctx.normalizedPath());
            return;
        }
        if (route.method() == HttpMethod.GET) {
            log.debug("server API {} {} done", route.method(), ctx.normalizedPath());
        } else {
            log.info("server API {} {} done", route.method(), ctx.normalizedPath()); // changes are worth a line
        }
        int status = route.method() == HttpMethod.POST && route.path().equals(PREFIX + "/rooms") ? 201 : 200;
        json(ctx, status, result);
    }

    /** The request's JSON object; {} for a method without a body or an empty body. */
    private static JsonObject body(RoutingContext ctx, HttpMethod method) throws ApiException {
        Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw == null || raw.length() == 0 || method == HttpMethod.GET || method == HttpMethod.DELETE) {
            return new JsonObject();
        }
        Object decoded;
        try {
            decoded = Json.decodeValue(raw);
        } catch (DecodeException e) {
            throw new ApiException(ApiError.BAD_JSON, "the body is not valid JSON");
        }
        if (!(decoded instanceof JsonObject object)) {
            throw new ApiException(ApiError.BAD_JSON, "the body must be a JSON object");
        }
        return object;
    }

    private static void fail(RoutingContext ctx, ApiException e) {
        if (e.error().status() == 401) {
            ctx.response().putHeader("www-authenticate", "Bearer");
        }
        json(ctx, e.error().status(), e.toJson());
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store")
                .end(body.encode());
    }

    /** The hand-written OpenAPI 3 description, a resource of this module. */
    static String openApiText() {
        try (InputStream in = ApiRoutes.class.getResourceAsStream("/api/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("api/openapi.json is missing from the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
