package dev.chorus.signaling.config;

import com.typesafe.config.Config;
import dev.chorus.sfu.conference.MediaConfig;
import dev.chorus.sfu.transport.CidrRange;
import dev.chorus.signaling.cluster.ClusterConfig;
import java.time.Duration;
import java.util.List;

/**
 * The server's settings, read once at start-up from the merged configuration
 * (see {@link ConfigLoader}). Immutable, so it can be shared across threads. Defaults live in
 * reference.conf: signaling's for every section but {@code chorus.media}, which the SFU's
 * {@link MediaConfig} reads next to its own defaults.
 */
public final class ServerConfig {

    private final Http http;
    private final Signaling signaling;
    private final Rooms rooms;
    private final MediaConfig media;
    private final Ice ice;
    private final Debug debug;
    private final Metrics metrics;
    private final Shutdown shutdown;
    private final Auth auth;
    private final Api api;
    private final Webhooks webhooks;
    private final Security security;
    private final String dataDir;
    private final Resume resume;
    private final ClusterConfig cluster;

    private ServerConfig(Config root) {
        // Full paths, so that an error names the key as the operator wrote it.
        Config c = root.withOnlyPath("chorus");
        http = new Http(
                c.getString("chorus.http.host"),
                c.getInt("chorus.http.port"),
                new Tls(
                        c.getBoolean("chorus.http.tls.enabled"),
                        c.getString("chorus.http.tls.cert"),
                        c.getString("chorus.http.tls.key")));
        signaling = new Signaling(c);
        rooms = new Rooms(
                c.getInt("chorus.rooms.max-participants"),
                c.getInt("chorus.rooms.max-rooms"),
                c.getInt("chorus.rooms.simulcast-from"),
                c.getInt("chorus.rooms.max-viewers"),
                c.getBoolean("chorus.rooms.viewer-chat"),
                c.getInt("chorus.rooms.viewer-chat-per-second"),
                c.getDuration("chorus.rooms.viewer-count-interval"));
        ice = new Ice(
                c.getStringList("chorus.ice.stun-urls"),
                c.getStringList("chorus.ice.turn-urls"),
                c.getString("chorus.ice.turn-secret"),
                c.getDuration("chorus.ice.turn-credential-lifetime"));
        debug = new Debug(c.getBoolean("chorus.debug.allow-remote"));
        metrics = new Metrics(
                c.getBoolean("chorus.metrics.enabled"),
                c.getStringList("chorus.metrics.allowed-clients"),
                c.getString("chorus.metrics.bearer-token"));
        security = Security.from(c);
        shutdown = new Shutdown(c.getDuration("chorus.shutdown.drain-timeout"));
        dataDir = c.getString("chorus.data-dir");
        auth = new Auth(
                c.getString("chorus.auth.mode"),
                c.getString("chorus.auth.hs256-secret"),
                c.getString("chorus.auth.jwks-file"),
                c.getDuration("chorus.auth.clock-skew"));
        api = new Api(
                c.getString("chorus.api.key"),
                c.getString("chorus.api.secret"),
                c.getDuration("chorus.api.max-token-lifetime"),
                c.getDuration("chorus.api.clock-skew"),
                c.getDuration("chorus.api.empty-timeout"),
                c.getDuration("chorus.api.capture-max-time"),
                c.getLong("chorus.api.capture-max-packets"));
        webhooks = new Webhooks(
                c.getStringList("chorus.webhooks.urls"),
                c.getString("chorus.webhooks.secret"),
                c.getInt("chorus.webhooks.max-attempts"),
                c.getDuration("chorus.webhooks.initial-backoff"),
                c.getDuration("chorus.webhooks.max-backoff"),
                c.getDuration("chorus.webhooks.request-timeout"),
                c.getInt("chorus.webhooks.max-queue"),
                c.getDuration("chorus.webhooks.shutdown-wait"));
        resume = new Resume(c.getDuration("chorus.resume.grace"), c.getInt("chorus.resume.buffer"));
        cluster = ClusterConfig.from(c);
        validate();
        api.validate();
        webhooks.validate();
        security.validate();
        require(
                metrics.bearerToken().isEmpty() || metrics.bearerToken().length() >= 32,
                "chorus.metrics.bearer-token must be at least 32 characters (or empty)");
        media = MediaConfig.from(root);
    }

