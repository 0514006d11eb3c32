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
 * @param advertisedAddress    optional public address to announce as an extra candidate (NAT / 1:1 mapping), or null
 * @param advertisedPort       port to announce with {@code advertisedAddress}; 0 means "same as the bound port"
 * @param dtlsHandshakeTimeout the DTLS handshake fails (DTLS_FAILED "HANDSHAKE_TIMEOUT") after this long
 * @param consentTimeout       ICE consent (RFC 7675): failed when nothing authenticated was heard from the peer this long
 * @param allowedRemoteRanges  remote addresses we talk to; an empty list means all
 * @param srtpProfiles         profiles we offer (client) or accept (server), in preference order
 */
public record TransportConfig(
        InetAddress bindAddress,
        int port,
        InetAddress advertisedAddress,
        int advertisedPort,
        Duration dtlsHandshakeTimeout,
        Duration consentTimeout,
        List<CidrRange> allowedRemoteRanges,
        List<SrtpProfile> srtpProfiles) {

    public static final int DEFAULT_PORT = 10000;

    public TransportConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("bind to a concrete address, not the wildcard");
        }
        if (port < 0 || port > 65535 || advertisedPort < 0 || advertisedPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        Objects.requireNonNull(dtlsHandshakeTimeout, "dtlsHandshakeTimeout");
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

    /** A copy with another port (e.g. 0 for a client's own ephemeral socket). */
    public TransportConfig withPort(int newPort) {
        return new TransportConfig(bindAddress, newPort, advertisedAddress, advertisedPort, dtlsHandshakeTimeout,
                consentTimeout, allowedRemoteRanges, srtpProfiles);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loopback defaults: 127.0.0.1:10000, 10 s DTLS, 30 s consent, all remotes, GCM then CM_80. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port = DEFAULT_PORT;
        private InetAddress advertisedAddress;
        private int advertisedPort;
        private Duration dtlsHandshakeTimeout = Duration.ofSeconds(10);
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
        public Builder advertised(InetAddress a, int p) { this.advertisedAddress = a; this.advertisedPort = p; return this; }
        public Builder dtlsHandshakeTimeout(Duration d) { this.dtlsHandshakeTimeout = d; return this; }
        public Builder consentTimeout(Duration d) { this.consentTimeout = d; return this; }
        /** Adds an allowed remote range ("127.0.0.0/8"); with none added, every remote is allowed. */
        public Builder allowRemote(String cidr) { this.allowed.add(CidrRange.parse(cidr)); return this; }
        public Builder srtpProfiles(SrtpProfile... p) { this.profiles = List.of(p); return this; }

        public TransportConfig build() {
            return new TransportConfig(bindAddress, port, advertisedAddress, advertisedPort, dtlsHandshakeTimeout,
                    consentTimeout, allowed, profiles);
        }
    }
}
