package dev.chorus.signaling.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code chorus.api}: off by default, on with a key and secret from the environment, never printed. */
class ApiConfigTest {

    private static final String SECRET = "an-api-secret-of-at-least-32-bytes";

    @Test
    void offByDefault() {
        ServerConfig.Api api =
                ConfigLoader.load(null, Map.of(), new Properties()).config().api();
        assertFalse(api.enabled());
        assertEquals(Duration.ofMinutes(10), api.maxTokenLifetime());
        assertEquals(Duration.ofMinutes(5), api.emptyTimeout());
    }

    @Test
    void onFromTheEnvironmentAndTheSecretIsNeverPrinted() {
        ServerConfig.Api api = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_API_KEY",
                                "app",
                                "CHORUS_API_SECRET",
                                SECRET,
                                "CHORUS_API_MAX_TOKEN_LIFETIME",
                                "2m"),
                        new Properties())
                .config()
                .api();
        assertTrue(api.enabled());
        assertEquals("app", api.key());
        assertEquals(Duration.ofMinutes(2), api.maxTokenLifetime());
        assertFalse(api.toString().contains(SECRET), api.toString());
    }

    @Test
    void halfOrWeakCredentialsFailStartUp() {
        IllegalArgumentException half = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_API_KEY", "app"), new Properties()));
        assertTrue(half.getMessage().contains("chorus.api.key and chorus.api.secret"), half.getMessage());
        IllegalArgumentException weak = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null, Map.of("CHORUS_API_KEY", "app", "CHORUS_API_SECRET", "short"), new Properties()));
        assertTrue(weak.getMessage().contains("at least 32 bytes"), weak.getMessage());
        assertFalse(weak.getMessage().contains("short\""));
    }
}
