package dev.chorus.signaling.config;

import com.typesafe.config.Config;
import dev.chorus.sfu.transport.CidrRange;
import java.time.Duration;
import java.util.List;

/**
 * The server's settings, read once at start-up from the merged configuration
 * (see {@link ConfigLoader}). Immutable, so it can be shared across threads.
 */
public record ServerConfig(Http http, Signaling signaling, Rooms rooms, Media media, Ice ice, Debug debug,
    Metrics metrics, Shutdown shutdown, String dataDir) {

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
  public record Ice(List<String> stunUrls, List<String> turnUrls, String turnSecret,
      Duration turnCredentialLifetime) {
    @Override
    public String toString() { // never print the secret
      return "Ice[stunUrls=" + stunUrls + ", turnUrls=" + turnUrls + ", turnSecret="
          + (turnSecret.isEmpty() ? "(none)" : "(set)") + ", turnCredentialLifetime=" + turnCredentialLifetime + "]";
    }
  }

  public record Signaling(
      Duration keepaliveInterval,
      Duration keepaliveTimeout,
      int maxMessageBytes,
      int maxFrameBytes,
      int maxNameChars,
      int maxChatChars,
      int chatHistory,
      int rateLimitPerSecond,
      int rateLimitBurst,
      int maxOutboundQueueBytes) {}

  public record Rooms(int maxParticipants, int maxRooms) {}

  /**
   * @param publicAddress   address announced in candidates instead of {@code address} (1:1 NAT); "" = none
   * @param publicPort      UDP port announced instead of the bound one when publicAddress is set; 0 = same
   * @param tcpPort         ICE-TCP listening port; -1 = off, 0 = ephemeral
   * @param publicTcpPort   TCP port announced instead of the bound one when publicAddress is set; 0 = same
   * @param udpEnabled      false announces no UDP candidate (ICE-TCP only; diagnosis)
   * @param congestionControl transport-cc feedback to publishers and the bandwidth estimate per subscriber
   * @param publisherMaxBitrate REMB cap sent to publishers, bits/s; 0 = none
   * @param startBitrate    estimate towards a subscriber before its feedback says otherwise, bits/s
   */
  public record Media(String address, int port, int workers, int poolBuffers, int queueCapacity,
      Duration consentTimeout, Duration dtlsTimeout, List<String> allowedRemotes,
      int retransmissionBufferPackets, Duration retransmissionBufferAge, int nackMaxRetries,
      Duration nackGiveUpAfter, Duration defaultRtt, Duration keyframeRequestInterval,
      String publicAddress, int publicPort, int tcpPort, int publicTcpPort, boolean udpEnabled,
      boolean congestionControl, long publisherMaxBitrate, long startBitrate) {

    /** Configured workers, or one per core when 0. */
    public int workerCount() {
      return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }
  }

  public record Debug(boolean allowRemote) {}

  /** {@code GET /metrics}: on or off, and the client addresses (CIDR) it is served to. */
  public record Metrics(boolean enabled, List<String> allowedClients) {}

  /** Graceful shutdown: how long a draining server waits for its rooms to empty. */
  public record Shutdown(Duration drainTimeout) {}

  /** Reads the {@code chorus} section of a resolved configuration. */
  public static ServerConfig from(Config root) {
    Config c = root.getConfig("chorus");
    Config s = c.getConfig("signaling");
    ServerConfig config = new ServerConfig(
        new Http(c.getString("http.host"), c.getInt("http.port"),
            new Tls(c.getBoolean("http.tls.enabled"), c.getString("http.tls.cert"), c.getString("http.tls.key"))),
        new Signaling(
            s.getDuration("keepalive-interval"),
            s.getDuration("keepalive-timeout"),
            s.getInt("max-message-bytes"),
            s.getInt("max-frame-bytes"),
            s.getInt("max-name-chars"),
            s.getInt("max-chat-chars"),
            s.getInt("chat-history"),
            s.getInt("rate-limit-per-second"),
            s.getInt("rate-limit-burst"),
            s.getInt("max-outbound-queue-bytes")),
        new Rooms(c.getInt("rooms.max-participants"), c.getInt("rooms.max-rooms")),
        new Media(c.getString("media.address"), c.getInt("media.port"), c.getInt("media.workers"),
            c.getInt("media.pool-buffers"), c.getInt("media.queue-capacity"),
            c.getDuration("media.consent-timeout"), c.getDuration("media.dtls-timeout"),
            c.getStringList("media.allowed-remotes"),
            c.getInt("media.retransmission-buffer-packets"), c.getDuration("media.retransmission-buffer-age"),
            c.getInt("media.nack-max-retries"), c.getDuration("media.nack-give-up-after"),
            c.getDuration("media.default-rtt"), c.getDuration("media.keyframe-request-interval"),
            c.getString("media.public-address").trim(), c.getInt("media.public-port"), c.getInt("media.tcp-port"),
            c.getInt("media.public-tcp-port"), c.getBoolean("media.udp-enabled"),
            c.getBoolean("media.congestion-control"), c.getLong("media.publisher-max-bitrate"),
            c.getLong("media.start-bitrate")),
        new Ice(c.getStringList("ice.stun-urls"), c.getStringList("ice.turn-urls"),
            c.getString("ice.turn-secret"), c.getDuration("ice.turn-credential-lifetime")),
        new Debug(c.getBoolean("debug.allow-remote")),
        new Metrics(c.getBoolean("metrics.enabled"), c.getStringList("metrics.allowed-clients")),
        new Shutdown(c.getDuration("shutdown.drain-timeout")),
        c.getString("data-dir"));
    config.validate();
    return config;
  }

  /** Fails start-up with a message naming the key, rather than misbehaving later. */
  private void validate() {
    require(http.port >= 0 && http.port <= 65535, "chorus.http.port must be 0..65535");
    require(media.port >= 0 && media.port <= 65535, "chorus.media.port must be 0..65535");
    require(media.tcpPort >= -1 && media.tcpPort <= 65535, "chorus.media.tcp-port must be -1 (off) or 0..65535");
    require(media.publicPort >= 0 && media.publicPort <= 65535, "chorus.media.public-port must be 0..65535");
    require(media.publicTcpPort >= 0 && media.publicTcpPort <= 65535,
        "chorus.media.public-tcp-port must be 0..65535");
    require(media.udpEnabled || media.tcpPort >= 0,
        "chorus.media.udp-enabled = false needs ICE-TCP (chorus.media.tcp-port >= 0)");
    require(!media.publicAddress.isEmpty() || (media.publicPort == 0 && media.publicTcpPort == 0),
        "chorus.media.public-port and public-tcp-port need chorus.media.public-address");
    require(media.workers >= 0, "chorus.media.workers must be >= 0 (0 = one per core)");
    require(media.poolBuffers > 0, "chorus.media.pool-buffers must be positive");
    require(media.queueCapacity >= 64, "chorus.media.queue-capacity must be at least 64");
    require(media.consentTimeout.toMillis() >= 1000, "chorus.media.consent-timeout must be at least 1s");
    require(media.dtlsTimeout.toMillis() >= 1000, "chorus.media.dtls-timeout must be at least 1s");
    require(media.retransmissionBufferPackets >= 1 && media.retransmissionBufferPackets <= 32768,
        "chorus.media.retransmission-buffer-packets must be 1..32768");
    require(media.retransmissionBufferAge.toMillis() >= 1,
        "chorus.media.retransmission-buffer-age must be at least 1ms");
    require(media.publisherMaxBitrate >= 0, "chorus.media.publisher-max-bitrate must be >= 0 (0 = no REMB)");
    require(media.startBitrate >= 100_000 && media.startBitrate <= 50_000_000,
        "chorus.media.start-bitrate must be 100000..50000000 bits/s");
    require(media.nackMaxRetries >= 0, "chorus.media.nack-max-retries must be >= 0 (0 = off)");
    require(media.nackGiveUpAfter.toMillis() >= 1, "chorus.media.nack-give-up-after must be at least 1ms");
    require(media.defaultRtt.toMillis() >= 1, "chorus.media.default-rtt must be at least 1ms");
    require(!media.keyframeRequestInterval.isNegative(),
        "chorus.media.keyframe-request-interval must not be negative");
    require(!signaling.keepaliveInterval.isNegative() && !signaling.keepaliveInterval.isZero(),
        "chorus.signaling.keepalive-interval must be positive");
    require(signaling.keepaliveTimeout.compareTo(signaling.keepaliveInterval) > 0,
        "chorus.signaling.keepalive-timeout must exceed keepalive-interval");
    require(signaling.maxMessageBytes > 0 && signaling.maxMessageBytes <= signaling.maxFrameBytes,
        "chorus.signaling.max-message-bytes must be 1..max-frame-bytes");
    require(signaling.maxNameChars > 0, "chorus.signaling.max-name-chars must be positive");
    require(signaling.maxChatChars > 0, "chorus.signaling.max-chat-chars must be positive");
    require(signaling.chatHistory >= 0, "chorus.signaling.chat-history must be >= 0");
    require(signaling.rateLimitPerSecond > 0 && signaling.rateLimitBurst > 0,
        "chorus.signaling.rate-limit-per-second and rate-limit-burst must be positive");
    require(rooms.maxParticipants > 0, "chorus.rooms.max-participants must be positive");
    require(rooms.maxRooms > 0, "chorus.rooms.max-rooms must be positive");
    require(!shutdown.drainTimeout.isNegative(), "chorus.shutdown.drain-timeout must be >= 0");
    for (String cidr : metrics.allowedClients) {
      try {
        CidrRange.parse(cidr);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid configuration: chorus.metrics.allowed-clients: " + e.getMessage(), e);
      }
    }
    require(ice.turnUrls.isEmpty() || !ice.turnSecret.isEmpty(),
        "chorus.ice.turn-secret must be set when chorus.ice.turn-urls is (coturn's static-auth-secret)");
    require(ice.turnCredentialLifetime.toSeconds() >= 60,
        "chorus.ice.turn-credential-lifetime must be at least 60s");
    for (String url : ice.stunUrls) {
      require(url.startsWith("stun:") || url.startsWith("stuns:"),
          "chorus.ice.stun-urls entries must start with stun: or stuns: (got '" + url + "')");
    }
    for (String url : ice.turnUrls) {
      require(url.startsWith("turn:") || url.startsWith("turns:"),
          "chorus.ice.turn-urls entries must start with turn: or turns: (got '" + url + "')");
    }
    require(http.tls.cert.isBlank() == http.tls.key.isBlank(),
        "chorus.http.tls.cert and chorus.http.tls.key must be set together (or both left empty)");
    require(!dataDir.isBlank(), "chorus.data-dir must not be empty");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid configuration: " + message);
    }
  }
}
