package dev.chorus.sfu.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.ice4j.security.CredentialsAuthority;
import org.ice4j.stack.StunStack;
import org.ice4j.stack.TransactionID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ICE restart whose checks come from the address the old session already has, as Chrome sends them (it restarts
 * on the same host socket). The "client" is a plain UDP socket sending STUN binding requests, so both generations
 * come from one address: the old session answers its ufrag, and after the server's restart the new ufrag must reach
 * the new session. The shared port routes by remote address, so before the fix every such check reached the old
 * session, was refused (401), and the restart could never connect.
 */
class SameAddressIceRestartTest {
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int BINDING_ERROR = 0x0111;

    static MediaPorts port;

    @BeforeAll
    static void openPort() throws Exception {
        Peers.quiet();
        // No DTLS here (the client is a plain socket): a handshake timeout must not end the transport mid-test.
        // Consent from STUN alone here (no SRTP without DTLS), and ice4j checks every 5 s: a longer timeout.
        port = MediaPorts.open(IceRestartTest.loopback()
                .dtlsHandshakeTimeout(Duration.ofSeconds(60))
                .consentTimeout(Duration.ofSeconds(15))
                .build());
    }

    @AfterAll
    static void closePort() {
        port.close();
    }

    @Test
    void theRestartsChecksFromTheOldAddressReachTheNewSession() throws Exception {
        assertTrue(Ice4jUdpRouting.available(), "ice4j's listener fields that rerouting relies on");
        Peers.Recorder events = new Peers.Recorder();
        WebRtcTransport server = startServer(events);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(300);
            InetSocketAddress sfu = port.localAddress();
            assertEquals(
                    BINDING_SUCCESS,
                    check(client, sfu, server.localUfrag(), server.localPassword(), "cli1", "client-one-password-22c"),
                    "the first session answers its own checks");
            events.await("ICE_CONNECTED", 5_000);
            String oldUfrag = server.localUfrag();

            server.restartIce();
            server.setRemoteIceCredentials("cli2", "client-two-password-22c");
            server.start();
            assertTrue(!oldUfrag.equals(server.localUfrag()), "new credentials");
            // From the same socket, under the new credentials: refused at most once (the old session had the address).
            assertEquals(
                    BINDING_SUCCESS,
                    check(client, sfu, server.localUfrag(), server.localPassword(), "cli2", "client-two-password-22c"),
                    "the restart's checks reach the new session");
            assertEquals(
                    1,
                    port.toJson().get("addressesReleasedForIceRestarts").asLong(),
                    port.toJson().toString());
            events.await("ICE_RESTARTED", 5_000); // the check nominated the pair: the new session is the path now

            // The old session is freed meanwhile, and closes its socket for this address once more: the new session
            // must keep its route, which the answer to its next consent check (routed by address alone) shows.
            assertEquals(1, answerChecks(client, sfu, "client-two-password-22c", 8_000, true), "a consent check");
            Thread.sleep(300); // for the answer to be taken in
            assertTrue(server.toJson().get("msSinceHeard").asLong() < 1_000, "answer heard: " + server.toJson());
            assertEquals(
                    WebRtcTransport.IceState.CONNECTED,
                    server.iceState(),
                    server.toJson().toString());
            assertEquals(null, events.events.poll(), "no event after the restart");
        } finally {
            server.close();
        }
    }

    @Test
    void aCheckNamingAnotherPeerIsNeitherAnsweredNorRouted() throws Exception {
        // What Chrome sends during a restart before the answer arrives: a new socket of its new generation pairs with
        // the old session, whose ufrag it names, but under the new generation's own ufrag. ice4j would answer it (it
        // checks only its own half of USERNAME), and Chrome would take that pair for a working one.
        Peers.Recorder events = new Peers.Recorder();
        WebRtcTransport server = startServer(events);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(300);
            InetSocketAddress sfu = port.localAddress();
            long wrongBefore = port.wrongRemoteUfrag();
            assertEquals(
                    -1,
                    check(client, sfu, server.localUfrag(), server.localPassword(), "cli9", "client-nine-password-2"),
                    "no answer to a check naming another peer");
            assertTrue(port.wrongRemoteUfrag() >= wrongBefore + 5, "each counted: " + port.toJson());
            assertEquals(
                    BINDING_SUCCESS,
                    check(client, sfu, server.localUfrag(), server.localPassword(), "cli1", "client-one-password-22c"),
                    "the same socket naming the session's peer is answered");
        } finally {
            server.close();
        }
    }

    /** A started SERVER transport whose peer is "cli1" (password "client-one-password-22c"). */
    private static WebRtcTransport startServer(Peers.Recorder events) throws IOException {
        WebRtcTransport server = WebRtcTransport.createServer(port, IceRestartTest.SERVER_CERT, events);
        String fp = IceRestartTest.CLIENT_CERT.fingerprint();
        server.setRemoteFingerprint(fp.substring(0, fp.indexOf(' ')), fp.substring(fp.indexOf(' ') + 1));
        server.setRemoteIceCredentials("cli1", "client-one-password-22c");
        server.start();
        return server;
    }

    /**
     * Sends binding requests as a controlling client would, every 300 ms while refused or unanswered (five at most), and
     * answers the server's own checks meanwhile (signed with {@code clientPassword}), as ICE needs for the pair to be
     * valid; returns the last answer's message type, or -1 if none came.
     */
    private static int check(
            DatagramSocket client,
            InetSocketAddress sfu,
            String serverUfrag,
            String serverPassword,
            String clientUfrag,
            String clientPassword)
            throws Exception {
        int type = -1;
        for (int i = 0; i < 5 && type != BINDING_SUCCESS; i++) {
            byte[] req = sign(bindingRequest(serverUfrag + ":" + clientUfrag), serverPassword);
            client.send(new DatagramPacket(req, req.length, sfu));
            byte[] buf = new byte[1500];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                do {
                    client.receive(in);
                    type = ((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF);
                    if (type == BINDING_REQUEST) {
                        answer((Request) Message.decode(buf, 0, in.getLength()), client, sfu, clientPassword);
                    }
                } while (type != BINDING_SUCCESS && type != BINDING_ERROR);
            } catch (SocketTimeoutException e) {
                type = -1;
            }
        }
        answerChecks(client, sfu, clientPassword, 1_000, false); // the server's triggered check makes the pair valid
        return type;
    }

    /** Answers the server's checks for {@code millis}, or until the first with {@code justOne}; returns how many. */
    private static int answerChecks(
            DatagramSocket client, InetSocketAddress sfu, String password, long millis, boolean justOne)
            throws Exception {
        int answered = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end && !(justOne && answered > 0)) {
            byte[] buf = new byte[1500];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                client.receive(in);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if ((((buf[0] & 0xFF) << 8) | (buf[1] & 0xFF)) == BINDING_REQUEST) {
                answer((Request) Message.decode(buf, 0, in.getLength()), client, sfu, password);
                answered++;
            }
        }
        return answered;
    }

    private static void answer(Request request, DatagramSocket client, InetSocketAddress sfu, String password)
            throws Exception {
        Response r = MessageFactory.createBindingResponse(
                request, new TransportAddress(sfu.getAddress(), sfu.getPort(), Transport.UDP));
        UsernameAttribute user = (UsernameAttribute) request.getAttribute(Attribute.USERNAME);
        r.putAttribute(AttributeFactory.createMessageIntegrityAttribute(new String(user.getUsername(), US_ASCII)));
        r.putAttribute(AttributeFactory.createFingerprintAttribute());
        r.setTransactionID(request.getTransactionID());
        byte[] out = sign(r, password);
        client.send(new DatagramPacket(out, out.length, sfu));
    }

    private static Request bindingRequest(String username) throws Exception {
        Request req = MessageFactory.createBindingRequest();
        req.putAttribute(AttributeFactory.createUsernameAttribute(username));
        req.putAttribute(AttributeFactory.createPriorityAttribute(1_845_501_695L));
        req.putAttribute(AttributeFactory.createIceControllingAttribute(42L));
        req.putAttribute(AttributeFactory.createUseCandidateAttribute());
        req.putAttribute(AttributeFactory.createMessageIntegrityAttribute(username));
        req.putAttribute(AttributeFactory.createFingerprintAttribute());
        req.setTransactionID(TransactionID.createNewTransactionID().getBytes());
        return req;
    }

    /** Encodes {@code m} with its MESSAGE-INTEGRITY keyed by {@code password} (ice4j takes the key from a stack). */
    private static byte[] sign(Message m, String password) throws Exception {
        StunStack keys = new StunStack();
        try {
            byte[] key = password.getBytes(StandardCharsets.UTF_8);
            keys.getCredentialsManager().registerAuthority(new CredentialsAuthority() {
                @Override
                public byte[] getLocalKey(String u) {
                    return key;
                }

                @Override
                public byte[] getRemoteKey(String u, String media) {
                    return key;
                }

                @Override
                public boolean checkLocalUserName(String u) {
                    return true;
                }
            });
            return m.encode(keys);
        } finally {
            keys.shutDown();
        }
    }
}
