package dev.chorus.signaling.session;

import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.ice.IceServers;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.ServerMessages;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;

/** What every session shares: limits, keepalive timing, clocks and the welcome message. */
public record SessionSettings(
    long keepaliveIntervalNanos,
    long keepaliveTimeoutNanos,
    int rateLimitPerSecond,
    int rateLimitBurst,
    int maxOutboundQueueBytes,
    LongSupplier nanoClock,
    LongSupplier wallClock,
    JsonObject welcome,
    IceServers iceServers) {

  public static SessionSettings from(ServerConfig config, String serverVersion,
      LongSupplier nanoClock, LongSupplier wallClock) {
    ServerConfig.Signaling s = config.signaling();
    JsonObject welcome = new JsonObject()
        .put("type", "welcome")
        .put("protocol", ServerMessages.PROTOCOL_VERSION)
        .put("server", "chorus/" + serverVersion)
        .put("keepaliveIntervalMs", s.keepaliveInterval().toMillis())
        .put("keepaliveTimeoutMs", s.keepaliveTimeout().toMillis())
        .put("limits", new JsonObject()
            .put("maxMessageBytes", s.maxMessageBytes())
            .put("maxChatChars", s.maxChatChars())
            .put("maxNameChars", s.maxNameChars())
            .put("maxRoomChars", Limits.MAX_ROOM_CHARS)
            .put("maxParticipants", config.rooms().maxParticipants()));
    return new SessionSettings(
        s.keepaliveInterval().toNanos(),
        s.keepaliveTimeout().toNanos(),
        s.rateLimitPerSecond(),
        s.rateLimitBurst(),
        s.maxOutboundQueueBytes(),
        nanoClock,
        wallClock,
        welcome,
        new IceServers(config.ice().stunUrls(), config.ice().turnUrls(), config.ice().turnSecret(),
            config.ice().turnCredentialLifetime()));
  }
}
