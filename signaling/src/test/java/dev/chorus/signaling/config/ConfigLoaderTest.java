package dev.chorus.signaling.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    /** The ICE-TCP port follows the UDP port from whichever layer sets it, unless set itself. */
    @Test
    void iceTcpFollowsTheUdpPortFromEveryLayer() throws Exception {
        Properties props = new Properties();
        props.setProperty("chorus.media.port", "0");
        assertEquals(
                0, ConfigLoader.load(null, Map.of(), props).config().media().tcpPort(), "system property");
        assertEquals(
                12000,
                ConfigLoader.load(null, Map.of("CHORUS_MEDIA_PORT", "12000"), new Properties())
                        .config()
                        .media()
                        .tcpPort(),
                "environment");
        Path file = dir.resolve("media.conf");
        java.nio.file.Files.writeString(file, "chorus.media.port = 11000\n");
        assertEquals(
                11000,
                ConfigLoader.load(file, Map.of(), new Properties())
                        .config()
                        .media()
                        .tcpPort(),
                "file");
        assertEquals(
                -1,
                ConfigLoader.load(null, Map.of("CHORUS_MEDIA_PORT", "12000", "CHORUS_MEDIA_TCP_PORT", "-1"), props)
                        .config()
                        .media()
                        .tcpPort(),
                "off");
    }

    @Test
    void embeddedDefaultsRunAsIs() {
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), new Properties());
        ServerConfig c = loaded.config();
        assertNull(loaded.file());
        assertEquals(8080, c.http().port());
        assertEquals(10000, c.media().port());
        assertEquals(10000, c.media().tcpPort(), "ICE-TCP on, on the UDP port's number");
        assertEquals("", c.media().publicAddress());
        assertTrue(c.media().udpEnabled());
        assertEquals(Duration.ofSeconds(30), c.signaling().keepaliveTimeout());
        assertEquals(50, c.signaling().chatHistory());
        assertEquals(50, c.rooms().maxParticipants());
    }

    @Test
    void everyDefaultHasAReader() {
        Config reference = ConfigFactory.defaultReferenceUnresolved().withOnlyPath("chorus");
        for (String path : reference.entrySet().stream().map(Map.Entry::getKey).toList()) {
            Config broken = ConfigFactory.parseMap(Map.of(path, Map.of("not", "a value")))
                    .withFallback(reference)
                    .resolve();
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> ServerConfig.from(broken),
                    path + " has a default in a reference.conf but nothing reads it");
            assertTrue(e.getMessage().contains(path), e.getMessage());
        }
    }

    @Test
    void fileThenSystemPropertyThenEnvironment() throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(
                file,
                "chorus.http.port = 9000\nchorus.rooms.max-participants = 7\n"
                        + "chorus.signaling.keepalive-timeout = 5s\nchorus.media.port = 12000\n");
        Properties props = new Properties();
        props.setProperty("chorus.rooms.max-participants", "8");
        props.setProperty("chorus.media.port", "13000");
        Map<String, String> env = Map.of("CHORUS_MEDIA_PORT", "14000", "CHORUS_SIGNALING_KEEPALIVE_INTERVAL", "2s");

        ServerConfig c = ConfigLoader.load(file, env, props).config();
        assertEquals(9000, c.http().port());
        assertEquals(8, c.rooms().maxParticipants());
        assertEquals(14000, c.media().port());
        assertEquals(Duration.ofSeconds(5), c.signaling().keepaliveTimeout());
        assertEquals(Duration.ofSeconds(2), c.signaling().keepaliveInterval());
    }

    @Test
    void configFileFromEnvironment() throws Exception {
        Path file = dir.resolve("env.conf");
        Files.writeString(file, "chorus.http.host = \"127.0.0.1\"\n");
        ConfigLoader.Loaded loaded =
                ConfigLoader.load(null, Map.of("CHORUS_CONFIG", file.toString()), new Properties());
        assertEquals("127.0.0.1", loaded.config().http().host());
        assertEquals(file, loaded.file());
    }

    @Test
    void envNamesFollowKeys() {
        assertEquals("CHORUS_ROOMS_MAX_PARTICIPANTS", ConfigLoader.envName("chorus.rooms.max-participants"));
    }

    @Test
    void badValuesFailWithTheKeyNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_HTTP_PORT", "70000"), new Properties()));
        assertTrue(e.getMessage().contains("chorus.http.port"), e.getMessage());
        RuntimeException notNumber = assertThrows(
                RuntimeException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_HTTP_PORT", "eighty"), new Properties()));
        assertTrue(notNumber.getMessage().contains("port"), notNumber.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(dir.resolve("missing.conf"), Map.of(), new Properties()));
        IllegalArgumentException timeout = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_SIGNALING_KEEPALIVE_TIMEOUT", "1s"), new Properties()));
        assertTrue(timeout.getMessage().contains("keepalive-timeout"));
    }

    @Test
    void metricsAndShutdownKeys() {
        ServerConfig defaults =
                ConfigLoader.load(null, Map.of(), new Properties()).config();
        assertTrue(defaults.metrics().enabled());
        assertEquals(
                java.util.List.of("127.0.0.0/8", "::1/128"), defaults.metrics().allowedClients());
        assertEquals(Duration.ofSeconds(30), defaults.shutdown().drainTimeout());

        ServerConfig env = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_METRICS_ENABLED",
                                "false",
                                "CHORUS_METRICS_ALLOWED_CLIENTS",
                                "127.0.0.0/8, 10.0.0.5",
                                "CHORUS_SHUTDOWN_DRAIN_TIMEOUT",
                                "5s"),
                        new Properties())
                .config();
        assertEquals(false, env.metrics().enabled());
        assertEquals(java.util.List.of("127.0.0.0/8", "10.0.0.5"), env.metrics().allowedClients());
        assertEquals(Duration.ofSeconds(5), env.shutdown().drainTimeout());

        for (String bad : new String[] {"prometheus.example", "10.0.0.0/40"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ConfigLoader.load(null, Map.of("CHORUS_METRICS_ALLOWED_CLIENTS", bad), new Properties()));
            assertTrue(e.getMessage().contains("chorus.metrics.allowed-clients"), e.getMessage());
        }
        IllegalArgumentException negative = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_SHUTDOWN_DRAIN_TIMEOUT", "-1s"), new Properties()));
        assertTrue(negative.getMessage().contains("chorus.shutdown.drain-timeout"), negative.getMessage());
    }

    @Test
    void lossRecoverySettingsReachTheRouterConfig() {
        ServerConfig defaults =
                ConfigLoader.load(null, Map.of(), new Properties()).config();
        dev.chorus.sfu.forward.RouterConfig router = defaults.media().router();
        assertEquals(
                dev.chorus.sfu.forward.RouterConfig.defaults(), router, "the shipped defaults are the SFU's defaults");

        ServerConfig c = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_MEDIA_RETRANSMISSION_BUFFER_PACKETS",
                                "2048",
                                "CHORUS_MEDIA_NACK_GIVE_UP_AFTER",
                                "2s",
                                "CHORUS_MEDIA_KEYFRAME_REQUEST_INTERVAL",
                                "500ms"),
                        new Properties())
                .config();
        router = c.media().router();
        assertEquals(2048, router.retransmissionPackets());
        assertEquals(2000, router.nackGiveUpMillis());
        assertEquals(500, router.pliMinIntervalMillis());
        assertEquals(1000, router.retransmissionMillis());

        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null, Map.of("CHORUS_MEDIA_RETRANSMISSION_BUFFER_PACKETS", "0"), new Properties()));
        assertTrue(bad.getMessage().contains("retransmission-buffer-packets"), bad.getMessage());
    }

    @Test
    void congestionControlSettingsReachTheRouterConfig() {
        ServerConfig c = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_MEDIA_CONGESTION_CONTROL",
                                "false",
                                "CHORUS_MEDIA_PUBLISHER_MAX_BITRATE",
                                "1500000",
                                "CHORUS_MEDIA_START_BITRATE",
                                "3000000"),
                        new Properties())
                .config();
        dev.chorus.sfu.forward.CongestionConfig cc = c.media().router().congestion();
        assertFalse(cc.enabled());
        assertEquals(1_500_000, cc.publisherMaxBps());
        assertEquals(3_000_000, cc.estimator().startBps());
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_MEDIA_START_BITRATE", "10"), new Properties()));
        assertTrue(bad.getMessage().contains("start-bitrate"), bad.getMessage());
    }

    @Test
    void turnAndTlsFromTheEnvironment() {
        ServerConfig none = ConfigLoader.load(null, Map.of(), new Properties()).config();
        assertEquals(java.util.List.of(), none.ice().turnUrls());
        assertEquals(java.util.List.of(), none.ice().stunUrls());
        assertTrue(!none.http().tls().enabled());
        assertEquals("./data", none.dataDir());

        ServerConfig c = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_ICE_TURN_URLS",
                                        "turn:turn.example.org:3478?transport=udp, turn:turn.example.org:3478?transport=tcp",
                                "CHORUS_ICE_STUN_URLS", "stun:turn.example.org:3478",
                                "CHORUS_ICE_TURN_SECRET", "s3cret",
                                "CHORUS_ICE_TURN_CREDENTIAL_LIFETIME", "2h",
                                "CHORUS_HTTP_TLS_ENABLED", "true",
                                "CHORUS_DATA_DIR", "/var/lib/chorus"),
                        new Properties())
                .config();
        assertEquals(
                java.util.List.of(
                        "turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp"),
                c.ice().turnUrls());
        assertEquals(java.util.List.of("stun:turn.example.org:3478"), c.ice().stunUrls());
        assertEquals("s3cret", c.ice().turnSecret());
        assertEquals(Duration.ofHours(2), c.ice().turnCredentialLifetime());
        assertTrue(!c.ice().toString().contains("s3cret"), "the secret is never printed");
        assertTrue(c.http().tls().enabled());
        assertEquals("/var/lib/chorus", c.dataDir());
    }

    @Test
    void turnWithoutSecretOrWithBadUrlsIsRefused() {
        IllegalArgumentException noSecret = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_ICE_TURN_URLS", "turn:127.0.0.1:3478"), new Properties()));
        assertTrue(noSecret.getMessage().contains("chorus.ice.turn-secret"), noSecret.getMessage());
        IllegalArgumentException badUrl = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of("CHORUS_ICE_TURN_URLS", "127.0.0.1:3478", "CHORUS_ICE_TURN_SECRET", "x"),
                        new Properties()));
        assertTrue(badUrl.getMessage().contains("chorus.ice.turn-urls"), badUrl.getMessage());
        IllegalArgumentException halfTls = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_HTTP_TLS_CERT", "/etc/cert.pem"), new Properties()));
        assertTrue(halfTls.getMessage().contains("chorus.http.tls.key"), halfTls.getMessage());
    }

    @Test
    void reachabilityKeysAreReadAndChecked() {
        ServerConfig c = ConfigLoader.load(
                        null,
                        Map.of(
                                "CHORUS_MEDIA_PUBLIC_ADDRESS",
                                "203.0.113.7",
                                "CHORUS_MEDIA_PUBLIC_PORT",
                                "40000",
                                "CHORUS_MEDIA_TCP_PORT",
                                "10000"),
                        new Properties())
                .config();
        assertEquals("203.0.113.7", c.media().publicAddress());
        assertEquals(40000, c.media().publicPort());
        assertEquals(10000, c.media().tcpPort());
        dev.chorus.sfu.transport.TransportConfig t = c.media().transport();
        assertEquals("203.0.113.7", t.advertisedAddress().getHostAddress());
        assertEquals(40000, t.advertisedPort());
        assertTrue(t.tcpEnabled());
        assertEquals(10000, t.tcpPort());

        IllegalArgumentException noTransport = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(
                        null,
                        Map.of("CHORUS_MEDIA_UDP_ENABLED", "false", "CHORUS_MEDIA_TCP_PORT", "-1"),
                        new Properties()));
        assertTrue(noTransport.getMessage().contains("udp-enabled"), noTransport.getMessage());
        IllegalArgumentException portAlone = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_MEDIA_PUBLIC_PORT", "40000"), new Properties()));
        assertTrue(portAlone.getMessage().contains("public-address"), portAlone.getMessage());
        IllegalArgumentException badTcp = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_MEDIA_TCP_PORT", "-2"), new Properties()));
        assertTrue(badTcp.getMessage().contains("tcp-port"), badTcp.getMessage());
        IllegalArgumentException wildcard = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.load(null, Map.of("CHORUS_MEDIA_PUBLIC_ADDRESS", "0.0.0.0"), new Properties())
                        .config()
                        .media());
        assertTrue(wildcard.getMessage().contains("public-address"), wildcard.getMessage());
    }
}
