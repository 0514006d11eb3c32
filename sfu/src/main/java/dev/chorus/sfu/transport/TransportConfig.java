package dev.chorus.sfu.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the media transport layer. Immutable; build with {@link #builder()}.
 *
 * @param bindAddress          address the shared UDP socket binds to (127.0.0.1 in tests). Never a wildcard.
 * @param port                 UDP port of the shared socket; 0 picks an ephemeral port (clients, tests)
 * @param advertisedAddress    public address announced <em>instead of</em> the bound one in every candidate (1:1 NAT,
 *                             or a test proxy in front of the SFU), or null to announce the bound address
 * @param advertisedPort       UDP port announced in place of the bound one; 0 means "same as the bound port"
 * @param tcpPort              ICE-TCP (RFC 6544 passive candidates, RFC 4571 framing) listening port on the bind
 *                             address: -1 disables ICE-TCP, 0 picks an ephemeral port (tests)
 * @param advertisedTcpPort    TCP port announced in place of the bound TCP port; 0 means "same as the bound one"
 * @param udpEnabled           whether UDP candidates are gathered and announced; false leaves only ICE-TCP
 *                             (diagnosis of TCP-only clients, and the TCP-only end-to-end test)
 * @param dtlsHandshakeTimeout the DTLS handshake fails (DTLS_FAILED "HANDSHAKE_TIMEOUT") after this long
 * @param dtlsThreads          most DTLS handshakes running at once on a {@link MediaPorts} (each blocks a thread in
 *                             Bouncy Castle); more wait their turn, so a join storm cannot grow threads without bound.
 *                             CLIENT transports share one process-wide pool instead ({@code TransportRuntime})
 * @param dtlsQueue            handshakes that may wait for a DTLS thread; one more fails at once
 *                             ({@link DtlsFailure#HANDSHAKE_QUEUE_FULL}). The wait counts against the handshake timeout
 * @param consentTimeout       ICE consent (RFC 7675): failed when nothing authenticated was heard from the peer this long
 * @param allowedRemoteRanges  remote addresses we talk to; an empty list means all
 * @param srtpProfiles         profiles we offer (client) or accept (server), in preference order
 */
public record TransportConfig(
        InetAddress bindAddress,
        int port,
        InetAddress advertisedAddress,
        int advertisedPort,
        int tcpPort,
        int advertisedTcpPort,
        boolean udpEnabled,
        Duration dtlsHandshakeTimeout,
        int dtlsThreads,
        int dtlsQueue,
        Duration consentTimeout,
        List<CidrRange> allowedRemoteRanges,
        List<SrtpProfile> srtpProfiles) {

    public static final int DEFAULT_PORT = 10000;

    public TransportConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("bind to a concrete address, not the wildcard");
        }
        if (port < 0 || port > 65535 || advertisedPort < 0 || advertisedPort > 65535
                || tcpPort < -1 || tcpPort > 65535 || advertisedTcpPort < 0 || advertisedTcpPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        if (!udpEnabled && tcpPort < 0) {
            throw new IllegalArgumentException("UDP and TCP both disabled: no candidate could be offered");
        }
        if (advertisedAddress != null && advertisedAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("the advertised address cannot be the wildcard");
        }
        Objects.requireNonNull(dtlsHandshakeTimeout, "dtlsHandshakeTimeout");
        if (dtlsThreads < 1) {
            throw new IllegalArgumentException("need at least one DTLS thread");
        }
        if (dtlsQueue < 1) {
            throw new IllegalArgumentException("the DTLS queue needs room for at least one handshake");
        }
        Objects.requireNonNull(consentTimeout, "consentTimeout");
        allowedRemoteRanges = List.copyOf(allowedRemoteRanges);
        srtpProfiles = List.copyOf(srtpProfiles);
        if (srtpProfiles.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP profile");
        }
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
        return new TransportConfig(bindAddress, newPort, advertisedAddress, advertisedPort, tcpPort,
                advertisedTcpPort, udpEnabled, dtlsHandshakeTimeout, dtlsThreads, dtlsQueue, consentTimeout, allowedRemoteRanges,
                srtpProfiles);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loopback defaults: UDP 127.0.0.1:10000, no ICE-TCP, nothing advertised but the bound address, 10 s DTLS,
     * 4 DTLS threads with 256 handshakes waiting at most, 30 s consent, all remotes, GCM then CM_80 (ICE-TCP is off here as in the server's chorus.media.tcp-port).
     */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port = DEFAULT_PORT;
        private InetAddress advertisedAddress;
        private int advertisedPort;
        private int tcpPort = -1;
        private int advertisedTcpPort;
        private boolean udpEnabled = true;
        private Duration dtlsHandshakeTimeout = Duration.ofSeconds(10);
        private int dtlsThreads = 4;
        private int dtlsQueue = 256;
        private Duration consentTimeout = Duration.ofSeconds(30);
        private final List<CidrRange> allowed = new ArrayList<>();
        private List<SrtpProfile> profiles = List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80);

        private Builder() {
            try {
                bindAddress = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        public Builder bindAddress(InetAddress a) { this.bindAddress = a; return this; }
        public Builder port(int p) { this.port = p; return this; }
        /** Public address announced instead of the bound one (null: the bound one); UDP port 0 = the bound port. */
        public Builder advertised(InetAddress a, int p) { this.advertisedAddress = a; this.advertisedPort = p; return this; }
        /** ICE-TCP listening port: -1 off (the default here), 0 ephemeral. */
        public Builder tcpPort(int p) { this.tcpPort = p; return this; }
        /** TCP port announced instead of the bound TCP port (0 = the bound one). */
        public Builder advertisedTcpPort(int p) { this.advertisedTcpPort = p; return this; }
        /** False: no UDP candidate at all (ICE-TCP only). */
        public Builder udpEnabled(boolean on) { this.udpEnabled = on; return this; }
        public Builder dtlsHandshakeTimeout(Duration d) { this.dtlsHandshakeTimeout = d; return this; }
        public Builder dtlsThreads(int n) { this.dtlsThreads = n; return this; }
        public Builder dtlsQueue(int n) { this.dtlsQueue = n; return this; }
        public Builder consentTimeout(Duration d) { this.consentTimeout = d; return this; }
        /** Adds an allowed remote range ("127.0.0.0/8"); with none added, every remote is allowed. */
        public Builder allowRemote(String cidr) { this.allowed.add(CidrRange.parse(cidr)); return this; }
        public Builder srtpProfiles(SrtpProfile... p) { this.profiles = List.of(p); return this; }

        public TransportConfig build() {
            return new TransportConfig(bindAddress, port, advertisedAddress, advertisedPort, tcpPort, advertisedTcpPort,
                    udpEnabled, dtlsHandshakeTimeout, dtlsThreads, dtlsQueue, consentTimeout, allowed, profiles);
        }
    }
}
