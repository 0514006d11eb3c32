package dev.chorus.sfu.conference;

import com.typesafe.config.Config;
import dev.chorus.sfu.cc.BandwidthEstimator;
import dev.chorus.sfu.config.CheckedConfig;
import dev.chorus.sfu.forward.CongestionConfig;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.sctp.SctpConfig;
import dev.chorus.sfu.sdp.CodecPolicy;
import dev.chorus.sfu.transport.TransportConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code chorus.media} settings of a server, assembled into the media service's {@link #settings()}. The
 * defaults are in this module's {@code reference.conf}; each key is read once, checked with an error that
 * names it, by the class that uses it ({@link TransportConfig#from}, {@link RouterConfig#from},
 * {@link CongestionConfig#from}, {@link BandwidthEstimator.Settings#from}) or, for the service's own keys
 * (workers, pool, queue, simulcast), here. A new setting is a line in reference.conf and a line in its reader.
 *
 * <p>Immutable; read once at start-up (resolving the configured addresses), never on a packet thread.
 */
public final class MediaConfig {
    /** Where the media settings sit in the configuration. */
    public static final String PATH = CheckedConfig.MEDIA;

    private final CheckedConfig media;
    private final TransportConfig transport;
    private final RouterConfig router;
    private final MediaService.Settings settings;

    private MediaConfig(CheckedConfig media) {
        this.media = media;
        transport = TransportConfig.from(media);
        router = RouterConfig.from(media);
        int workers = media.integer("workers", n -> n >= 0, "must be >= 0 (0 = one per core)");
        settings = new MediaService.Settings(
                transport,
                workers > 0 ? workers : Runtime.getRuntime().availableProcessors(),
                media.integer("pool-buffers", n -> n > 0, "must be positive"),
                media.integer("queue-capacity", n -> n >= 64, "must be at least 64"),
                router,
                media.bool("simulcast"),
                dataChannels(media),
                videoCodecs(media));
    }

    /** The room video codec preference: known names, each once, at least one. */
    private static List<String> videoCodecs(CheckedConfig media) {
        List<String> names = new ArrayList<>();
        for (String name : media.stringList("video-codecs")) {
            try {
                names.add(CodecPolicy.videoCodec(name));
            } catch (IllegalArgumentException e) {
                CheckedConfig.require(false, CheckedConfig.MEDIA + ".video-codecs: " + e.getMessage());
            }
        }
        CheckedConfig.require(
                !names.isEmpty() && names.stream().distinct().count() == names.size(),
                CheckedConfig.MEDIA + ".video-codecs must list each of " + CodecPolicy.VIDEO_CODECS
                        + " at most once, and at least one: " + names);
        return names;
    }

    private static DataChannelSettings dataChannels(CheckedConfig media) {
        if (!media.bool("data-channels")) {
            return null;
        }
        int max = media.integer("data-channel-max-message-size", n -> n >= 1024, "must be at least 1024");
        int window = media.integer(
                "data-channel-receive-window", n -> n >= max, "must be at least data-channel-max-message-size");
        int rtoMin = (int) media.millis("data-channel-rto-min", n -> n >= 1, "must be at least 1ms");
        int rtoInitial = (int)
                media.millis("data-channel-rto-initial", n -> n >= rtoMin, "must be at least data-channel-rto-min");
        int rtoMax = (int) media.millis(
                "data-channel-rto-max", n -> n >= rtoInitial && n <= 600_000, "must be rto-initial..10min");
        double relayPerSecond = media.integer("data-relay-per-second", n -> n >= 1, "must be at least 1");
        SctpConfig d = SctpConfig.DEFAULT;
        return new DataChannelSettings(
                new SctpConfig(
                        d.packetSize(),
                        max,
                        window,
                        rtoInitial,
                        rtoMin,
                        rtoMax,
                        d.maxRetransmissionsInit(),
                        d.cookieLifeMillis()),
                relayPerSecond);
    }

    /**
     * Reads the {@code chorus.media} section of a resolved configuration that holds every key (the server's
     * merged configuration has reference.conf beneath the operator's layers).
     *
     * @throws IllegalArgumentException naming the key, for a value out of range or an address that does not resolve
     * @throws com.typesafe.config.ConfigException for a missing key or one of the wrong type
     */
    public static MediaConfig from(Config config) {
        return new MediaConfig(CheckedConfig.of(config, PATH));
    }

    /** The defaults alone: {@code chorus.media} of reference.conf. */
    public static MediaConfig reference() {
        return Reference.DEFAULTS;
    }

    private static final class Reference {
        static final MediaConfig DEFAULTS = new MediaConfig(CheckedConfig.mediaReference());
    }

    public MediaService.Settings settings() {
        return settings;
    }

    public TransportConfig transport() {
        return transport;
    }

    public RouterConfig router() {
        return router;
    }

    public CongestionConfig congestion() {
        return router.congestion();
    }

    public BandwidthEstimator.Settings estimator() {
        return router.congestion().estimator();
    }

    /** Whether a browser's simulcast is accepted; off, it sends one stream. */
    public boolean simulcast() {
        return settings.simulcast();
    }

    /** {@code address} as configured (a literal or a host name). */
    public String address() {
        return media.string("address");
    }

    public int port() {
        return transport.port();
    }

    public int tcpPort() {
        return transport.tcpPort();
    }
    /** {@code public-address} as configured; "" = none. */
    public String publicAddress() {
        return media.string("public-address").trim();
    }

    public int publicPort() {
        return transport.advertisedPort();
    }

    public int publicTcpPort() {
        return transport.advertisedTcpPort();
    }

    public boolean udpEnabled() {
        return transport.udpEnabled();
    }

    /** Every key and its value, for the start-up log. */
    @Override
    public String toString() {
        return media.toString();
    }
}
