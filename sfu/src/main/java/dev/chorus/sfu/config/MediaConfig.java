package dev.chorus.sfu.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.forward.CongestionConfig;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.TransportConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * The {@code chorus.media} settings. Their defaults are in this module's {@code reference.conf}; this class is
 * the one place that reads them: each key once, checked with an error that names it, straight into the SFU's
 * settings ({@link #settings()}, {@link #transport()}, {@link #router()}, {@link #congestion()},
 * {@link #estimator()}). A new setting is a line in reference.conf and a line here.
 *
 * <p>Immutable; read once at start-up (resolving the configured addresses), never on a packet thread.
 */
public final class MediaConfig {
    /** Where the media settings sit in the configuration. */
    public static final String PATH = "chorus.media";

    private static final IntPredicate PORT = p -> p >= 0 && p <= 65535;
    private static final String PORT_RULE = "must be 0..65535";
    private static final LongPredicate AT_LEAST_1MS = ms -> ms >= 1;
    private static final String AT_LEAST_1MS_RULE = "must be at least 1ms";

    private final Config config;
    private final TransportConfig transport;
    private final BandwidthEstimator.Settings estimator;
    private final CongestionConfig congestion;
    private final RouterConfig router;
    private final MediaService.Settings settings;

    private MediaConfig(Config source) {
        config = source.withOnlyPath(PATH);
        checkCombinations();
        transport = readTransport();
        estimator = readEstimator();
        congestion = new CongestionConfig(
                config.getBoolean(key("congestion-control")),
                millis("transport-cc-feedback-interval", ms -> ms >= 10 && ms <= 1000, "must be 10ms..1s"),
                longValue("publisher-max-bitrate", bps -> bps >= 0, "must be >= 0 (0 = no REMB)"),
                estimator);
        router = new RouterConfig.Builder()
                .rtcpIntervalMillis(millis("rtcp-report-interval", AT_LEAST_1MS, AT_LEAST_1MS_RULE))
                .cname(string("rtcp-cname", s -> !s.isEmpty() && s.getBytes(StandardCharsets.UTF_8).length <= 255,
                        "must be 1..255 bytes"))
                .pliMinIntervalMillis(millis("keyframe-request-interval", ms -> ms >= 0, "must not be negative"))
                .retransmissionPackets(integer("retransmission-buffer-packets", n -> n >= 1 && n <= 32768,
                        "must be 1..32768"))
                .retransmissionMillis(millis("retransmission-buffer-age", AT_LEAST_1MS, AT_LEAST_1MS_RULE))
                .nackMaxRetries(integer("nack-max-retries", n -> n >= 0, "must be >= 0 (0 = off)"))
                .nackGiveUpMillis(millis("nack-give-up-after", AT_LEAST_1MS, AT_LEAST_1MS_RULE))
                .defaultRttMillis(millis("default-rtt", AT_LEAST_1MS, AT_LEAST_1MS_RULE))
                .congestion(congestion)
                .build();
        int workers = integer("workers", n -> n >= 0, "must be >= 0 (0 = one per core)");
        settings = new MediaService.Settings(transport,
                workers > 0 ? workers : Runtime.getRuntime().availableProcessors(),
                integer("pool-buffers", n -> n > 0, "must be positive"),
                integer("queue-capacity", n -> n >= 64, "must be at least 64"),
                router);
    }

    /**
     * Reads the {@code chorus.media} section of a resolved configuration that holds every key (the server's
     * merged configuration has reference.conf beneath the operator's layers).
     *
     * @throws IllegalArgumentException naming the key, for a value out of range or an address that does not resolve
     * @throws com.typesafe.config.ConfigException for a missing key or one of the wrong type
     */
    public static MediaConfig from(Config config) {
        return new MediaConfig(config);
    }

    /** The defaults alone: {@code chorus.media} of reference.conf, read once. */
    public static MediaConfig reference() {
        return Reference.DEFAULTS;
    }

    private static final class Reference {
        static final MediaConfig DEFAULTS = from(ConfigFactory.defaultReferenceUnresolved(
                MediaConfig.class.getClassLoader()).withOnlyPath(PATH).resolve());
    }

    public MediaService.Settings settings() { return settings; }
    public TransportConfig transport() { return transport; }
    public RouterConfig router() { return router; }
    public CongestionConfig congestion() { return congestion; }
    public BandwidthEstimator.Settings estimator() { return estimator; }

    /** {@code address} as configured (a literal or a host name). */
    public String address() { return config.getString(key("address")); }
    public int port() { return transport.port(); }
    public int tcpPort() { return transport.tcpPort(); }
    /** {@code public-address} as configured; "" = none. */
    public String publicAddress() { return config.getString(key("public-address")).trim(); }
    public int publicPort() { return transport.advertisedPort(); }
    public int publicTcpPort() { return transport.advertisedTcpPort(); }
    public boolean udpEnabled() { return transport.udpEnabled(); }

    /** Every key and its value, for the start-up log. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", PATH + " {", "}");
        Map<String, ConfigValue> sorted = new TreeMap<>();
        config.getConfig(PATH).entrySet().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((k, v) -> out.add(k + "=" + v.unwrapped()));
        return out.toString();
    }

    /** Rules between keys, checked before any of them is used alone. */
    private void checkCombinations() {
        require(config.getBoolean(key("udp-enabled")) || config.getInt(key("tcp-port")) >= 0,
                "chorus.media.udp-enabled = false needs ICE-TCP (chorus.media.tcp-port >= 0)");
        require(!publicAddress().isEmpty()
                        || (config.getInt(key("public-port")) == 0 && config.getInt(key("public-tcp-port")) == 0),
                "chorus.media.public-port and public-tcp-port need chorus.media.public-address");
    }

    private TransportConfig readTransport() {
        TransportConfig.Builder b = new TransportConfig.Builder()
                .bindAddress(bindAddress())
                .port(integer("port", PORT, PORT_RULE))
                .advertised(advertisedAddress(), integer("public-port", PORT, PORT_RULE))
                .tcpPort(integer("tcp-port", p -> p >= -1 && p <= 65535, "must be -1 (off) or 0..65535"))
                .advertisedTcpPort(integer("public-tcp-port", PORT, PORT_RULE))
                .udpEnabled(config.getBoolean(key("udp-enabled")))
                .consentTimeout(duration("consent-timeout", d -> d.toMillis() >= 1000, "must be at least 1s"))
                .dtlsHandshakeTimeout(duration("dtls-timeout", d -> d.toMillis() >= 1000, "must be at least 1s"))
                .dtlsThreads(integer("dtls-threads", n -> n >= 1, "must be at least 1"));
        for (String cidr : config.getStringList(key("allowed-remotes"))) {
            try {
                b.allowRemote(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid configuration: chorus.media.allowed-remotes entry '"
                        + cidr + "': " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private BandwidthEstimator.Settings readEstimator() {
        long min = longValue("min-bitrate", bps -> bps > 0, "must be positive");
        long max = longValue("max-bitrate", bps -> bps >= min, "must be at least min-bitrate (" + min + ")");
        long start = longValue("start-bitrate", bps -> bps >= min && bps <= max,
                "must be min-bitrate..max-bitrate (" + min + ".." + max + " bits/s)");
        return new BandwidthEstimator.Settings(start, min, max);
    }

    private InetAddress bindAddress() {
        String name = address();
        InetAddress address = resolve("address", name);
        require(!address.isAnyLocalAddress(), "chorus.media.address must be a concrete address of this host, "
                + "not the wildcard " + name);
        return address;
    }

    /** The address candidates announce instead of the bound one, or null. */
    private InetAddress advertisedAddress() {
        String name = publicAddress();
        if (name.isEmpty()) {
            return null;
        }
        InetAddress address = resolve("public-address", name);
        require(!address.isAnyLocalAddress(), "chorus.media.public-address cannot be the wildcard address");
        return address;
    }

    /** A literal address, or a name resolved once at start-up (never per packet). */
    private static InetAddress resolve(String key, String name) {
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid configuration: " + PATH + "." + key + " '" + name
                    + "' does not resolve", e);
        }
    }

    private int integer(String key, IntPredicate valid, String rule) {
        int value = config.getInt(key(key));
        require(valid.test(value), key(key) + " " + rule);
        return value;
    }

    private long longValue(String key, LongPredicate valid, String rule) {
        long value = config.getLong(key(key));
        require(valid.test(value), key(key) + " " + rule);
        return value;
    }

    private long millis(String key, LongPredicate valid, String rule) {
        long value = config.getDuration(key(key)).toMillis();
        require(valid.test(value), key(key) + " " + rule);
        return value;
    }

    private Duration duration(String key, Predicate<Duration> valid, String rule) {
        Duration value = config.getDuration(key(key));
        require(valid.test(value), key(key) + " " + rule);
        return value;
    }

    private String string(String key, Predicate<String> valid, String rule) {
        String value = config.getString(key(key));
        require(valid.test(value), key(key) + " " + rule);
        return value;
    }

    private static String key(String name) {
        return PATH + "." + name;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid configuration: " + message);
        }
    }
}
