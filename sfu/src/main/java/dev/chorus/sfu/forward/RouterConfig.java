package dev.chorus.sfu.forward;

import dev.chorus.sfu.config.CheckedConfig;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * Router tunables. Immutable. The server's are read from {@code chorus.media} by {@link #from}; tests and
 * tools start from {@link #defaults()}.
 *
 * <ul>
 * <li>{@code rtcpIntervalMillis}: period of the RR (to publishers) and SR (to subscribers) reports
 * <li>{@code pliMinIntervalMillis}: at most one PLI per producer in this period; requests in between are
 *     coalesced into one sent when the period ends (or dropped when a keyframe arrives first)
 * <li>{@code cname}: CNAME in the SDES the SFU sends with its reports
 * <li>{@code retransmissionPackets}: packets kept per video stream to answer NACKs (rounded up to a power of two)
 * <li>{@code retransmissionMillis}: ... and no packet older than this is resent
 * <li>{@code nackMaxRetries}: NACKs sent to a publisher for one lost packet before giving up
 * <li>{@code nackGiveUpMillis}: a lost packet not recovered after this long is given up (then a keyframe is
 *     requested)
 * <li>{@code defaultRttMillis}: round-trip time assumed until receiver reports measured one; NACK retries and
 *     resends of one packet are spaced by the RTT
 * <li>{@code congestion}: transport-cc feedback, REMB and the bandwidth estimate per subscriber
 * <li>{@code lastN}: camera videos forwarded to one subscriber, the most relevant first (recent speakers,
 *     then the rest in subscription order); the others are paused at the SFU. 0: no limit
 * <li>{@code dynacast}: simulcast layers no subscriber wants are paused at the publisher
 * <li>{@code audioRedundancy}: earlier Opus frames repeated, at most, in each RED packet (RFC 2198) sent to a
 *     subscriber that negotiated RED (see {@link RedundancyLevel}); 0 turns RED off (neither negotiated nor
 *     forwarded)
 * </ul>
 */
public final class RouterConfig {
    /** More earlier frames than this per packet would only repeat what is long concealed. */
    public static final int MAX_AUDIO_REDUNDANCY = 4;

    private final long rtcpIntervalMillis;
    private final long pliMinIntervalMillis;
    private final String cname;
    private final int retransmissionPackets;
    private final long retransmissionMillis;
    private final int nackMaxRetries;
    private final long nackGiveUpMillis;
    private final long defaultRttMillis;
    private final CongestionConfig congestion;
    private final int lastN;
    private final boolean dynacast;
    private final int audioRedundancy;

    private RouterConfig(Builder b) {
        rtcpIntervalMillis = Builder.required(b.rtcpIntervalMillis, "rtcpIntervalMillis");
        pliMinIntervalMillis = Builder.required(b.pliMinIntervalMillis, "pliMinIntervalMillis");
        cname = Builder.required(b.cname, "cname");
        retransmissionPackets = Builder.required(b.retransmissionPackets, "retransmissionPackets");
        retransmissionMillis = Builder.required(b.retransmissionMillis, "retransmissionMillis");
        nackMaxRetries = Builder.required(b.nackMaxRetries, "nackMaxRetries");
        nackGiveUpMillis = Builder.required(b.nackGiveUpMillis, "nackGiveUpMillis");
        defaultRttMillis = Builder.required(b.defaultRttMillis, "defaultRttMillis");
        congestion = Builder.required(b.congestion, "congestion");
        lastN = Builder.required(b.lastN, "lastN");
        dynacast = Builder.required(b.dynacast, "dynacast");
        audioRedundancy = Builder.required(b.audioRedundancy, "audioRedundancy");
        if (audioRedundancy < 0 || audioRedundancy > MAX_AUDIO_REDUNDANCY) {
            throw new IllegalArgumentException("audio RED redundancy must be 0.." + MAX_AUDIO_REDUNDANCY);
        }
        if (lastN < 0) {
            throw new IllegalArgumentException("last-n must be >= 0 (0: no limit)");
        }
        if (rtcpIntervalMillis <= 0
                || pliMinIntervalMillis < 0
                || cname.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("bad router config");
        }
        if (retransmissionPackets < 1 || retransmissionPackets > 32768) {
            throw new IllegalArgumentException("retransmission buffer must hold 1..32768 packets");
        }
        if (retransmissionMillis <= 0 || nackGiveUpMillis <= 0 || defaultRttMillis <= 0) {
            throw new IllegalArgumentException(
                    "retransmission age, NACK give-up time and default RTT must be positive");
        }
        if (nackMaxRetries < 0) {
            throw new IllegalArgumentException("NACK retries must be >= 0 (0 disables NACKs to publishers)");
        }
    }

    /** The {@code chorus.media} defaults of reference.conf. */
    public static RouterConfig defaults() {
        return Reference.DEFAULTS;
    }

    private static final class Reference {
        static final RouterConfig DEFAULTS = from(CheckedConfig.mediaReference());
    }

    /** Reads the router's keys of {@code chorus.media}, congestion control's included. */
    public static RouterConfig from(CheckedConfig media) {
        LongPredicate atLeast1ms = ms -> ms >= 1;
        String atLeast1msRule = "must be at least 1ms";
        return new Builder()
                .rtcpIntervalMillis(media.millis("rtcp-report-interval", atLeast1ms, atLeast1msRule))
                .cname(media.string(
                        "rtcp-cname",
                        s -> !s.isEmpty() && s.getBytes(StandardCharsets.UTF_8).length <= 255,
                        "must be 1..255 bytes"))
                .pliMinIntervalMillis(media.millis("keyframe-request-interval", ms -> ms >= 0, "must not be negative"))
                .retransmissionPackets(
                        media.integer("retransmission-buffer-packets", n -> n >= 1 && n <= 32768, "must be 1..32768"))
                .retransmissionMillis(media.millis("retransmission-buffer-age", atLeast1ms, atLeast1msRule))
                .nackMaxRetries(media.integer("nack-max-retries", n -> n >= 0, "must be >= 0 (0 = off)"))
                .nackGiveUpMillis(media.millis("nack-give-up-after", atLeast1ms, atLeast1msRule))
                .defaultRttMillis(media.millis("default-rtt", atLeast1ms, atLeast1msRule))
                .congestion(CongestionConfig.from(media))
                .lastN(media.integer("last-n", n -> n >= 0, "must be >= 0 (0: no limit)"))
                .dynacast(media.bool("dynacast"))
                .audioRedundancy(media.integer(
                        "audio-red-redundancy",
                        n -> n >= 0 && n <= MAX_AUDIO_REDUNDANCY,
                        "must be 0.." + MAX_AUDIO_REDUNDANCY + " (0: no RED)"))
                .build();
    }

    public long rtcpIntervalMillis() {
        return rtcpIntervalMillis;
    }

    public long pliMinIntervalMillis() {
        return pliMinIntervalMillis;
    }

    public String cname() {
        return cname;
    }

    public int retransmissionPackets() {
        return retransmissionPackets;
    }

    public long retransmissionMillis() {
        return retransmissionMillis;
    }

    public int nackMaxRetries() {
        return nackMaxRetries;
    }

    public long nackGiveUpMillis() {
        return nackGiveUpMillis;
    }

    public long defaultRttMillis() {
        return defaultRttMillis;
    }

    public CongestionConfig congestion() {
        return congestion;
    }

    public int lastN() {
        return lastN;
    }

    public boolean dynacast() {
        return dynacast;
    }

    public int audioRedundancy() {
        return audioRedundancy;
    }

    public RouterConfig withAudioRedundancy(int frames) {
        return toBuilder().audioRedundancy(frames).build();
    }

    public RouterConfig withRetransmission(int packets, long millis) {
        return toBuilder()
                .retransmissionPackets(packets)
                .retransmissionMillis(millis)
                .build();
    }

    public RouterConfig withNack(int maxRetries, long giveUpMillis) {
        return toBuilder()
                .nackMaxRetries(maxRetries)
                .nackGiveUpMillis(giveUpMillis)
                .build();
    }

    public RouterConfig withDefaultRtt(long millis) {
        return toBuilder().defaultRttMillis(millis).build();
    }

    public RouterConfig withKeyframeMinInterval(long millis) {
        return toBuilder().pliMinIntervalMillis(millis).build();
    }

    public RouterConfig withCongestion(CongestionConfig value) {
        return toBuilder().congestion(value).build();
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        return new Builder()
                .rtcpIntervalMillis(rtcpIntervalMillis)
                .pliMinIntervalMillis(pliMinIntervalMillis)
                .cname(cname)
                .retransmissionPackets(retransmissionPackets)
                .retransmissionMillis(retransmissionMillis)
                .nackMaxRetries(nackMaxRetries)
                .nackGiveUpMillis(nackGiveUpMillis)
                .defaultRttMillis(defaultRttMillis)
                .congestion(congestion)
                .lastN(lastN)
                .dynacast(dynacast)
                .audioRedundancy(audioRedundancy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouterConfig r
                && rtcpIntervalMillis == r.rtcpIntervalMillis
                && pliMinIntervalMillis == r.pliMinIntervalMillis
                && cname.equals(r.cname)
                && retransmissionPackets == r.retransmissionPackets
                && retransmissionMillis == r.retransmissionMillis
                && nackMaxRetries == r.nackMaxRetries
                && nackGiveUpMillis == r.nackGiveUpMillis
                && defaultRttMillis == r.defaultRttMillis
                && congestion.equals(r.congestion)
                && lastN == r.lastN
                && dynacast == r.dynacast
                && audioRedundancy == r.audioRedundancy;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                rtcpIntervalMillis,
                pliMinIntervalMillis,
                cname,
                retransmissionPackets,
                retransmissionMillis,
                nackMaxRetries,
                nackGiveUpMillis,
                defaultRttMillis,
                congestion,
                lastN,
                dynacast,
                audioRedundancy);
    }

    @Override
    public String toString() {
        return "RouterConfig[rtcpIntervalMillis=" + rtcpIntervalMillis + ", pliMinIntervalMillis="
                + pliMinIntervalMillis + ", cname=" + cname + ", retransmissionPackets=" + retransmissionPackets
                + ", retransmissionMillis=" + retransmissionMillis + ", nackMaxRetries=" + nackMaxRetries
                + ", nackGiveUpMillis=" + nackGiveUpMillis + ", defaultRttMillis=" + defaultRttMillis
                + ", congestion=" + congestion + ", lastN=" + lastN + ", dynacast=" + dynacast
                + ", audioRedundancy=" + audioRedundancy + "]";
    }

    /**
     * Collects the settings. {@code new Builder()} starts with nothing set and {@link #build()} names the first
     * setting left unset; {@code RouterConfig.defaults().toBuilder()} starts from the defaults.
     */
    public static final class Builder {
        private Long rtcpIntervalMillis;
        private Long pliMinIntervalMillis;
        private String cname;
        private Integer retransmissionPackets;
        private Long retransmissionMillis;
        private Integer nackMaxRetries;
        private Long nackGiveUpMillis;
        private Long defaultRttMillis;
        private CongestionConfig congestion;
        private Integer lastN;
        private Boolean dynacast;
        private Integer audioRedundancy;

        public Builder() {}

        public Builder audioRedundancy(int v) {
            audioRedundancy = v;
            return this;
        }

        public Builder rtcpIntervalMillis(long v) {
            rtcpIntervalMillis = v;
            return this;
        }

        public Builder pliMinIntervalMillis(long v) {
            pliMinIntervalMillis = v;
            return this;
        }

        public Builder cname(String v) {
            cname = v;
            return this;
        }

        public Builder retransmissionPackets(int v) {
            retransmissionPackets = v;
            return this;
        }

        public Builder retransmissionMillis(long v) {
            retransmissionMillis = v;
            return this;
        }

        public Builder nackMaxRetries(int v) {
            nackMaxRetries = v;
            return this;
        }

        public Builder nackGiveUpMillis(long v) {
            nackGiveUpMillis = v;
            return this;
        }

        public Builder defaultRttMillis(long v) {
            defaultRttMillis = v;
            return this;
        }

        public Builder congestion(CongestionConfig v) {
            congestion = v;
            return this;
        }

        public Builder dynacast(boolean v) {
            dynacast = v;
            return this;
        }

        public Builder lastN(int v) {
            lastN = v;
            return this;
        }

        public RouterConfig build() {
            return new RouterConfig(this);
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalStateException("RouterConfig." + name + " not set");
            }
            return value;
        }
    }
}
