package dev.chorus.signaling.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The server's settings, read once at start-up from the merged configuration
 * (see {@link ConfigLoader}). Immutable, so it can be shared across threads.
 */
public record ServerConfig(Http http, Signaling signaling, Rooms rooms, Media media, Debug debug) {

  public record Http(String host, int port) {}

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
   */
  public record Media(String address, int port, int workers, int poolBuffers, int queueCapacity,
      Duration consentTimeout, Duration dtlsTimeout, List<String> allowedRemotes,
      String publicAddress, int publicPort, int tcpPort, int publicTcpPort, boolean udpEnabled) {

    /** Configured workers, or one per core when 0. */
    public int workerCount() {
      return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }
  }

  public record Debug(boolean allowRemote) {}

  /** Reads the {@code chorus} section of a resolved configuration. */
  public static ServerConfig from(Config root) {
    Config c = root.getConfig("chorus");
    Config s = c.getConfig("signaling");
    ServerConfig config = new ServerConfig(
        new Http(c.getString("http.host"), c.getInt("http.port")),
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
            c.getStringList("media.allowed-remotes"), c.getString("media.public-address").trim(),
            c.getInt("media.public-port"), c.getInt("media.tcp-port"), c.getInt("media.public-tcp-port"),
            c.getBoolean("media.udp-enabled")),
        new Debug(c.getBoolean("debug.allow-remote")));
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
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid configuration: " + message);
    }
  }
}
