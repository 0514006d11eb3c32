package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.sdp.IceCandidate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real ICE + DTLS + SRTP between a SERVER and CLIENT transport on 127.0.0.1 through a shared port. */
class WebRtcTransportTest {
    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    static MediaPorts port;

    static TransportConfig.Builder loopback() {
        return TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").dtlsHandshakeTimeout(Duration.ofSeconds(5));
    }

    @BeforeAll
    static void openPort() throws Exception {
        port = MediaPorts.open(loopback().build());
    }

    @AfterAll
    static void closePort() {
        port.close();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void handshakeThenRtpAndRtcpBothWays(SrtpProfile profile) throws Exception {
        TransportConfig clientConfig = loopback().srtpProfiles(profile).build();
        try (Peers.Pair p = Peers.connect(port, SERVER_CERT, CLIENT_CERT, clientConfig)) {
            assertEquals(profile, p.server().srtpProfile());
            assertEquals(profile, p.client().srtpProfile());
            assertEquals(WebRtcTransport.IceState.CONNECTED, p.server().iceState());

            byte[] up = "hello from the client".getBytes(StandardCharsets.UTF_8);
            byte[] pkt = Peers.rtp(0x1111, 7, 960, up);
            assertTrue(p.client().sendRtp(pkt, 0, 12 + up.length));
            // In place: the caller's bytes are now SRTP, not the plaintext payload.
            assertTrue(!Arrays.equals(up, Arrays.copyOfRange(pkt, 12, 12 + up.length)));
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 0x1111, 7, up);

            byte[] down = "and back from the SFU".getBytes(StandardCharsets.UTF_8);
            assertTrue(p.server().sendRtp(Peers.rtp(0x2222, 100, 48000, down), 0, 12 + down.length));
            Peers.assertRtp(p.clientEvents().nextRtp(2000), 0x2222, 100, down);

            byte[] rr = Peers.rtcpRr(0x1111);
            byte[] expected = Arrays.copyOf(rr, 8);
            assertTrue(p.client().sendRtcp(rr, 0, 8));
            assertArrayEquals(expected, p.serverEvents().nextRtcp(2000));
            assertTrue(p.server().sendRtcp(Peers.rtcpRr(0x2222), 0, 8));
            assertArrayEquals(
                    Arrays.copyOf(Peers.rtcpRr(0x2222), 8), p.clientEvents().nextRtcp(2000));

            assertEquals(0, p.server().drops(DropReason.SRTP_AUTH_FAILED));
            assertTrue(sentDirect(p.server()), "the SFU writes media straight to the shared port's socket");
            assertTrue(!sentDirect(p.client()), "a client has no shared port: ice4j sends");
            assertEquals(1, p.server().toJson().get("counters").get("rtpIn").asLong());
            assertEquals(profile.name(), p.server().toJson().get("srtpProfile").asText());
        }
        assertEquals(0, port.transportCount());
    }

