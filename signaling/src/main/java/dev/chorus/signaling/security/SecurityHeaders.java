package dev.chorus.signaling.security;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers on every HTTP response ({@code chorus.security.page-headers}). The Content-Security-Policy lets the page load
 * only the server's own scripts, styles and images (plus {@code data:} and {@code blob:} ones it makes itself), play
 * media streams, and connect to its own origin over HTTP and WebSocket: the web client has no inline script or style,
 * so an injected one does not run. No framing (clickjacking), no referrer (a deep link can carry a join token), no
 * MIME sniffing, and camera, microphone and screen capture for this origin only.
 */
public final class SecurityHeaders {
    private SecurityHeaders() {}

    /** Adds the headers to {@code ctx}'s response and passes the request on. */
    public static void handle(RoutingContext ctx, boolean secure) {
        HttpServerResponse r = ctx.response();
        String host = ctx.request().authority() == null
                ? null
                : ctx.request().authority().toString();
        r.putHeader("Content-Security-Policy", contentSecurityPolicy(host, secure));
        r.putHeader("X-Content-Type-Options", "nosniff");
        r.putHeader("X-Frame-Options", "DENY");
        r.putHeader("Referrer-Policy", "no-referrer");
        r.putHeader("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
        r.putHeader("Cross-Origin-Opener-Policy", "same-origin");
        ctx.next();
    }

    /** The policy for a page served from {@code host} (the request's Host; null: 'self' alone). */
    static String contentSecurityPolicy(String host, boolean secure) {
        String socket = host == null || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")
                ? ""
                : " " + (secure ? "wss://" : "ws://") + host;
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                + "media-src 'self' blob: mediastream:; connect-src 'self'" + socket + "; "
                + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }
}
