package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.sdp.IceCandidate;
import dev.chorus.sfu.sdp.IceCandidateParser;
import dev.chorus.sfu.sdp.SdpException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConfigParsingTest {

    @Test
    void cidrRanges() throws Exception {
        CidrRange lo = CidrRange.parse("127.0.0.0/8");
        assertTrue(lo.contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(lo.contains(InetAddress.getByName("127.255.1.2")));
        assertFalse(lo.contains(InetAddress.getByName("128.0.0.1")));
        assertFalse(lo.contains(InetAddress.getByName("::1")));
        CidrRange odd = CidrRange.parse("10.1.2.128/25");
        assertTrue(odd.contains(InetAddress.getByName("10.1.2.200")));
        assertFalse(odd.contains(InetAddress.getByName("10.1.2.127")));
        assertTrue(CidrRange.parse("::1").contains(InetAddress.getByName("::1")));
        assertTrue(CidrRange.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")));
        assertThrows(
                IllegalArgumentException.class, () -> CidrRange.parse("example.com/8"), "names are never resolved");
        assertThrows(IllegalArgumentException.class, () -> CidrRange.parse("10.0.0.0/33"));
    }

    @Test
    void allowListDefaultsToEverything() throws Exception {
        assertTrue(TransportConfig.builder().build().isAllowed(InetAddress.getByName("192.0.2.1")));
        TransportConfig c = TransportConfig.builder()
                .allowRemote("127.0.0.0/8")
                .allowRemote("::1/128")
                .build();
        assertTrue(c.isAllowed(InetAddress.getByName("127.0.0.1")));
        assertTrue(c.isAllowed(InetAddress.getByName("::1")));
        assertFalse(c.isAllowed(InetAddress.getByName("192.0.2.1")));
        assertThrows(
                IllegalArgumentException.class,
                () -> TransportConfig.builder()
                        .bindAddress(InetAddress.getByName("0.0.0.0"))
                        .build());
        assertEquals(10000, TransportConfig.builder().build().port());
    }

    @Test
    void candidateLinesRoundTrip() throws Exception {
        IceCandidate c = IceCandidateParser.parse(
                "a=candidate:842163049 1 UDP 1677729535 127.0.0.1 50123 typ srflx raddr 0.0.0.0 rport 0 generation 0");
        assertEquals("842163049", c.foundation());
        assertEquals(1, c.component());
        assertEquals("udp", c.transport());
        assertEquals(1677729535L, c.priority());
        assertEquals("127.0.0.1", c.address());
        assertEquals(50123, c.port());
        assertEquals("srflx", c.type());
        assertEquals(c, IceCandidateParser.parse(c.toSdp()));
        assertThrows(SdpException.class, () -> IceCandidateParser.parse("candidate:1 1 udp"));
        assertThrows(SdpException.class, () -> IceCandidateParser.parse("a=ice-ufrag:abcd"));
    }

    @Test
    void literalAddressesOnlyNoDns() {
        assertEquals("127.0.0.1", IceSession.literal("127.0.0.1").getHostAddress());
        assertTrue(IceSession.literal("::1").isLoopbackAddress());
        assertNull(IceSession.literal("3f1c2a4e-1b2c.local"), "mDNS names are ignored, never resolved");
        assertNull(IceSession.literal("localhost"));
    }

    @Test
    void fingerprintFormat() {
        DtlsCertificate cert = DtlsCertificate.generate();
        assertTrue(cert.fingerprint().matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"), cert.fingerprint());
        assertEquals(cert.fingerprint(), cert.hashFunction() + " " + cert.fingerprintValue());
    }
}
