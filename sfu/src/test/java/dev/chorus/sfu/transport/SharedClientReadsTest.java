package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.drop.DropReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CLIENT transports whose sockets one shared selector thread reads ({@link TransportConfig#sharedClientReads()}):
 * ICE (through ice4j fed the STUN), DTLS and SRTP both ways, several clients on the one loop, and a closed client
 * leaving the others alone.
 */
class SharedClientReadsTest {
    static MediaPorts port;

    @BeforeAll
    static void openPort() throws Exception {
        Peers.quiet();
        port = MediaPorts.open(WebRtcTransportTest.loopback().build());
    }

    @AfterAll
    static void closePort() {
        port.close();
    }

    private static TransportConfig shared() {
        return WebRtcTransportTest.loopback().sharedClientReads(true).build();
    }

    @Test
    void theSettingIsOffUnlessAskedAndSurvivesToBuilder() {
        assertFalse(WebRtcTransportTest.loopback().build().sharedClientReads());
        assertTrue(shared().toBuilder().build().sharedClientReads());
    }

    @Test
    void connectsAndCarriesRtpAndRtcpBothWays() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, WebRtcTransportTest.SERVER_CERT, WebRtcTransportTest.CLIENT_CERT, shared())) {
            byte[] up = "up".getBytes(StandardCharsets.UTF_8);
            assertTrue(p.client().sendRtp(Peers.rtp(0x1111, 7, 960, up), 0, 12 + up.length));
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 0x1111, 7, up);
            byte[] down = "down".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 50; i++) {
                assertTrue(p.server().sendRtp(Peers.rtp(0x2222, 100 + i, 48000, down), 0, 12 + down.length));
            }
            for (int i = 0; i < 50; i++) {
                Peers.assertRtp(p.clientEvents().nextRtp(2000), 0x2222, 100 + i, down);
            }
            assertTrue(p.server().sendRtcp(Peers.rtcpRr(0x2222), 0, 8));
            assertArrayEquals(
                    Arrays.copyOf(Peers.rtcpRr(0x2222), 8), p.clientEvents().nextRtcp(2000));
            assertEquals(50, p.client().rtpReceived());
        }
        assertEquals(0, port.transportCount());
    }

    @Test
    void clientsShareTheLoopAndOneClosingLeavesTheOthers() throws Exception {
        Peers.Pair a = Peers.connect(port, WebRtcTransportTest.SERVER_CERT, WebRtcTransportTest.CLIENT_CERT, shared());
        try (Peers.Pair b =
                Peers.connect(port, WebRtcTransportTest.SERVER_CERT, WebRtcTransportTest.CLIENT_CERT, shared())) {
            byte[] pa = "A".getBytes(StandardCharsets.UTF_8);
            byte[] pb = "B".getBytes(StandardCharsets.UTF_8);
            assertTrue(a.server().sendRtp(Peers.rtp(0xAA, 1, 1, pa), 0, 13));
            assertTrue(b.server().sendRtp(Peers.rtp(0xBB, 1, 1, pb), 0, 13));
            Peers.assertRtp(a.clientEvents().nextRtp(2000), 0xAA, 1, pa);
            Peers.assertRtp(b.clientEvents().nextRtp(2000), 0xBB, 1, pb);

            a.close();
            assertTrue(a.client().isClosed());
            for (int i = 2; i < 20; i++) {
                assertTrue(b.server().sendRtp(Peers.rtp(0xBB, i, i, pb), 0, 13));
                Peers.assertRtp(b.clientEvents().nextRtp(2000), 0xBB, i, pb);
            }
            assertTrue(TransportRuntime.clientReads().datagrams() > 0, "the shared loop read them");
        } finally {
            a.close();
        }
    }

    @Test
    void aClientCanDecryptOnlyOneRtpPacketInNAndGetTheOthersWithTheirClearHeader() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, WebRtcTransportTest.SERVER_CERT, WebRtcTransportTest.CLIENT_CERT, shared())) {
            assertThrows(IllegalStateException.class, () -> p.server().decryptRtpOneIn(4), "never on the SFU");
            assertThrows(IllegalArgumentException.class, () -> p.client().decryptRtpOneIn(0));
            p.client().decryptRtpOneIn(4);
            byte[] down = "sixteen bytes...".getBytes(StandardCharsets.UTF_8);
            for (int seq = 65530; seq < 65530 + 40; seq++) { // across the wrap: the SRTP context sees every 4th
                assertTrue(p.server().sendRtp(Peers.rtp(0x3333, seq & 0xFFFF, 90000, down), 0, 12 + down.length));
            }
            for (int seq = 65530; seq < 65530 + 40; seq++) {
                int s16 = seq & 0xFFFF;
                if (s16 % 4 == 0) {
                    Peers.assertRtp(p.clientEvents().nextRtp(2000), 0x3333, s16, down);
                    continue;
                }
                byte[] got = p.clientEvents().undecrypted.poll(2, TimeUnit.SECONDS);
                assertNotNull(got, "undecrypted packet " + s16);
                assertEquals(12 + down.length, got.length, "the SRTP tag is cut off");
                assertEquals(0x3333, SrtpSession.rtpSsrc(got, 0));
                assertEquals(s16, ((got[2] & 0xFF) << 8) | (got[3] & 0xFF), "clear sequence number");
                assertFalse(
                        Arrays.equals(down, Arrays.copyOfRange(got, 12, got.length)), "the payload stays encrypted");
            }
            assertEquals(10, p.client().rtpReceived());
            assertEquals(30, p.client().rtpReceivedUndecrypted());
            assertEquals(0, p.client().drops(DropReason.SRTP_AUTH_FAILED));
            assertEquals(0, p.client().drops(DropReason.SRTP_REPLAY));
            assertTrue(p.server().sendRtcp(Peers.rtcpRr(0x3333), 0, 8));
            assertArrayEquals(
                    Arrays.copyOf(Peers.rtcpRr(0x3333), 8), p.clientEvents().nextRtcp(2000), "RTCP: all");
        }
    }
}
