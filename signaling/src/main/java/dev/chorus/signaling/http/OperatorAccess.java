package dev.chorus.signaling.http;

import dev.chorus.sfu.transport.CidrRange;
import dev.chorus.signaling.api.ApiCredentials;
import dev.chorus.signaling.config.ServerConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may read the operator endpoints. {@code /metrics}: the clients of {@code chorus.metrics.allowed-clients}
 * (loopback by default), and off loopback only with the metrics bearer token or a server API token. {@code /debug}:
 * loopback, or with {@code chorus.debug.allow-remote} anyone with a server API token. A request refused is answered
 * here (403 not allowed from there, 401 credentials missing), with what to configure.
 */
final class OperatorAccess {

    private final ServerConfig config;
    private final ApiCredentials apiCredentials;
    private final List<CidrRange> metricsClients;

    OperatorAccess(ServerConfig config, ApiCredentials apiCredentials) {
        this.config = config;
        this.apiCredentials = apiCredentials;
        this.metricsClients =
                config.metrics().allowedClients().stream().map(CidrRange::parse).toList();
    }

    /** Whether the request may read /metrics; if not, it has been answered. */
    boolean admitMetrics(RoutingContext ctx) {
        String remote = remote(ctx);
        boolean allowed = CidrRange.anyContains(metricsClients, remote);
        if (allowed && !isLoopback(remote) && !metricsCredentials(ctx)) {
            text(
                    ctx,
                    401,
                    "/metrics off loopback needs 'Authorization: Bearer <chorus.metrics.bearer-token or a"
                            + " server API token>'\n");
            return false;
        }
        if (!allowed) {
            text(
                    ctx,
                    403,
                    "/metrics is served to " + config.metrics().allowedClients()
                            + " only (see chorus.metrics.allowed-clients)\n");
            return false;
        }
        return true;
    }

    /** Whether the request may read /debug; if not, it has been answered. */
    boolean admitDebug(RoutingContext ctx) {
        String remote = remote(ctx);
        if (!config.debug().allowRemote() && !isLoopback(remote)) {
            json(ctx, 403, "/debug is served to loopback clients only (set chorus.debug.allow-remote to change that)");
            return false;
        }
        if (!isLoopback(remote) && !apiCredentials.accepts(authorization(ctx), System.currentTimeMillis())) {
            json(ctx, 401, "/debug off loopback needs 'Authorization: Bearer <server API token>' (chorus.api)");
            return false;
        }
        return true;
    }

    private boolean metricsCredentials(RoutingContext ctx) {
        String header = authorization(ctx);
        String token = config.metrics().bearerToken();
        if (header != null && !token.isEmpty() && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            if (MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return apiCredentials.accepts(header, System.currentTimeMillis());
    }

    private static String remote(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null
                ? ""
                : ctx.request().remoteAddress().hostAddress();
    }

    private static String authorization(RoutingContext ctx) {
        return ctx.request().getHeader("Authorization");
    }

    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1");
    }

    private static void text(RoutingContext ctx, int status, String body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "text/plain; charset=utf-8")
                .end(body);
    }

    private static void json(RoutingContext ctx, int status, String error) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("cache-control", "no-store")
                .end(new JsonObject().put("error", error).encode());
    }
}
