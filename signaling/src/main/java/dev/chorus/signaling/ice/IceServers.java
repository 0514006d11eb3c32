package dev.chorus.signaling.ice;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE server list each client gets in {@code joined}: STUN URLs as configured, and
 * TURN URLs with short-lived credentials in the TURN REST form coturn checks with
 * {@code use-auth-secret}: username {@code <expiry unix seconds>:<participant id>},
 * password base64(HMAC-SHA1(shared secret, username)). The secret itself never leaves
 * the server. Immutable; {@link #forParticipant} may be called from any thread.
 */
public final class IceServers {

    /** No STUN, no TURN: clients reach the SFU's own candidates directly. */
    public static final IceServers NONE = new IceServers(List.of(), List.of(), "", Duration.ofHours(1));

    private final List<String> stunUrls;
    private final List<String> turnUrls;
    private final SecretKeySpec key;
    private final long lifetimeSeconds;

    public IceServers(List<String> stunUrls, List<String> turnUrls, String turnSecret, Duration credentialLifetime) {
        if (!turnUrls.isEmpty() && (turnSecret == null || turnSecret.isEmpty())) {
            throw new IllegalArgumentException("TURN URLs need a shared secret (coturn's static-auth-secret)");
        }
        if (credentialLifetime.toSeconds() < 1) {
            throw new IllegalArgumentException("TURN credential lifetime must be at least 1s");
        }
        this.stunUrls = List.copyOf(stunUrls);
        this.turnUrls = List.copyOf(turnUrls);
        this.key =
                turnUrls.isEmpty() ? null : new SecretKeySpec(turnSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1");
        this.lifetimeSeconds = credentialLifetime.toSeconds();
    }

    public boolean hasTurn() {
        return !turnUrls.isEmpty();
    }

    /**
     * The RTCIceServer list for one participant, as JSON: {@code [{"urls": [...]},
     * {"urls": [...], "username": "...", "credential": "..."}]}; empty when nothing is
     * configured.
     */
    public JsonArray forParticipant(String participantId, long nowMillis) {
        JsonArray servers = new JsonArray();
        if (!stunUrls.isEmpty()) {
            servers.add(new JsonObject().put("urls", new JsonArray(stunUrls)));
        }
        if (!turnUrls.isEmpty()) {
            String username = username(participantId, nowMillis);
            servers.add(new JsonObject()
                    .put("urls", new JsonArray(turnUrls))
                    .put("username", username)
                    .put("credential", password(username)));
        }
        return servers;
    }

    /** {@code <expiry>:<participantId>}, the expiry in Unix seconds. */
    String username(String participantId, long nowMillis) {
        return (Math.floorDiv(nowMillis, 1000) + lifetimeSeconds) + ":" + participantId;
    }

    /** base64(HMAC-SHA1(secret, username)), as coturn computes it for use-auth-secret. */
    String password(String username) {
        return credential(key, username);
    }

    static String credential(SecretKeySpec key, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable in this JVM", e);
        }
    }
}
