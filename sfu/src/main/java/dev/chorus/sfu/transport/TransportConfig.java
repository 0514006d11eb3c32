package dev.chorus.sfu.transport;

import dev.chorus.sfu.config.CheckedConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the media transport layer. Immutable. The server's are read from {@code chorus.media} by
 * {@link #from}; tests and clients start from the reference.conf defaults with {@link #builder()}.
 *
 * <ul>
 * <li>{@code bindAddress}: address the shared UDP socket binds to (127.0.0.1 in tests). Never a wildcard.
 * <li>{@code port}: UDP port of the shared socket; 0 picks an ephemeral port (clients, tests)
 * <li>{@code advertisedAddress}: public address announced <em>instead of</em> the bound one in every candidate
 *     (1:1 NAT, or a test proxy in front of the SFU), or null to announce the bound address
 * <li>{@code advertisedPort}: UDP port announced in place of the bound one; 0 means "same as the bound port"
 * <li>{@code tcpPort}: ICE-TCP (RFC 6544 passive candidates, RFC 4571 framing) listening port on the bind
 *     address: -1 disables ICE-TCP, 0 picks an ephemeral port (tests)
 * <li>{@code advertisedTcpPort}: TCP port announced in place of the bound TCP port; 0 means "same as the bound one"
 * <li>{@code udpEnabled}: whether UDP candidates are gathered and announced; false leaves only ICE-TCP
 *     (diagnosis of TCP-only clients, and the TCP-only end-to-end test)
 * <li>{@code dtlsHandshakeTimeout}: the DTLS handshake fails (DTLS_FAILED "HANDSHAKE_TIMEOUT") after this long
 * <li>{@code dtlsThreads}: most DTLS handshakes running at once on a {@link MediaPorts} (each blocks a thread
 *     in Bouncy Castle); more wait their turn, so a join storm cannot grow threads without bound. CLIENT
 *     transports share one process-wide pool instead ({@code TransportRuntime})
 * <li>{@code dtlsQueue}: handshakes that may wait for a DTLS thread; one more fails at once
 *     ({@link DtlsFailure#HANDSHAKE_QUEUE_FULL}). The wait counts against the handshake timeout
 * <li>{@code setupThreadNice}: the nice value DTLS handshake threads run at (0: the process's), so that on a busy
 *     machine media threads run first ({@link dev.chorus.sfu.worker.ThreadNice})
 * <li>{@code consentTimeout}: ICE consent (RFC 7675): failed when nothing authenticated was heard from the
 *     peer this long
 * <li>{@code allowedRemoteRanges}: remote addresses we talk to; an empty list means all
 * <li>{@code srtpProfiles}: profiles we offer (client) or accept (server), in preference order
 * <li>{@code srtpImplementation}: whose SRTP protects and unprotects media ({@link SrtpImplementation})
 * </ul>
 */
public final class TransportConfig {
    private final InetAddress bindAddress;
    private final int port;
    private final InetAddress advertisedAddress;
    private final int advertisedPort;
    private final int tcpPort;
    private final int advertisedTcpPort;
    private final boolean udpEnabled;
    private final Duration dtlsHandshakeTimeout;
    private final int dtlsThreads;
    private final int dtlsQueue;
    private final int setupThreadNice;
    private final Duration consentTimeout;
    private final List<CidrRange> allowedRemoteRanges;
    private final List<SrtpProfile> srtpProfiles;
    private final boolean sharedClientReads;
    private final SrtpImplementation srtpImplementation;

    private TransportConfig(Builder b) {
        bindAddress = Builder.required(b.bindAddress, "bindAddress");
        port = Builder.required(b.port, "port");
        advertisedAddress = b.advertisedAddress;
        advertisedPort = Builder.required(b.advertisedPort, "advertisedPort");
        tcpPort = Builder.required(b.tcpPort, "tcpPort");
        advertisedTcpPort = Builder.required(b.advertisedTcpPort, "advertisedTcpPort");
        udpEnabled = Builder.required(b.udpEnabled, "udpEnabled");
        dtlsHandshakeTimeout = Builder.required(b.dtlsHandshakeTimeout, "dtlsHandshakeTimeout");
        dtlsThreads = Builder.required(b.dtlsThreads, "dtlsThreads");
        dtlsQueue = Builder.required(b.dtlsQueue, "dtlsQueue");
        setupThreadNice = Builder.required(b.setupThreadNice, "setupThreadNice");
        consentTimeout = Builder.required(b.consentTimeout, "consentTimeout");
        allowedRemoteRanges = List.copyOf(b.allowed);
        srtpProfiles = List.copyOf(b.profiles);
        sharedClientReads = b.sharedClientReads;
        srtpImplementation = Builder.required(b.srtpImplementation, "srtpImplementation");
        if (bindAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("bind to a concrete address, not the wildcard");
        }
        if (port < 0
                || port > 65535
                || advertisedPort < 0
                || advertisedPort > 65535
                || tcpPort < -1
                || tcpPort > 65535
                || advertisedTcpPort < 0
                || advertisedTcpPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        if (!udpEnabled && tcpPort < 0) {
            throw new IllegalArgumentException("UDP and TCP both disabled: no candidate could be offered");
        }
        if (advertisedAddress != null && advertisedAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("the advertised address cannot be the wildcard");
        }
        if (dtlsThreads < 1) {
            throw new IllegalArgumentException("need at least one DTLS thread");
        }
        if (setupThreadNice < 0 || setupThreadNice > 19) {
            throw new IllegalArgumentException("the set-up threads' nice value is 0..19");
        }
        if (dtlsQueue < 1) {
            throw new IllegalArgumentException("the DTLS queue needs room for at least one handshake");
        }
        if (srtpProfiles.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP profile");
        }
    }

    public InetAddress bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
    }

    public InetAddress advertisedAddress() {
        return advertisedAddress;
    }

    public int advertisedPort() {
        return advertisedPort;
    }

    public int tcpPort() {
        return tcpPort;
    }

    public int advertisedTcpPort() {
        return advertisedTcpPort;
    }

    public boolean udpEnabled() {
        return udpEnabled;
    }

    public Duration dtlsHandshakeTimeout() {
        return dtlsHandshakeTimeout;
    }

    public int dtlsThreads() {
        return dtlsThreads;
    }

    public int dtlsQueue() {
        return dtlsQueue;
    }

    public int setupThreadNice() {
        return setupThreadNice;
    }

    public Duration consentTimeout() {
        return consentTimeout;
    }

    public List<CidrRange> allowedRemoteRanges() {
        return allowedRemoteRanges;
    }

    /**
     * CLIENT transports only: read every such transport's socket on a few shared selector threads, one per core
     * ({@link ClientReadLoops}), instead of ice4j's socket stack and a reader thread each. For processes that run
     * hundreds of clients (load-test bots); false (the default) keeps the plain path.
     */
    public boolean sharedClientReads() {
        return sharedClientReads;
    }

    public List<SrtpProfile> srtpProfiles() {
        return srtpProfiles;
    }

    public SrtpImplementation srtpImplementation() {
        return srtpImplementation;
    }

    /** Whether {@code remote} may be talked to. */
    public boolean isAllowed(InetAddress remote) {
        if (allowedRemoteRanges.isEmpty()) {
            return true;
        }
        for (CidrRange r : allowedRemoteRanges) {
            if (r.contains(remote)) {
                return true;
            }
        }
        return false;
    }

    /** Whether ICE-TCP passive candidates are offered. */
    public boolean tcpEnabled() {
        return tcpPort >= 0;
    }

    /** A copy with another port (e.g. 0 for a client's own ephemeral socket). */
    public TransportConfig withPort(int newPort) {
        return toBuilder().port(newPort).build();
    }

    /**
     * A builder holding the {@code chorus.media} defaults of reference.conf (UDP 127.0.0.1:10000, ICE-TCP on the UDP
     * port's number, nothing advertised but the bound address, all remotes ...), for tests, clients and bots. As in
     * reference.conf, the ICE-TCP port follows {@link Builder#port} until {@link Builder#tcpPort} sets it.
     */
    public static Builder builder() {
        Builder b = Reference.DEFAULTS.toBuilder();
        b.tcpFollowsPort = Reference.DEFAULTS.tcpPort == Reference.DEFAULTS.port;
        return b;
    }

    private static final class Reference {
        static final TransportConfig DEFAULTS = from(CheckedConfig.mediaReference());
    }

    /**
     * Reads the transport's keys of {@code chorus.media}, resolving the configured addresses once (never per
     * packet).
     *
     * @throws IllegalArgumentException naming the key, for a value out of range or an address that does not resolve
     */
    public static TransportConfig from(CheckedConfig media) {
        CheckedConfig.require(
                media.bool("udp-enabled") || media.integer("tcp-port") >= 0,
                "chorus.media.udp-enabled = false needs ICE-TCP (chorus.media.tcp-port >= 0)");
        String publicAddress = media.string("public-address").trim();
        CheckedConfig.require(
                !publicAddress.isEmpty()
                        || (media.integer("public-port") == 0 && media.integer("public-tcp-port") == 0),
                "chorus.media.public-port and public-tcp-port need chorus.media.public-address");
        Builder b = new Builder()
                .bindAddress(bindAddress(media))
                .port(media.integer("port", TransportConfig::isPort, PORT_RULE))
                .advertised(
                        advertisedAddress(media, publicAddress),
                        media.integer("public-port", TransportConfig::isPort, PORT_RULE))
                .tcpPort(media.integer("tcp-port", p -> p >= -1 && p <= 65535, "must be -1 (off) or 0..65535"))
                .advertisedTcpPort(media.integer("public-tcp-port", TransportConfig::isPort, PORT_RULE))
                .udpEnabled(media.bool("udp-enabled"))
                .consentTimeout(media.duration("consent-timeout", d -> d.toMillis() >= 1000, "must be at least 1s"))
                .dtlsHandshakeTimeout(media.duration("dtls-timeout", d -> d.toMillis() >= 1000, "must be at least 1s"))
                .dtlsThreads(media.integer("dtls-threads", n -> n >= 1, "must be at least 1"))
                .dtlsQueue(media.integer("dtls-queue", n -> n >= 1, "must be at least 1"))
                .setupThreadNice(media.integer("setup-thread-nice", n -> n >= 0 && n <= 19, "must be 0..19"))
                .srtpImplementation(srtpImplementation(media));
        for (String cidr : media.stringList("allowed-remotes")) {
            try {
                b.allowRemote(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid configuration: " + media.key("allowed-remotes") + " entry '" + cidr + "': "
                                + e.getMessage(),
                        e);
            }
        }
        return b.build();
    }

    private static SrtpImplementation srtpImplementation(CheckedConfig media) {
        String name = media.string("srtp-implementation").trim();
        for (SrtpImplementation i : SrtpImplementation.values()) {
            if (i.name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("invalid configuration: " + media.key("srtp-implementation") + " '" + name
                + "': must be chorus or jitsi");
    }

    private static final String PORT_RULE = "must be 0..65535";

    private static boolean isPort(int p) {
        return p >= 0 && p <= 65535;
    }

    private static InetAddress bindAddress(CheckedConfig media) {
        String name = media.string("address");
        InetAddress address = resolve(media, "address", name);
        CheckedConfig.require(
                !address.isAnyLocalAddress(),
                media.key("address") + " must be a concrete address of this host, not the wildcard " + name);
        return address;
    }

    /** The address candidates announce instead of the bound one, or null. */
    private static InetAddress advertisedAddress(CheckedConfig media, String name) {
        if (name.isEmpty()) {
            return null;
        }
        InetAddress address = resolve(media, "public-address", name);
        CheckedConfig.require(
                !address.isAnyLocalAddress(), media.key("public-address") + " cannot be the wildcard address");
        return address;
    }

    /** A literal address, or a name resolved once at start-up. */
    private static InetAddress resolve(CheckedConfig media, String key, String name) {
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "invalid configuration: " + media.key(key) + " '" + name + "' does not resolve", e);
        }
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .bindAddress(bindAddress)
                .port(port)
                .advertised(advertisedAddress, advertisedPort)
                .tcpPort(tcpPort)
                .advertisedTcpPort(advertisedTcpPort)
                .udpEnabled(udpEnabled)
                .dtlsHandshakeTimeout(dtlsHandshakeTimeout)
                .dtlsThreads(dtlsThreads)
                .dtlsQueue(dtlsQueue)
                .setupThreadNice(setupThreadNice)
                .consentTimeout(consentTimeout)
                .srtpProfiles(srtpProfiles.toArray(SrtpProfile[]::new))
                .sharedClientReads(sharedClientReads)
                .srtpImplementation(srtpImplementation);
        b.allowed.addAll(allowedRemoteRanges);
        return b;
    }

    @Override
    public String toString() {
        return "TransportConfig[bindAddress=" + bindAddress.getHostAddress() + ", port=" + port
                + ", advertisedAddress=" + (advertisedAddress == null ? "none" : advertisedAddress.getHostAddress())
                + ", advertisedPort=" + advertisedPort + ", tcpPort=" + tcpPort
                + ", advertisedTcpPort=" + advertisedTcpPort + ", udpEnabled=" + udpEnabled
                + ", dtlsHandshakeTimeout=" + dtlsHandshakeTimeout + ", dtlsThreads=" + dtlsThreads + ", dtlsQueue="
                + dtlsQueue + ", setupThreadNice=" + setupThreadNice
                + ", consentTimeout=" + consentTimeout + ", allowedRemoteRanges=" + allowedRemoteRanges
                + ", srtpProfiles=" + srtpProfiles + ", sharedClientReads=" + sharedClientReads
                + ", srtpImplementation=" + srtpImplementation + "]";
    }

    /**
     * Collects the settings. {@code new Builder()} starts with nothing set, and {@link #build()} names the first
     * setting left unset (the advertised address and the allowed remotes may stay empty); {@link #builder()}
     * starts from the defaults instead.
     */
    public static final class Builder {
        private InetAddress bindAddress;
        private Integer port;
        private InetAddress advertisedAddress;
        private Integer advertisedPort;
        private Integer tcpPort;
        private Integer advertisedTcpPort;
        private Boolean udpEnabled;
        private Duration dtlsHandshakeTimeout;
        private Integer dtlsThreads;
        private Integer dtlsQueue;
        private Integer setupThreadNice;
        private Duration consentTimeout;
        private final List<CidrRange> allowed = new ArrayList<>();
        // A protocol preference, not a setting: GCM is cheaper and stronger, CM_80 is what every browser has.
        private List<SrtpProfile> profiles = List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        private boolean sharedClientReads;
        private SrtpImplementation srtpImplementation;
        /** {@link #builder()}'s ICE-TCP port is the UDP port's until set itself. */
        private boolean tcpFollowsPort;

        public Builder() {}

        public Builder bindAddress(InetAddress a) {
            this.bindAddress = a;
            return this;
        }

        public Builder port(int p) {
            this.port = p;
            if (tcpFollowsPort) {
                this.tcpPort = p;
            }
            return this;
        }
        /** Public address announced instead of the bound one (null: the bound one); UDP port 0 = the bound port. */
        public Builder advertised(InetAddress a, int p) {
            this.advertisedAddress = a;
            this.advertisedPort = p;
            return this;
        }
        /** ICE-TCP listening port: -1 off, 0 ephemeral. */
        public Builder tcpPort(int p) {
            this.tcpPort = p;
            this.tcpFollowsPort = false;
            return this;
        }
        /** TCP port announced instead of the bound TCP port (0 = the bound one). */
        public Builder advertisedTcpPort(int p) {
            this.advertisedTcpPort = p;
            return this;
        }
        /** False: no UDP candidate at all (ICE-TCP only). */
        public Builder udpEnabled(boolean on) {
            this.udpEnabled = on;
            return this;
        }

        public Builder dtlsHandshakeTimeout(Duration d) {
            this.dtlsHandshakeTimeout = d;
            return this;
        }

        public Builder dtlsThreads(int n) {
            this.dtlsThreads = n;
            return this;
        }

        public Builder dtlsQueue(int n) {
            this.dtlsQueue = n;
            return this;
        }

        /** Nice value of the DTLS handshake threads, 0..19 (0: leave them at the process's). */
        public Builder setupThreadNice(int n) {
            this.setupThreadNice = n;
            return this;
        }

        public Builder consentTimeout(Duration d) {
            this.consentTimeout = d;
            return this;
        }
        /** Adds an allowed remote range ("127.0.0.0/8"); with none added, every remote is allowed. */
        public Builder allowRemote(String cidr) {
            this.allowed.add(CidrRange.parse(cidr));
            return this;
        }

        public Builder srtpProfiles(SrtpProfile... p) {
            this.profiles = List.of(p);
            return this;
        }

        /** See {@link TransportConfig#sharedClientReads()}; false unless set. */
        public Builder sharedClientReads(boolean on) {
            this.sharedClientReads = on;
            return this;
        }

        public Builder srtpImplementation(SrtpImplementation i) {
            this.srtpImplementation = i;
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(this);
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalStateException("TransportConfig." + name + " not set");
            }
            return value;
        }
    }
}
