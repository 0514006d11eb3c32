package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IceCandidateParserTest {

    @Test
    void chromeHostUdpCandidate() throws SdpException {
        IceCandidate c = IceCandidateParser.parse(
                "candidate:1507472777 1 udp 2122260223 127.0.0.1 53423 typ host generation 0 network-id 1 network-cost 50");
        assertEquals("1507472777", c.foundation());
        assertEquals(1, c.component());
        assertEquals("udp", c.transport());
        assertTrue(c.isUdp());
        assertEquals(2122260223L, c.priority());
        assertEquals("127.0.0.1", c.address());
        assertEquals(53423, c.port());
        assertEquals("host", c.type());
        assertEquals(Optional.empty(), c.relatedAddress());
        assertEquals(OptionalInt.empty(), c.relatedPort());
        assertEquals(Optional.empty(), c.tcpType());
        assertEquals(Map.of("generation", "0", "network-id", "1", "network-cost", "50"), c.extensions());
    }

    @Test
    void chromeTcpCandidateWithSdpPrefix() throws SdpException {
        IceCandidate c = IceCandidateParser.parse(
                "a=candidate:655742737 1 TCP 1518280447 127.0.0.1 9 typ host tcptype active generation 0");
        assertTrue(c.isTcp());
        assertEquals("tcp", c.transport());
        assertEquals(9, c.port());
        assertEquals(Optional.of("active"), c.tcpType());
    }

    @Test
    void relayCandidateWithRelatedAddressAndIpv6() throws SdpException {
        IceCandidate c = IceCandidateParser.parse("candidate:3 1 udp 41885439 2001:db8::1 3478 typ relay"
                + " raddr 203.0.113.7 rport 50000 generation 0 ufrag uSb5");
        assertEquals("2001:db8::1", c.address());
        assertEquals("relay", c.type());
        assertEquals(Optional.of("203.0.113.7"), c.relatedAddress());
        assertEquals(OptionalInt.of(50000), c.relatedPort());
        assertEquals("uSb5", c.extensions().get("ufrag"));
    }

    @Test
    void mdnsHostCandidate() throws SdpException {
        IceCandidate c = IceCandidateParser.parse(
                "candidate:1560499547 1 udp 2113937151 2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local 33192 typ host");
        assertEquals("2cf0b2c0-0842-4fe3-aaa0-4556a2dfbadc.local", c.address());
    }

    @Test
    void everyCandidateInTheFixturesParses() throws SdpException {
        for (String name : new String[] {Fixtures.PUBLISH, Fixtures.PUBLISH_RECEIVE, Fixtures.SIMULCAST}) {
            for (MediaSection m : Fixtures.parsed(name).media()) {
                for (String candidate : m.candidates()) {
                    assertEquals(
                            "127.0.0.1", IceCandidateParser.parse(candidate).address());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no prefix          | 1 1 udp 1 127.0.0.1 9 typ host                       | candidate must start with 'candidate:'
            too short          | candidate:1 1 udp 1 127.0.0.1 9                      | candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>: 'candidate:1 1 udp 1 127.0.0.1 9'
            no typ keyword     | candidate:1 1 udp 1 127.0.0.1 9 type host            | candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>: 'candidate:1 1 udp 1 127.0.0.1 9 type host'
            bad foundation     | candidate:a-b 1 udp 1 127.0.0.1 9 typ host           | candidate foundation 'a-b' is not 1-32 ice-chars
            component zero     | candidate:1 0 udp 1 127.0.0.1 9 typ host             | candidate component 0 is outside 1..256
            bad transport      | candidate:1 1 sctp 1 127.0.0.1 9 typ host            | candidate transport 'sctp' is not udp or tcp
            bad priority       | candidate:1 1 udp high 127.0.0.1 9 typ host          | candidate priority 'high' is not a number
            priority too big   | candidate:1 1 udp 4294967296 127.0.0.1 9 typ host    | candidate priority 4294967296 is outside 1..4294967295
            bad address        | candidate:1 1 udp 1 127.0.0.1;rm 9 typ host          | candidate address '127.0.0.1;rm' is not an IP address or host name
            port too big       | candidate:1 1 udp 1 127.0.0.1 65536 typ host         | candidate port 65536 is outside 0..65535
            negative port      | candidate:1 1 udp 1 127.0.0.1 -1 typ host            | candidate port '-1' is not a number
            bad type           | candidate:1 1 udp 1 127.0.0.1 9 typ local            | candidate type 'local' is not host, srflx, prflx or relay
            bad rport          | candidate:1 1 udp 1 1.2.3.4 9 typ srflx raddr 0.0.0.0 rport x | candidate rport 'x' is not a number
            dangling attribute | candidate:1 1 udp 1 127.0.0.1 9 typ host generation | candidate attribute 'generation' has no value
            tcp without type   | candidate:1 1 tcp 1 127.0.0.1 9 typ host             | tcp candidate has no tcptype
            bad tcptype        | candidate:1 1 tcp 1 127.0.0.1 9 typ host tcptype both | candidate tcptype 'both' is not active, passive or so
            """)
    void invalidCandidatesAreRefusedWithAReason(String name, String candidate, String message) {
        SdpException e = assertThrows(SdpException.class, () -> IceCandidateParser.parse(candidate));
        assertEquals(message, e.getMessage());
    }

    @Test
    void nullAndOverlongAreRefused() {
        assertEquals(
                "candidate is missing",
                assertThrows(SdpException.class, () -> IceCandidateParser.parse(null))
                        .getMessage());
        String longOne = "candidate:1 1 udp 1 127.0.0.1 9 typ host" + " x y".repeat(400);
        assertEquals(
                "candidate is longer than 1024 characters",
                assertThrows(SdpException.class, () -> IceCandidateParser.parse(longOne))
                        .getMessage());
    }
}
