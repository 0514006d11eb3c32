package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.sdp.IceCandidate;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The ICE-TCP listener over real loopback sockets, driven by a hand-made client: STUN checks answered on the
 * same connection, frames after the STUN binding reaching the transport, oversize frames skipped and counted,
 * and refusals (remote address, unknown session, a check naming another peer, non-STUN first frame) counted.
 */
class IceTcpListenerTest {
    static final DtlsCertificate CERT = WebRtcTransportTest.SERVER_CERT;

    static {
        Peers.quiet(); // ice4j logs every ICE step at INFO
    }

    static TransportConfig.Builder tcpConfig(String bind) throws IOException {
        return TransportConfig.builder()
                .bindAddress(InetAddress.getByName(bind))
                .port(0)
                .tcpPort(0)
                .dtlsHandshakeTimeout(Duration.ofSeconds(5));
    }

    /** A STUN binding request as a controlling ICE agent sends it, with MESSAGE-INTEGRITY and FINGERPRINT. */
    static byte[] bindingRequest(String username, String password) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442);
        for (int i = 0; i < 12; i++) {
            b.put((byte) (i * 17 + 3));
        }
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) 0x0006).putShort((short) user.length).put(user);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
        b.putShort((short) 0x0024).putShort((short) 4).putInt(1_853_817_087); // PRIORITY
        b.putShort((short) 0x802A).putShort((short) 8).putLong(0x0102030405060708L); // ICE-CONTROLLING
        b.putShort((short) 0x0025).putShort((short) 0); // USE-CANDIDATE
        // MESSAGE-INTEGRITY over everything before it, with the length already counting it
        b.putShort(2, (short) (b.position() - 20 + 24));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        mac.update(b.array(), 0, b.position());
        b.putShort((short) 0x0008).putShort((short) 20).put(mac.doFinal());
        // FINGERPRINT
        b.putShort(2, (short) (b.position() - 20 + 8));
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putShort((short) 0x8028).putShort((short) 4).putInt((int) (crc.getValue() ^ 0x5354554EL));
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }

    static byte[] framed(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            byte[] h = new byte[2];
            Rfc4571Framer.writeHeader(h, 0, f.length);
            out.writeBytes(h);
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static byte[] readFrame(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readUnsignedShort();
        byte[] f = new byte[len];
        d.readFully(f);
        return f;
    }

    static int stunType(byte[] m) {
        return ((m[0] & 0xff) << 8) | (m[1] & 0xff);
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        WebRtcTransportTest.waitFor(c, 5000);
    }

    /** True when the server closed the connection (EOF) within the timeout. */
    static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(3000);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void checkIsAnsweredOnTheSameConnectionAndLaterFramesReachTheTransport() throws Exception {
        checkOverTcp("127.0.0.1");
    }

    @Test
    void iceTcpWorksOnIpv6Loopback() throws Exception {
        checkOverTcp("::1");
    }

    private void checkOverTcp(String bind) throws Exception {
        try (MediaPorts port = MediaPorts.open(tcpConfig(bind).build());
                WebRtcTransport t = WebRtcTransport.createServer(port, CERT, null)) {
            InetSocketAddress tcpAddress = port.localTcpAddress();
            IceCandidate tcpCandidate = t.localCandidates().stream()
                    .filter(IceCandidate::isTcp)
                    .findFirst()
                    .orElseThrow();
            assertEquals("passive", tcpCandidate.tcpType().orElseThrow());
            assertEquals(tcpAddress.getPort(), tcpCandidate.port());
            assertEquals(2124414975L, tcpCandidate.priority(), "RFC 6544 passive host priority");
            IceCandidate udpCandidate = t.localCandidates().stream()
                    .filter(IceCandidate::isUdp)
                    .findFirst()
                    .orElseThrow();
            assertTrue(udpCandidate.priority() > tcpCandidate.priority(), "UDP preferred over TCP");
            assertEquals(InetAddress.getByName(bind), InetAddress.getByName(tcpCandidate.address()));
            assertTrue(
                    tcpCandidate.toSdp().contains(" tcp ")
                            && tcpCandidate.toSdp().endsWith("typ host tcptype passive"),
                    tcpCandidate.toSdp());

            t.setRemoteIceCredentials("cli1", "clientpasswordclientpass");
            t.setRemoteFingerprint(
                    "sha-256", WebRtcTransportTest.CLIENT_CERT.fingerprint().substring(8));
            t.start();
            try (Socket s = new Socket(tcpAddress.getAddress(), tcpAddress.getPort())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                byte[] request = bindingRequest(t.localUfrag() + ":cli1", t.localPassword());
                // the request arrives in three pieces, header cut in half
                byte[] wire = framed(request);
                out.write(wire, 0, 1);
                out.flush();
                Thread.sleep(20);
                out.write(wire, 1, 30);
                out.flush();
                Thread.sleep(20);
                out.write(wire, 31, wire.length - 31);
                out.flush();
                // ice4j answers on this very connection, framed; its own triggered check may come first
                boolean success = false;
                for (int i = 0; i < 4 && !success; i++) {
                    byte[] m = readFrame(s.getInputStream());
                    success = stunType(m) == 0x0101;
                    assertTrue(stunType(m) == 0x0101 || stunType(m) == 0x0001, "unexpected STUN type " + stunType(m));
                }
                assertTrue(success, "binding success response over TCP");
                IceTcpListener tcp = port.tcp();
                assertEquals(1, tcp.connectionCount());

                // An oversize frame (skipped, counted) and, in the same write, an SRTP-looking packet: the latter
                // reaches the transport, which counts it as arriving before DTLS.
                byte[] oversize = new byte[IceTcpListener.MAX_FRAME + 1];
                byte[] rtp = new byte[40];
                rtp[0] = (byte) 0x80;
                rtp[1] = 111;
                out.write(framed(oversize, rtp));
                out.flush();
                waitFor(() -> t.drops(DropReason.NOT_DTLS_CONNECTED) == 1, "RTP frame delivered");
                assertEquals(1, tcp.framesTooLarge());
                assertEquals(1, tcp.toJson().get("drops").get("FRAME_TOO_LARGE").asLong());
                assertEquals(1, tcp.connectionCount(), "the connection survives an oversize frame");
            }
        }
    }

    @Test
    void connectionFromAddressOutsideAllowedRemotesIsClosedAndCounted() throws Exception {
        try (MediaPorts port = MediaPorts.open(
                        tcpConfig("127.0.0.1").allowRemote("10.0.0.0/8").build());
                Socket s = new Socket(
                        port.localTcpAddress().getAddress(),
                        port.localTcpAddress().getPort())) {
            assertTrue(closedByServer(s));
            waitFor(() -> port.rejectedTcpConnections() == 1, "rejection counted");
            assertEquals(0, port.tcp().connectionCount());
        }
    }

    @Test
    void unknownSessionAndNonStunFirstFrameAreClosedAndCounted() throws Exception {
        try (MediaPorts port = MediaPorts.open(tcpConfig("127.0.0.1").build());
                WebRtcTransport t = WebRtcTransport.createServer(port, CERT, null)) {
            InetSocketAddress a = port.localTcpAddress();
            try (Socket s = new Socket(a.getAddress(), a.getPort())) {
                s.getOutputStream().write(framed(bindingRequest("nobody:cli1", "x")));
                assertTrue(closedByServer(s));
            }
            try (Socket s = new Socket(a.getAddress(), a.getPort())) {
                byte[] dtls = new byte[30];
                dtls[0] = 22;
                s.getOutputStream().write(framed(dtls));
                assertTrue(closedByServer(s));
            }
            waitFor(() -> port.tcp().connectionCount() == 0, "both closed");
            assertEquals(1, port.tcpJson().get("drops").get("UNKNOWN_SESSION").asLong());
            assertEquals(
                    1, port.tcpJson().get("drops").get("FIRST_FRAME_NOT_STUN").asLong());
            assertEquals(0, t.packetsIn(), "nothing reached the transport");
        }
    }

    @Test
    void aFirstCheckNamingAnotherPeerIsClosedAndCounted() throws Exception {
        // An ICE restart's other generation (see ExpectedPeers): the session's ufrag, but not its peer's.
        try (MediaPorts port = MediaPorts.open(tcpConfig("127.0.0.1").build());
                WebRtcTransport t = WebRtcTransport.createServer(port, CERT, null)) {
            t.setRemoteIceCredentials("cli1", "client-one-password-22c");
            InetSocketAddress a = port.localTcpAddress();
            try (Socket s = new Socket(a.getAddress(), a.getPort())) {
                s.getOutputStream().write(framed(bindingRequest(t.localUfrag() + ":cli9", t.localPassword())));
                assertTrue(closedByServer(s));
            }
            assertEquals(1, port.wrongRemoteUfrag());
            assertEquals(0, t.packetsIn(), "nothing reached the transport");
        }
    }

    @Test
    void localUfragIsReadFromTheUsernameAndMalformedMessagesGiveNull() throws Exception {
        byte[] m = bindingRequest("srv9:cli1", "pw");
        assertEquals("srv9", StunUfrag.localUfragOf(m, 0, m.length));
        byte[] shifted = new byte[m.length + 5];
        System.arraycopy(m, 0, shifted, 5, m.length);
        assertEquals("srv9", StunUfrag.localUfragOf(shifted, 5, m.length));
        // a response, not a request
        byte[] resp = m.clone();
        resp[1] = 0x01;
        resp[0] = 0x01;
        assertNull(StunUfrag.localUfragOf(resp, 0, resp.length));
        // no magic cookie
        byte[] noCookie = m.clone();
        noCookie[4] = 0;
        assertNull(StunUfrag.localUfragOf(noCookie, 0, noCookie.length));
        // truncated in the middle of the USERNAME attribute
        assertNull(StunUfrag.localUfragOf(m, 0, 26));
        // USERNAME without a colon
        byte[] noColon = bindingRequest("justone", "pw");
        assertNull(StunUfrag.localUfragOf(noColon, 0, noColon.length));
        // too short to be STUN
        assertNull(StunUfrag.localUfragOf(new byte[10], 0, 10));
    }

    @Test
    void closingThePortClosesTheListenerAndItsConnections() throws Exception {
        MediaPorts port = MediaPorts.open(tcpConfig("127.0.0.1").build());
        InetSocketAddress a = port.localTcpAddress();
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            waitFor(() -> port.tcp().connectionCount() == 1, "accepted");
            port.close();
            assertTrue(closedByServer(s));
            assertTrue(port.tcp().isClosed());
        }
        try (Socket s = new Socket()) {
            s.connect(a, 1000);
            throw new AssertionError("still listening");
        } catch (IOException expected) {
            assertNotNull(expected.getMessage());
        }
    }
}
