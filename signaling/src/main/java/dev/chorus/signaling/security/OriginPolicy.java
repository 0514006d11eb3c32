package dev.chorus.signaling.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which browser pages may open a signaling WebSocket: the {@code Origin} header of the upgrade against
 * {@code chorus.security.allowed-origins}. An empty list means the server's own origin (the Origin's host and port
 * equal the request's {@code Host}); {@code *} allows any. A request without Origin is not from a browser page
 * (native bots, server-side SDKs) and passes: the check protects visitors' browsers from other sites' pages, which
 * always send one. Immutable.
 */
public final class OriginPolicy {
    private final List<String> allowed;
    private final boolean any;

    public OriginPolicy(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).toList();
        this.any = allowedOrigins.contains("*");
    }

    /**
     * @param origin the upgrade's Origin header, or null
     * @param host the request's Host header (authority), or null
     * @param secure whether the request came over TLS (sets the default port of the server's own origin)
     */
    public boolean allows(String origin, String host, boolean secure) {
        if (origin == null) {
            return true;
        }
        if (any) {
            return true;
        }
        String o = normalize(origin);
        if (!allowed.isEmpty()) {
            return allowed.contains(o);
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            URI u = new URI(o);
            if (u.getHost() == null || u.getScheme() == null) {
                return false; // "null" (a sandboxed page or a file) and the like
            }
            boolean https = u.getScheme().equals("https");
            if (https != secure) {
                return false;
            }
            int port = u.getPort() >= 0 ? u.getPort() : (https ? 443 : 80);
            URI h = new URI("x://" + host.strip().toLowerCase(Locale.ROOT));
            int hostPort = h.getPort() >= 0 ? h.getPort() : (secure ? 443 : 80);
            return u.getHost().equals(h.getHost()) && port == hostPort;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
