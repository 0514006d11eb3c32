package dev.chorus.signaling.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceServersTest {

    /**
     * Reference value from OpenSSL, independent of this code:
     * {@code echo -n "1732180000:p7kq2m9x4c1t" | openssl dgst -sha1 -hmac north -binary | base64}.
     */
    @Test
    void passwordIsBase64HmacSha1OfTheUsernameAsCoturnChecksIt() {
        IceServers ice = new IceServers(List.of(), List.of("turn:127.0.0.1:3478"), "north", Duration.ofHours(1));
        assertEquals("uXPzl+gs1V7CFtPZOCqcB/BwAXs=", ice.password("1732180000:p7kq2m9x4c1t"));
    }

    @Test
    void usernameIsExpiryThenParticipantId() {
        IceServers ice = new IceServers(List.of(), List.of("turn:127.0.0.1:3478"), "north", Duration.ofMinutes(10));
        // now = 1732179400.999 s; expiry = floor(now) + 600 s.
        assertEquals("1732180000:p7kq2m9x4c1t", ice.username("p7kq2m9x4c1t", 1_732_179_400_999L));
    }

    @Test
    void listHasStunThenTurnWithPerParticipantCredentials() {
        IceServers ice = new IceServers(
                List.of("stun:127.0.0.1:3478"),
                List.of("turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"),
                "north",
                Duration.ofHours(1));
        long now = 1_732_176_400_000L;
        JsonArray list = ice.forParticipant("p7kq2m9x4c1t", now);
        assertEquals(2, list.size());
        assertEquals(new JsonObject().put("urls", new JsonArray().add("stun:127.0.0.1:3478")), list.getJsonObject(0));
        JsonObject turn = list.getJsonObject(1);
        assertEquals(
                new JsonArray().add("turn:127.0.0.1:3478?transport=udp").add("turn:127.0.0.1:3478?transport=tcp"),
                turn.getJsonArray("urls"));
        assertEquals("1732180000:p7kq2m9x4c1t", turn.getString("username"));
        assertEquals("uXPzl+gs1V7CFtPZOCqcB/BwAXs=", turn.getString("credential"));
        assertTrue(!list.encode().contains("north"), "the secret stays on the server");

        JsonObject other = ice.forParticipant("p3j8d0a2lq9z", now).getJsonObject(1);
        assertEquals("1732180000:p3j8d0a2lq9z", other.getString("username"));
        assertNotEquals(turn.getString("credential"), other.getString("credential"));
    }

    @Test
    void nothingConfiguredMeansAnEmptyList() {
        assertEquals(new JsonArray(), IceServers.NONE.forParticipant("p1", 0));
        assertEquals(
                new JsonArray(), new IceServers(List.of(), List.of(), "", Duration.ofHours(1)).forParticipant("p1", 0));
    }

    @Test
    void turnWithoutSecretIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new IceServers(List.of(), List.of("turn:127.0.0.1:3478"), "", Duration.ofHours(1)));
    }
}