    @Test
    void twoClientsOnOneSharedPortEachGetOnlyTheirOwnTraffic() throws Exception {
        try (Peers.Pair a =
                        Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build());
                Peers.Pair b =
                        Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            assertEquals(2, port.transportCount());
            for (int i = 0; i < 20; i++) {
                byte[] pa = ("A" + i).getBytes(StandardCharsets.UTF_8);
                byte[] pb = ("B" + i).getBytes(StandardCharsets.UTF_8);
                assertTrue(a.client().sendRtp(Peers.rtp(0xA, i, i, pa), 0, 12 + pa.length));
                assertTrue(b.client().sendRtp(Peers.rtp(0xB, i, i, pb), 0, 12 + pb.length));
                assertTrue(a.server().sendRtp(Peers.rtp(0xAA, i, i, pa), 0, 12 + pa.length));
                assertTrue(b.server().sendRtp(Peers.rtp(0xBB, i, i, pb), 0, 12 + pb.length));
            }
            for (int i = 0; i < 20; i++) {
                Peers.assertRtp(a.serverEvents().nextRtp(2000), 0xA, i, ("A" + i).getBytes(StandardCharsets.UTF_8));
                Peers.assertRtp(b.serverEvents().nextRtp(2000), 0xB, i, ("B" + i).getBytes(StandardCharsets.UTF_8));
                Peers.assertRtp(a.clientEvents().nextRtp(2000), 0xAA, i, ("A" + i).getBytes(StandardCharsets.UTF_8));
                Peers.assertRtp(b.clientEvents().nextRtp(2000), 0xBB, i, ("B" + i).getBytes(StandardCharsets.UTF_8));
            }
            Thread.sleep(100);
            for (Peers.Pair p : new Peers.Pair[] {a, b}) {
                assertNull(p.serverEvents().rtp.poll(), "nothing extra reached a server transport");
                assertNull(p.clientEvents().rtp.poll(), "nothing extra reached a client");
                assertEquals(0, p.server().drops(DropReason.SRTP_AUTH_FAILED), "no cross-talk attempts");
            }
        }
        assertEquals(0, port.transportCount());
    }

    /**
     * Media leaves on the socket ice4j made for the session's remote address, found once per selected pair; the port
     * forgets the socket when the session ends.
     */
    @Test
    void mediaGoesStraightToTheSessionsSocketUntilItCloses() throws Exception {
        java.net.InetSocketAddress remote;
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            String[] hostPort = p.server()
                    .toJson()
                    .get("selectedPair")
                    .get("remote")
                    .asText()
                    .split("/")[0]
                    .split(":");
            remote = new java.net.InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            assertTrue(port.sessionSocket(remote) != null, "the port knows the session's socket for " + remote);
            long before = p.server().toJson().get("counters").get("packetsOut").asLong();
            for (int i = 0; i < 50; i++) {
                byte[] down = ("down " + i).getBytes(StandardCharsets.UTF_8);
                assertTrue(p.server().sendRtp(Peers.rtp(0x5151, i, i, down), 0, 12 + down.length));
            }
            for (int i = 0; i < 50; i++) {
                Peers.assertRtp(
                        p.clientEvents().nextRtp(2000), 0x5151, i, ("down " + i).getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(sentDirect(p.server()));
            assertEquals(
                    before + 50,
                    p.server().toJson().get("counters").get("packetsOut").asLong());
        }
        assertNull(port.sessionSocket(remote), "a closed session's socket is not used");
    }

    static boolean sentDirect(WebRtcTransport t) {
        return t.toJson().get("selectedPair").get("mediaSentDirect").asBoolean();
    }

    /**
     * A browser sends media the moment its own DTLS is done, which on loopback is while our handshake thread is
     * still deriving the SRTP keys: those first packets (a camera's first key frame) must be decrypted once the
     * keys are in, in their order, not dropped.
     */
    @Test
    void packetsSentTheMomentTheClientConnectsAreAllDelivered() throws Exception {
        int burst = 10;
        Peers.Recorder eager = new Peers.Recorder() {
            @Override
            public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event e, String reason) {
                if (e == WebRtcTransport.Event.DTLS_CONNECTED) {
                    for (int i = 0; i < burst; i++) {
                        byte[] payload = ("early " + i).getBytes(StandardCharsets.UTF_8);
                        t.sendRtp(Peers.rtp(0xE, i, i, payload), 0, 12 + payload.length);
                    }
                }
                super.onStateChanged(t, e, reason);
            }
        };
        try (Peers.Pair p =
                Peers.wire(port, SERVER_CERT, CLIENT_CERT, loopback().build(), null, null, eager)) {
            p.clientEvents().await("DTLS_CONNECTED", 10_000);
            p.serverEvents().await("DTLS_CONNECTED", 10_000);
            // Packets parked before the keys are replayed ahead of the next packet that finds the keys in place.
            byte[] later = "later".getBytes(StandardCharsets.UTF_8);
            assertTrue(p.client().sendRtp(Peers.rtp(0xF, 0, 0, later), 0, 12 + later.length));
            for (int i = 0; i < burst; i++) {
                Peers.assertRtp(
                        p.serverEvents().nextRtp(2000), 0xE, i, ("early " + i).getBytes(StandardCharsets.UTF_8));
            }
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 0xF, 0, later);
            assertEquals(0, p.server().drops(DropReason.NOT_DTLS_CONNECTED), "nothing dropped for want of keys");
        }
    }

    @Test
    void wrongFingerprintFailsDtlsWithNamedReason() throws Exception {
        String someoneElse = DtlsCertificate.generate().fingerprint();
        try (Peers.Pair p =
                Peers.wire(port, SERVER_CERT, CLIENT_CERT, loopback().build(), someoneElse, null)) {
            String ev = p.serverEvents().await("DTLS_FAILED", 10_000);
            assertTrue(ev.startsWith("DTLS_FAILED FINGERPRINT_MISMATCH"), ev);
            assertEquals(DtlsFailure.FINGERPRINT_MISMATCH, p.server().dtlsFailure());
            assertEquals(WebRtcTransport.DtlsState.FAILED, p.server().dtlsState());
            p.clientEvents().await("DTLS_FAILED", 10_000); // the client hears our alert (or times out)
            assertNull(p.server().srtpProfile());
            assertTrue(!p.client().sendRtp(Peers.rtp(1, 1, 1, new byte[4]), 0, 16));
            assertEquals(1, p.client().drops(DropReason.NOT_DTLS_CONNECTED));
        }
        // And the other way round: the client checks the server's certificate too.
        try (Peers.Pair p =
                Peers.wire(port, SERVER_CERT, CLIENT_CERT, loopback().build(), null, someoneElse)) {
            String ev = p.clientEvents().await("DTLS_FAILED", 10_000);
            assertTrue(ev.startsWith("DTLS_FAILED FINGERPRINT_MISMATCH"), ev);
            assertEquals(DtlsFailure.FINGERPRINT_MISMATCH, p.client().dtlsFailure());
        }
    }

    @Test
    void tamperedAndReplayedSrtpAreCountedAndNotDelivered() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            byte[] payload = "genuine".getBytes(StandardCharsets.UTF_8);
            SrtpSession clientSrtp = p.client().packets.session();
            byte[] pkt = Peers.rtp(0x5150, 10, 0, payload);
            SrtpBuffer view = new SrtpBuffer().wrap(pkt, 0, 12 + payload.length);
            assertEquals(org.jitsi.srtp.SrtpErrorStatus.OK, clientSrtp.protectRtp(view));
            byte[] srtp = Arrays.copyOf(view.getBuffer(), view.getLength());

            byte[] tampered = srtp.clone();
            tampered[14] ^= 0x01;
            assertTrue(p.client().ice.current().send(tampered, 0, tampered.length));
            waitFor(() -> p.server().drops(DropReason.SRTP_AUTH_FAILED) == 1, 2000);
            assertNull(p.serverEvents().rtp.poll(100, TimeUnit.MILLISECONDS), "tampered packet not delivered");

            assertTrue(p.client().ice.current().send(srtp.clone(), 0, srtp.length));
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 0x5150, 10, payload);

            assertTrue(p.client().ice.current().send(srtp.clone(), 0, srtp.length));
            waitFor(() -> p.server().drops(DropReason.SRTP_REPLAY) == 1, 2000);
            assertNull(p.serverEvents().rtp.poll(100, TimeUnit.MILLISECONDS), "replayed packet not delivered");
            assertEquals(1, p.server().rtpReceived());
            assertEquals(1, p.server().toJson().get("drops").get("SRTP_REPLAY").asLong());
        }
    }

    @Test
    void publicAddressReplacesTheBoundOneInEveryCandidate() throws Exception {
        TransportConfig c = loopback()
                .advertised(java.net.InetAddress.getByName("203.0.113.5"), 40000)
                .tcpPort(0)
                .advertisedTcpPort(40001)
                .build();
        try (MediaPorts natted = MediaPorts.open(c);
                WebRtcTransport t = WebRtcTransport.createServer(natted, SERVER_CERT, null)) {
            java.util.List<IceCandidate> cands = t.localCandidates();
            assertEquals(2, cands.size(), cands.toString());
            IceCandidate udp =
                    cands.stream().filter(IceCandidate::isUdp).findFirst().orElseThrow();
            IceCandidate tcp =
                    cands.stream().filter(IceCandidate::isTcp).findFirst().orElseThrow();
            assertEquals("203.0.113.5", udp.address());
            assertEquals(40000, udp.port());
            assertEquals("host", udp.type());
            assertEquals("203.0.113.5", tcp.address());
            assertEquals(40001, tcp.port());
            assertEquals("passive", tcp.tcpType().orElseThrow());
            assertTrue(
                    udp.toSdp().contains(" udp ") && udp.toSdp().contains(" 203.0.113.5 40000 typ host"), udp.toSdp());
            assertTrue(cands.stream().noneMatch(x -> x.address().equals("127.0.0.1")), "bound address not leaked");
            assertEquals("passive", t.localSetupRole());
            assertEquals(1, natted.transportCount());
        }
        // Address only: the bound ports are announced with it.
        try (MediaPorts natted = MediaPorts.open(loopback()
                        .advertised(java.net.InetAddress.getByName("203.0.113.5"), 0)
                        .tcpPort(0)
                        .build());
                WebRtcTransport t = WebRtcTransport.createServer(natted, SERVER_CERT, null)) {
            for (IceCandidate x : t.localCandidates()) {
                assertEquals("203.0.113.5", x.address());
                assertEquals(
                        x.isUdp()
                                ? natted.localAddress().getPort()
                                : natted.localTcpAddress().getPort(),
                        x.port());
            }
        }
        // Nothing configured: the bound address and ports, ICE-TCP on as by default (the UDP port's number, here
        // any free port as the UDP one is).
        try (WebRtcTransport t = WebRtcTransport.createServer(port, SERVER_CERT, null)) {
            java.util.List<IceCandidate> cands = t.localCandidates();
            assertEquals(2, cands.size(), cands.toString());
            for (IceCandidate x : cands) {
                assertEquals("127.0.0.1", x.address());
                assertEquals(
                        x.isUdp()
                                ? port.localAddress().getPort()
                                : port.localTcpAddress().getPort(),
                        x.port());
            }
        }
        // ICE-TCP off.
        try (MediaPorts udpOnly = MediaPorts.open(loopback().tcpPort(-1).build());
                WebRtcTransport t = WebRtcTransport.createServer(udpOnly, SERVER_CERT, null)) {
            assertEquals(1, t.localCandidates().size(), t.localCandidates().toString());
            assertTrue(t.localCandidates().get(0).isUdp());
        }
    }

    @Test
    void clientReachesTheSfuOnlyThroughTheAnnouncedPublicAddress() throws Exception {
        // A UDP relay stands in for the 1:1 NAT (or a test's impairment proxy): the SFU binds one port and
        // announces the relay's; the client is given nothing else and must connect through it.
        try (UdpRelay relay = new UdpRelay();
                MediaPorts behindNat = MediaPorts.open(loopback().build())) {
            relay.target = behindNat.localAddress();
            TransportConfig natted = loopback()
                    .port(behindNat.localAddress().getPort())
                    .advertised(relay.address().getAddress(), relay.address().getPort())
                    .build();
            behindNat.close();
            try (MediaPorts sfu = MediaPorts.open(natted)) {
                relay.target = sfu.localAddress();
                try (Peers.Pair p =
                        Peers.connect(sfu, SERVER_CERT, CLIENT_CERT, loopback().build())) {
                    assertEquals(
                            relay.address().getPort(),
                            p.server().localCandidates().get(0).port());
                    byte[] up = "via the public address".getBytes(StandardCharsets.UTF_8);
                    assertTrue(p.client().sendRtp(Peers.rtp(0x3333, 1, 0, up), 0, 12 + up.length));
                    Peers.assertRtp(p.serverEvents().nextRtp(2000), 0x3333, 1, up);
                    byte[] down = "and back through it".getBytes(StandardCharsets.UTF_8);
                    assertTrue(p.server().sendRtp(Peers.rtp(0x4444, 2, 0, down), 0, 12 + down.length));
                    Peers.assertRtp(p.clientEvents().nextRtp(2000), 0x4444, 2, down);
                    assertTrue(
                            relay.toTarget.get() > 3 && relay.fromTarget.get() > 3,
                            "traffic went through the relay: " + relay.toTarget + " / " + relay.fromTarget);
                    String remote = p.server()
                            .toJson()
                            .get("selectedPair")
                            .get("remote")
                            .asText();
                    assertTrue(remote.contains(":" + relay.address().getPort()), "the SFU sees the relay: " + remote);
                }
            }
        }
    }

    @Test
    void handshakeAndMediaOnIpv6Loopback() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        TransportConfig c = TransportConfig.builder()
                .bindAddress(v6)
                .port(0)
                .allowRemote("::1/128")
                .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                .build();
        try (MediaPorts v6port = MediaPorts.open(c);
                Peers.Pair p = Peers.connect(v6port, SERVER_CERT, CLIENT_CERT, c)) {
            IceCandidate cand = p.server().localCandidates().get(0);
            assertEquals(v6, java.net.InetAddress.getByName(cand.address()));
            byte[] up = "over ipv6".getBytes(StandardCharsets.UTF_8);
            assertTrue(p.client().sendRtp(Peers.rtp(0x6666, 6, 0, up), 0, 12 + up.length));
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 0x6666, 6, up);
            assertTrue(p.server().sendRtp(Peers.rtp(0x6667, 7, 0, up), 0, 12 + up.length));
            Peers.assertRtp(p.clientEvents().nextRtp(2000), 0x6667, 7, up);
            assertTrue(sentDirect(p.server()), "direct sends work on IPv6 too");
        }
    }

    @Test
    void udpDisabledAnnouncesOnlyTheTcpCandidate() throws Exception {
        try (MediaPorts tcpOnly =
                        MediaPorts.open(loopback().tcpPort(0).udpEnabled(false).build());
                WebRtcTransport t = WebRtcTransport.createServer(tcpOnly, SERVER_CERT, null)) {
            java.util.List<IceCandidate> cands = t.localCandidates();
            assertEquals(1, cands.size(), cands.toString());
            assertTrue(cands.get(0).isTcp());
            assertEquals(tcpOnly.localTcpAddress().getPort(), cands.get(0).port());
        }
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> loopback().tcpPort(-1).udpEnabled(false).build(),
                "neither UDP nor TCP");
    }

    /** Forwards UDP between whoever last wrote to it and {@link #target}: a 1:1 NAT in miniature. */
    static final class UdpRelay implements AutoCloseable {
        final java.net.DatagramSocket socket;
        final java.util.concurrent.atomic.AtomicLong toTarget = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong fromTarget = new java.util.concurrent.atomic.AtomicLong();
        volatile java.net.InetSocketAddress target;
        private volatile java.net.SocketAddress client;
        private final Thread thread;

        UdpRelay() throws java.io.IOException {
            socket = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(this::run, "udp-relay");
            thread.setDaemon(true);
            thread.start();
        }

        java.net.InetSocketAddress address() {
            return (java.net.InetSocketAddress) socket.getLocalSocketAddress();
        }

        private void run() {
            byte[] buf = new byte[2048];
            java.net.DatagramPacket pkt = new java.net.DatagramPacket(buf, buf.length);
            while (!socket.isClosed()) {
                try {
                    pkt.setData(buf);
                    socket.receive(pkt);
                    java.net.SocketAddress from = pkt.getSocketAddress();
                    if (from.equals(target)) {
                        if (client != null) {
                            pkt.setSocketAddress(client);
                            socket.send(pkt);
                            fromTarget.incrementAndGet();
                        }
                    } else if (target != null) {
                        client = from;
                        pkt.setSocketAddress(target);
                        socket.send(pkt);
                        toTarget.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("condition not met within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }
}
