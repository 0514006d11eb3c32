package dev.chorus.signaling.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code chorus.webhooks}: defaults, overrides from the environment, and what start-up refuses. */
class WebhooksConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static ServerConfig load(Map<String, String> env) {
        return ConfigLoader.load(null, env, new Properties()).config();
    }

    @Test
    void offByDefault() {
        ServerConfig.Webhooks w = load(Map.of()).webhooks();
        assertFalse(w.enabled());
        assertEquals(10, w.maxAttempts());
        assertEquals(Duration.ofSeconds(1), w.initialBackoff());
        assertEquals(Duration.ofSeconds(60), w.maxBackoff());
        assertEquals(Duration.ofSeconds(10), w.requestTimeout());
        assertEquals(10_000, w.maxQueue());
    }

    @Test
    void urlsAndSecretFromTheEnvironment() {
        ServerConfig.Webhooks w = load(Map.of(
                        "CHORUS_WEBHOOKS_URLS", "https://a.example.org/hook, http://127.0.0.1:9000/x",
                        "CHORUS_WEBHOOKS_SECRET", SECRET,
                        "CHORUS_WEBHOOKS_MAX_ATTEMPTS", "4"))
                .webhooks();
        assertTrue(w.enabled());
        assertEquals(List.of("https://a.example.org/hook", "http://127.0.0.1:9000/x"), w.urls());
        assertEquals(4, w.maxAttempts());
        assertFalse(w.toString().contains(SECRET), "the secret is never printed: " + w);
    }

    @Test
    void aShortSecretIsRefusedAtStartWithAClearMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> load(Map.of(
                        "CHORUS_WEBHOOKS_URLS", "https://a.example.org/hook", "CHORUS_WEBHOOKS_SECRET", "short")));
        assertTrue(
                e.getMessage().contains("chorus.webhooks.secret is too short: 5 bytes, at least 32"), e.getMessage());
        assertFalse(e.getMessage().contains("short\""), "the message does not repeat the secret");
    }

    @Test
    void urlsWithoutASecretAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> load(Map.of("CHORUS_WEBHOOKS_URLS", "https://a.example.org/hook")));
        assertTrue(e.getMessage().contains("chorus.webhooks.secret must be set"), e.getMessage());
    }

    @Test
    void onlyHttpUrlsAndSaneRetriesAreAccepted() {
        for (Map<String, String> bad : List.of(
                Map.of("CHORUS_WEBHOOKS_URLS", "ftp://a.example.org/hook"),
                Map.of("CHORUS_WEBHOOKS_URLS", "not a url"),
                Map.of("CHORUS_WEBHOOKS_MAX_ATTEMPTS", "0"),
                Map.of("CHORUS_WEBHOOKS_INITIAL_BACKOFF", "5s", "CHORUS_WEBHOOKS_MAX_BACKOFF", "1s"),
                Map.of("CHORUS_WEBHOOKS_MAX_QUEUE", "0"))) {
            Map<String, String> env = new java.util.HashMap<>(bad);
            env.put("CHORUS_WEBHOOKS_SECRET", SECRET);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(env), bad.toString());
            assertTrue(e.getMessage().contains("chorus.webhooks."), e.getMessage());
        }
    }
}