    /** Reads the {@code chorus} section of a resolved configuration. */
    public static ServerConfig from(Config root) {
        return new ServerConfig(root);
    }

    public Http http() {
        return http;
    }

    public Signaling signaling() {
        return signaling;
    }

    public Rooms rooms() {
        return rooms;
    }
    /** {@code chorus.media}, read and checked by the SFU's own reader. */
    public MediaConfig media() {
        return media;
    }

    public Ice ice() {
        return ice;
    }

    public Debug debug() {
        return debug;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Shutdown shutdown() {
        return shutdown;
    }

    public String dataDir() {
        return dataDir;
    }

    /** {@code chorus.auth}: open joins, or joins with a token. */
    public Auth auth() {
        return auth;
    }

    /** {@code chorus.webhooks}: where room events are POSTed, signed, and how deliveries are retried. */
    public Webhooks webhooks() {
        return webhooks;
    }

    /** {@code chorus.resume}: how long a dropped participant waits for its resume, and how much it may miss. */
    public Resume resume() {
        return resume;
    }

    /** {@code chorus.cluster}: single node (off) or one node of a cluster. */
    public ClusterConfig cluster() {
        return cluster;
    }

    /**
     * @param grace  how long a participant whose socket dropped stays for a {@code resume}; zero: no resume
     * @param buffer messages kept per participant for replay on resume
     */
    public record Resume(Duration grace, int buffer) {
        public boolean enabled() {
            return !grace.isZero();
        }
    }

    public record Http(String host, int port, Tls tls) {}

    /**
     * https/wss. With no {@code cert}/{@code key} configured a self-signed certificate is made
     * on first run and kept in the data directory.
     */
    public record Tls(boolean enabled, String cert, String key) {
        public boolean hasConfiguredCertificate() {
            return !cert.isBlank() || !key.isBlank();
        }
    }

    /** STUN/TURN servers handed to clients at join; see {@code IceServers}. */
    public record Ice(
            List<String> stunUrls, List<String> turnUrls, String turnSecret, Duration turnCredentialLifetime) {
        @Override
        public String toString() { // never print the secret
            return "Ice[stunUrls=" + stunUrls + ", turnUrls=" + turnUrls + ", turnSecret="
                    + (turnSecret.isEmpty() ? "(none)" : "(set)") + ", turnCredentialLifetime=" + turnCredentialLifetime
                    + "]";
        }
    }

    /** {@code chorus.signaling}: WebSocket keepalive, message limits, chat and rate limits. */
    public static final class Signaling {
        private final Duration keepaliveInterval;
        private final Duration keepaliveTimeout;
        private final int maxMessageBytes;
        private final int maxFrameBytes;
        private final int maxNameChars;
        private final int maxChatChars;
        private final int chatHistory;
        private final int rateLimitPerSecond;
        private final int rateLimitBurst;
        private final int maxOutboundQueueBytes;
        private final double joinsPerSecond;
        private final int joinBurst;
        private final int joinQueue;

        private Signaling(Config s) {
            keepaliveInterval = s.getDuration("chorus.signaling.keepalive-interval");
            keepaliveTimeout = s.getDuration("chorus.signaling.keepalive-timeout");
            maxMessageBytes = s.getInt("chorus.signaling.max-message-bytes");
            maxFrameBytes = s.getInt("chorus.signaling.max-frame-bytes");
            maxNameChars = s.getInt("chorus.signaling.max-name-chars");
            maxChatChars = s.getInt("chorus.signaling.max-chat-chars");
            chatHistory = s.getInt("chorus.signaling.chat-history");
            rateLimitPerSecond = s.getInt("chorus.signaling.rate-limit-per-second");
            rateLimitBurst = s.getInt("chorus.signaling.rate-limit-burst");
            maxOutboundQueueBytes = s.getInt("chorus.signaling.max-outbound-queue-bytes");
            joinsPerSecond = s.getDouble("chorus.signaling.joins-per-second");
            joinBurst = s.getInt("chorus.signaling.join-burst");
            joinQueue = s.getInt("chorus.signaling.join-queue");
            require(joinsPerSecond >= 0, "chorus.signaling.joins-per-second must be 0 (no limit) or more");
            require(
                    joinsPerSecond == 0 || (joinBurst >= 1 && joinQueue >= 1),
                    "chorus.signaling.join-burst and join-queue must be at least 1");
        }

        public Duration keepaliveInterval() {
            return keepaliveInterval;
        }

        public Duration keepaliveTimeout() {
            return keepaliveTimeout;
        }

        public int maxMessageBytes() {
            return maxMessageBytes;
        }

        public int maxFrameBytes() {
            return maxFrameBytes;
        }

        public int maxNameChars() {
            return maxNameChars;
        }

        public int maxChatChars() {
            return maxChatChars;
        }

        public int chatHistory() {
            return chatHistory;
        }

        public int rateLimitPerSecond() {
            return rateLimitPerSecond;
        }

        public int rateLimitBurst() {
            return rateLimitBurst;
        }

        public int maxOutboundQueueBytes() {
            return maxOutboundQueueBytes;
        }

        /** Joins the server admits per second, all rooms together; 0: no limit. */
        public double joinsPerSecond() {
            return joinsPerSecond;
        }

        public int joinBurst() {
            return joinBurst;
        }

        /** Joins that may wait for their turn; one more is refused (server_busy). */
        public int joinQueue() {
            return joinQueue;
        }
    }

    /**
     * @param simulcastFrom room size (participants) from which the web client sends its camera as
     *                      simulcast layers; 0 never
     * @param maxViewers    viewers (receive-only, counted not listed) per room, besides its participants; 0 none
     * @param viewerChat    whether viewers may chat
     * @param viewerChatPerSecond chat messages per second a room's viewers may send together
     * @param viewerCountInterval the shortest time between two viewer counts sent to a room
     */
    public record Rooms(
            int maxParticipants,
            int maxRooms,
            int simulcastFrom,
            int maxViewers,
            boolean viewerChat,
            int viewerChatPerSecond,
            Duration viewerCountInterval) {}

    public record Debug(boolean allowRemote) {}

    /**
     * {@code GET /metrics}: on or off, the client addresses (CIDR) it is served to, and the static bearer token a
     * client off loopback must send (empty: it needs the server API's token).
     */
    public record Metrics(boolean enabled, List<String> allowedClients, String bearerToken) {
        @Override
        public String toString() { // never print the token
            return "Metrics[enabled=" + enabled + ", allowedClients=" + allowedClients + ", bearerToken="
                    + (bearerToken.isEmpty() ? "(none)" : "(set)") + "]";
        }
    }

    /** {@code chorus.security}: WebSocket origins, per-address limits and the page's security headers. */
    public Security security() {
        return security;
    }

    /**
     * {@code chorus.security}: the origins a browser's WebSocket may come from (empty: the server's own), limits per
     * client address (connections open, new connections and joins per second with their bursts), the addresses
     * (CIDR) those limits skip, and whether responses carry security headers.
     */
    public record Security(
            List<String> allowedOrigins,
            int maxConnectionsPerIp,
            int connectionsPerIpPerSecond,
            int connectionsPerIpBurst,
            int joinsPerIpPerSecond,
            int joinsPerIpBurst,
            List<String> limitsExempt,
            boolean pageHeaders) {

        static Security from(Config c) {
            return new Security(
                    c.getStringList("chorus.security.allowed-origins"),
                    c.getInt("chorus.security.max-connections-per-ip"),
                    c.getInt("chorus.security.connections-per-ip-per-second"),
                    c.getInt("chorus.security.connections-per-ip-burst"),
                    c.getInt("chorus.security.joins-per-ip-per-second"),
                    c.getInt("chorus.security.joins-per-ip-burst"),
                    c.getStringList("chorus.security.limits-exempt"),
                    c.getBoolean("chorus.security.page-headers"));
        }

        void validate() {
            require(maxConnectionsPerIp >= 1, "chorus.security.max-connections-per-ip must be at least 1");
            require(
                    connectionsPerIpPerSecond >= 1 && connectionsPerIpBurst >= 1,
                    "chorus.security.connections-per-ip-per-second and -burst must be at least 1");
            require(
                    joinsPerIpPerSecond >= 1 && joinsPerIpBurst >= 1,
                    "chorus.security.joins-per-ip-per-second and -burst must be at least 1");
            for (String origin : allowedOrigins) {
                require(
                        origin.equals("*") || origin.matches("(?i)https?://[^/\\s]+"),
                        "chorus.security.allowed-origins: '" + origin
                                + "' is not an origin like https://meet.example.org (scheme://host[:port], no path)"
                                + " or *");
            }
            for (String cidr : limitsExempt) {
                try {
                    dev.chorus.sfu.transport.CidrRange.parse(cidr);
                } catch (IllegalArgumentException e) {
                    require(false, "chorus.security.limits-exempt: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Who may join: {@code mode} "open" or "token"; in token mode the HS256 secret and/or the JWKS file of
     * the public keys (ES256, RS256) that verify join tokens.
     */
    public record Auth(String mode, String hs256Secret, String jwksFile, Duration clockSkew) {
        public static final String OPEN = "open";
        public static final String TOKEN = "token";

        public boolean tokens() {
            return TOKEN.equals(mode);
        }

        @Override
        public String toString() { // never print the secret
            return "Auth[mode=" + mode + ", hs256Secret=" + (hs256Secret.isEmpty() ? "(none)" : "(set)") + ", jwksFile="
                    + jwksFile + ", clockSkew=" + clockSkew + "]";
        }
    }

    /** {@code chorus.api}: the server API's credentials (both empty: the API is off) and its limits. */
    public Api api() {
        return api;
    }

    /**
     * The server API: on when {@code key} and {@code secret} are set; callers sign short-lived HS256 bearer tokens
     * with the secret, naming the key as their kid.
     */
    public record Api(
            String key,
            String secret,
            Duration maxTokenLifetime,
            Duration clockSkew,
            Duration emptyTimeout,
            Duration captureMaxTime,
            long captureMaxPackets) {

        public boolean enabled() {
            return !key.isEmpty() && !secret.isEmpty();
        }

        void validate() {
            require(
                    key.isEmpty() == secret.isEmpty(),
                    "chorus.api.key and chorus.api.secret must be set together (or both left empty: API off)");
            require(
                    key.length() <= 128 && key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f),
                    "chorus.api.key must be 1-128 printable ASCII characters without spaces");
            require(
                    secret.isEmpty() || secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32,
                    "chorus.api.secret must be at least 32 bytes (HS256 needs a 256-bit key)");
            require(
                    maxTokenLifetime.toSeconds() >= 1 && maxTokenLifetime.toHours() < 24,
                    "chorus.api.max-token-lifetime must be 1s..24h");
            require(!clockSkew.isNegative() && clockSkew.toSeconds() <= 600, "chorus.api.clock-skew must be 0s..10m");
            require(
                    emptyTimeout.toSeconds() >= 1 && emptyTimeout.toDays() <= 7,
                    "chorus.api.empty-timeout must be 1s..7d");
            require(
                    captureMaxTime.toSeconds() >= 1 && captureMaxTime.toHours() < 24,
                    "chorus.api.capture-max-time must be 1s..24h");
            require(
                    captureMaxPackets >= 1 && captureMaxPackets <= 100_000_000,
                    "chorus.api.capture-max-packets must be 1..100000000");
        }

        @Override
        public String toString() { // never print the secret
            return "Api[key=" + key + ", secret=" + (secret.isEmpty() ? "(none)" : "(set)") + ", maxTokenLifetime="
                    + maxTokenLifetime + ", clockSkew=" + clockSkew + ", emptyTimeout=" + emptyTimeout
                    + ", captureMaxTime="
                    + captureMaxTime + ", captureMaxPackets=" + captureMaxPackets + "]";
        }
    }

    /**
     * Webhooks: room events POSTed to {@code urls} (none: off), signed with HMAC-SHA256 under {@code secret};
     * a failed delivery is tried again after {@code initialBackoff}, doubling up to {@code maxBackoff}, at most
     * {@code maxAttempts} times in all; at most {@code maxQueue} events wait (more are dropped and counted).
     */
    public record Webhooks(
            List<String> urls,
            String secret,
            int maxAttempts,
            Duration initialBackoff,
            Duration maxBackoff,
            Duration requestTimeout,
            int maxQueue,
            Duration shutdownWait) {

        /** The shortest secret accepted: 32 bytes, the size of an HMAC-SHA256 key worth its name. */
        public static final int MIN_SECRET_BYTES = 32;

        public boolean enabled() {
            return !urls.isEmpty();
        }

        @Override
        public String toString() { // never print the secret
            return "Webhooks[urls=" + urls.size() + ", secret=" + (secret.isEmpty() ? "(none)" : "(set)")
                    + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                    + maxBackoff + ", requestTimeout=" + requestTimeout + ", maxQueue=" + maxQueue + ", shutdownWait="
                    + shutdownWait + "]";
        }

        private void validate() {
            for (String url : urls) {
                java.net.URI uri;
                try {
                    uri = new java.net.URI(url);
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException(
                            "invalid configuration: chorus.webhooks.urls: not a URL: " + e.getMessage(), e);
                }
                require(
                        ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null,
                        "chorus.webhooks.urls entries must be http:// or https:// URLs with a host");
            }
            int secretBytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            require(
                    !enabled() || !secret.isEmpty(),
                    "chorus.webhooks.secret must be set when chorus.webhooks.urls is (receivers check the"
                            + " signature with it); prefer the environment variable CHORUS_WEBHOOKS_SECRET");
            require(
                    secret.isEmpty() || secretBytes >= MIN_SECRET_BYTES,
                    "chorus.webhooks.secret is too short: " + secretBytes + " bytes, at least " + MIN_SECRET_BYTES
                            + " needed (e.g. the output of `openssl rand -hex 32`)");
            require(maxAttempts >= 1 && maxAttempts <= 100, "chorus.webhooks.max-attempts must be 1..100");
            require(
                    initialBackoff.toMillis() >= 1 && maxBackoff.compareTo(initialBackoff) >= 0,
                    "chorus.webhooks.initial-backoff must be at least 1ms and max-backoff at least initial-backoff");
            require(
                    requestTimeout.toMillis() >= 1 && requestTimeout.toMinutes() <= 10,
                    "chorus.webhooks.request-timeout must be 1ms..10m");
            require(maxQueue >= 1, "chorus.webhooks.max-queue must be positive");
            require(
                    !shutdownWait.isNegative() && shutdownWait.toMinutes() <= 10,
                    "chorus.webhooks.shutdown-wait must be 0s..10m");
        }
    }

    /** Graceful shutdown: how long a draining server waits for its rooms to empty. */
    public record Shutdown(Duration drainTimeout) {}

    /** Fails start-up with a message naming the key, rather than misbehaving later. */
    private void validate() {
        require(http.port >= 0 && http.port <= 65535, "chorus.http.port must be 0..65535");
        require(
                !signaling.keepaliveInterval.isNegative() && !signaling.keepaliveInterval.isZero(),
                "chorus.signaling.keepalive-interval must be positive");
        require(
                signaling.keepaliveTimeout.compareTo(signaling.keepaliveInterval) > 0,
                "chorus.signaling.keepalive-timeout must exceed keepalive-interval");
        require(
                signaling.maxMessageBytes > 0 && signaling.maxMessageBytes <= signaling.maxFrameBytes,
                "chorus.signaling.max-message-bytes must be 1..max-frame-bytes");
        require(signaling.maxNameChars > 0, "chorus.signaling.max-name-chars must be positive");
        require(signaling.maxChatChars > 0, "chorus.signaling.max-chat-chars must be positive");
        require(signaling.chatHistory >= 0, "chorus.signaling.chat-history must be >= 0");
        require(
                signaling.rateLimitPerSecond > 0 && signaling.rateLimitBurst > 0,
                "chorus.signaling.rate-limit-per-second and rate-limit-burst must be positive");
        require(rooms.maxParticipants > 0, "chorus.rooms.max-participants must be positive");
        require(rooms.simulcastFrom >= 0, "chorus.rooms.simulcast-from must be >= 0 (0: never)");
        require(rooms.maxRooms > 0, "chorus.rooms.max-rooms must be positive");
        require(rooms.maxViewers >= 0, "chorus.rooms.max-viewers must be >= 0 (0: no viewers)");
        require(rooms.viewerChatPerSecond > 0, "chorus.rooms.viewer-chat-per-second must be positive");
        require(
                rooms.viewerCountInterval.toMillis() >= 100 && rooms.viewerCountInterval.toMillis() <= 60_000,
                "chorus.rooms.viewer-count-interval must be 100ms..60s");
        require(!shutdown.drainTimeout.isNegative(), "chorus.shutdown.drain-timeout must be >= 0");
        require(
                !resume.grace().isNegative() && resume.grace().toMinutes() <= 10,
                "chorus.resume.grace must be 0s..10m (0s: no resume)");
        require(resume.buffer() >= 1 && resume.buffer() <= 100_000, "chorus.resume.buffer must be 1..100000");
        for (String cidr : metrics.allowedClients) {
            try {
                CidrRange.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid configuration: chorus.metrics.allowed-clients: " + e.getMessage(), e);
            }
        }
        require(
                ice.turnUrls.isEmpty() || !ice.turnSecret.isEmpty(),
                "chorus.ice.turn-secret must be set when chorus.ice.turn-urls is (coturn's static-auth-secret)");
        require(
                ice.turnCredentialLifetime.toSeconds() >= 60,
                "chorus.ice.turn-credential-lifetime must be at least 60s");
        for (String url : ice.stunUrls) {
            require(
                    url.startsWith("stun:") || url.startsWith("stuns:"),
                    "chorus.ice.stun-urls entries must start with stun: or stuns: (got '" + url + "')");
        }
        for (String url : ice.turnUrls) {
            require(
                    url.startsWith("turn:") || url.startsWith("turns:"),
                    "chorus.ice.turn-urls entries must start with turn: or turns: (got '" + url + "')");
        }
        require(
                http.tls.cert.isBlank() == http.tls.key.isBlank(),
                "chorus.http.tls.cert and chorus.http.tls.key must be set together (or both left empty)");
        require(!dataDir.isBlank(), "chorus.data-dir must not be empty");
        require(
                Auth.OPEN.equals(auth.mode) || Auth.TOKEN.equals(auth.mode),
                "chorus.auth.mode must be \"open\" or \"token\"");
        require(
                !auth.tokens() || !auth.hs256Secret.isEmpty() || !auth.jwksFile.isBlank(),
                "chorus.auth.mode = token needs chorus.auth.hs256-secret or chorus.auth.jwks-file");
        require(
                auth.hs256Secret.isEmpty()
                        || auth.hs256Secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 32,
                "chorus.auth.hs256-secret must be at least 32 bytes (HS256 needs a 256-bit key)");
        require(
                !auth.clockSkew.isNegative() && auth.clockSkew.toSeconds() <= 600,
                "chorus.auth.clock-skew must be 0s..10m");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid configuration: " + message);
        }
    }
}
