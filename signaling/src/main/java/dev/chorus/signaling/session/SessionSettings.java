package dev.chorus.signaling.session;

import dev.chorus.signaling.auth.TokenVerifier;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.ice.IceServers;
import dev.chorus.signaling.protocol.Limits;
import dev.chorus.signaling.protocol.ServerMessages;
import dev.chorus.signaling.security.ClientLimits;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * What every session shares: the signaling limits and keepalive timing (as configured), clocks, the welcome
 * message, the STUN/TURN servers handed out at join, the join token verifier ({@code tokens}, null when
 * {@code chorus.auth.mode = open}), and the limits per client address.
 */
public record SessionSettings(
        ServerConfig.Signaling signaling,
        LongSupplier nanoClock,
        LongSupplier wallClock,
        JsonObject welcome,
        IceServers iceServers,
        TokenVerifier tokens,
        ClientLimits clientLimits) {

    public long keepaliveIntervalNanos() {
        return signaling.keepaliveInterval().toNanos();
    }

    public long keepaliveTimeoutNanos() {
        return signaling.keepaliveTimeout().toNanos();
    }

    public int rateLimitPerSecond() {
        return signaling.rateLimitPerSecond();
    }

    public int rateLimitBurst() {
        return signaling.rateLimitBurst();
    }

    public int maxOutboundQueueBytes() {
        return signaling.maxOutboundQueueBytes();
    }

    public static SessionSettings from(
            ServerConfig config, String serverVersion, LongSupplier nanoClock, LongSupplier wallClock) {
        ServerConfig.Signaling s = config.signaling();
        JsonObject welcome = new JsonObject()
                .put("type", "welcome")
                .put("protocol", ServerMessages.PROTOCOL_VERSION)
                .put("server", "chorus/" + serverVersion)
                .put("auth", config.auth().mode())
                .put("keepaliveIntervalMs", s.keepaliveInterval().toMillis())
                .put("keepaliveTimeoutMs", s.keepaliveTimeout().toMillis())
                .put(
                        "limits",
                        new JsonObject()
                                .put("maxMessageBytes", s.maxMessageBytes())
                                .put("maxChatChars", s.maxChatChars())
                                .put("maxNameChars", s.maxNameChars())
                                .put("maxRoomChars", Limits.MAX_ROOM_CHARS)
                                .put("maxParticipants", config.rooms().maxParticipants())
                                .put("maxViewers", config.rooms().maxViewers()))
                .put(
                        "media",
                        new JsonObject()
                                .put(
                                        "simulcastFrom",
                                        config.media().simulcast()
                                                ? config.rooms().simulcastFrom()
                                                : 0));
        return new SessionSettings(
                s,
                nanoClock,
                wallClock,
                welcome,
                new IceServers(
                        config.ice().stunUrls(),
                        config.ice().turnUrls(),
                        config.ice().turnSecret(),
                        config.ice().turnCredentialLifetime()),
                config.auth().tokens() ? TokenVerifier.from(config.auth(), s.maxNameChars()) : null,
                new ClientLimits(config.security()));
    }
}
