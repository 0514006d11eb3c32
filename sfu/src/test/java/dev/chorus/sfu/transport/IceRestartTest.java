package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.sdp.IceCandidate;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ICE restart, make-before-break, between a SERVER and a CLIENT transport on loopback: the new path takes over once
 * it has a selected pair, DTLS and SRTP carry on across it; a restart that never connects is dropped and the old
 * path kept; if the old path died meanwhile, the transport fails only when the restart does.
 */
class IceRestartTest {
    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    /** Also how long a restart may take to connect. */
    static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(2);

    static MediaPorts port;

    static TransportConfig.Builder loopback() {
        return TransportConfig.builder()
                .port(0)
                .allowRemote("127.0.0.0/8")
                .dtlsHandshakeTimeout(Duration.ofSeconds(5))
                .consentTimeout(CONSENT_TIMEOUT);
    }

    @BeforeAll
    static void openPort() throws Exception {
        Peers.quiet();
        port = MediaPorts.open(loopback().build());
    }

    @AfterAll
    static void closePort() {
        port.close();
    }

    @Test
    void newPathTakesOverAndMediaGoesOnWithTheSameSrtpContexts() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            exchange(p, 0, 5);
            InetSocketAddress oldClient = p.server().selectedAddresses()[1];
            String oldServerUfrag = p.server().localUfrag();

            // The server answers the restart first (as it does an offer); until the client's checks arrive, the old
            // path carries everything.
            p.server().restartIce();
            assertNotEquals(oldServerUfrag, p.server().localUfrag(), "the answer gets new credentials");
            exchange(p, 5, 10);
            assertEquals(oldClient, p.server().selectedAddresses()[1], "still the old path");

            p.client().restartIce();
            swapCredentials(p);
            p.serverEvents().await("ICE_RESTARTED", 10_000);
            p.clientEvents().await("ICE_RESTARTED", 10_000);

            InetSocketAddress newClient = p.server().selectedAddresses()[1];
            assertNotEquals(oldClient, newClient, "the server now sends to the client's new socket");
            exchange(p, 10, 20); // sequence numbers go on: the same SRTP contexts, no new handshake
            assertEquals(WebRtcTransport.DtlsState.CONNECTED, p.server().dtlsState());
            assertNull(event(p.serverEvents(), "DTLS_CONNECTED"), "DTLS did not start over");
            assertEquals(1, p.server().toJson().get("iceRestarts").asInt());
            assertEquals(WebRtcTransport.IceState.CONNECTED, p.server().iceState());
            // The old ICE session is closed on the transport timer once the new one took over.
            Peers.quiet();
            WebRtcTransportTest.waitFor(() -> port.sessionSocket(oldClient) == null, 5_000);
            assertNull(port.sessionSocket(oldClient), "the old session's socket on the shared port is gone");
        }
        assertEquals(0, port.transportCount());
    }

    @Test
    void aRestartThatNeverConnectsIsDroppedAndTheOldPathKept() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            p.server().restartIce();
            p.server().setRemoteIceCredentials("nobodyufrag", "nobody-password-of-22-chars");
            p.server().start();
            // Media keeps flowing while the restart waits, and after it is given up.
            exchange(p, 0, 5);
            String failed = p.serverEvents().await("ICE_RESTART_FAILED", 10_000);
            assertTrue(failed.contains("ICE_RESTART_TIMEOUT"), failed);
            exchange(p, 5, 10);
            assertEquals(WebRtcTransport.IceState.CONNECTED, p.server().iceState());
            assertEquals(1, p.server().toJson().get("iceRestartsFailed").asInt());
            assertFalse(p.server().toJson().has("iceRestartUfrag"), "no restart under way");
        }
    }

    @Test
    void theOldPathDyingDuringARestartFailsTheTransportOnlyWhenTheRestartDoes() throws Exception {
        Peers.Pair p = Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build());
        try {
            p.client().close(); // the peer goes silent; its old path expires while the restart waits
            Thread.sleep(CONSENT_TIMEOUT.toMillis() / 2);
            p.server().restartIce();
            long restartedAt = System.nanoTime();
            String failed = p.serverEvents().await("ICE_FAILED", 10_000);
            long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
            assertTrue(failed.contains("CONSENT_EXPIRED"), "the old path's reason is reported: " + failed);
            assertTrue(
                    afterMs >= CONSENT_TIMEOUT.toMillis() - 100,
                    "held back until the restart timed out, " + afterMs + " ms");
            assertNull(event(p.serverEvents(), "ICE_RESTART_FAILED"), "one failure, not two");
        } finally {
            p.close();
        }
    }

    @Test
    void aCancelledRestartLeavesTheTransportAsItWas() throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            String ufrag = p.server().localUfrag();
            p.server().restartIce();
            p.server().cancelIceRestart();
            assertEquals(ufrag, p.server().localUfrag());
            exchange(p, 0, 5);
            assertFalse(p.server().toJson().has("iceRestartUfrag"));
        }
    }

    /**
     * Two paths of one transport on two packet threads (UDP and ICE-TCP during a restart): while one thread is inside
     * the receive path, a packet from another is dropped and counted, not let in to race on the SRTP contexts.
     */
    @Test
    void aSecondPacketThreadIsTurnedAwayWhileTheFirstIsReceiving() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        WebRtcTransport server = WebRtcTransport.createServer(port, SERVER_CERT, new WebRtcTransport.Listener() {
            @Override
            public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
                inside.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        WebRtcTransport client = WebRtcTransport.createClient(loopback().build(), CLIENT_CERT, new Peers.Recorder());
        try (Peers.Pair p = new Peers.Pair(server, new Peers.Recorder(), client, new Peers.Recorder())) {
            String fs = client.localFingerprint();
            String fc = server.localFingerprint();
            server.setRemoteFingerprint(fs.substring(0, fs.indexOf(' ')), fs.substring(fs.indexOf(' ') + 1));
            client.setRemoteFingerprint(fc.substring(0, fc.indexOf(' ')), fc.substring(fc.indexOf(' ') + 1));
            swapCredentials(p);
            WebRtcTransportTest.waitFor(
                    () -> server.dtlsState() == WebRtcTransport.DtlsState.CONNECTED
                            && client.dtlsState() == WebRtcTransport.DtlsState.CONNECTED,
                    10_000);
            assertTrue(client.sendRtcp(Peers.rtcpRr(0x1001), 0, 8));
            assertTrue(inside.await(5, TimeUnit.SECONDS), "the port's reader is delivering");
            byte[] other = Peers.rtp(0x1001, 1, 960, new byte[20]);
            server.packets.receive(other, 0, 32); // as a second path's thread would
            release.countDown();
            assertEquals(1, server.drops(dev.chorus.sfu.drop.DropReason.CONCURRENT_PATHS));
            assertEquals(0, server.rtpReceived(), "not let in");
        }
    }

    /** What SDP would carry after both sides restarted: new credentials and candidates each way. */
    private static void swapCredentials(Peers.Pair p) {
        WebRtcTransport s = p.server();
        WebRtcTransport c = p.client();
        s.setRemoteIceCredentials(c.localUfrag(), c.localPassword());
        c.setRemoteIceCredentials(s.localUfrag(), s.localPassword());
        s.start();
        c.start();
        for (IceCandidate cand : s.localCandidates()) {
            c.addRemoteCandidate(cand);
        }
        for (IceCandidate cand : c.localCandidates()) {
            s.addRemoteCandidate(cand);
        }
    }

    /** RTP packets {@code from..to-1} each way, every one decrypted on the other side in order. */
    private static void exchange(Peers.Pair p, int from, int to) throws InterruptedException {
        for (int i = from; i < to; i++) {
            byte[] up = ("up " + i).getBytes(StandardCharsets.UTF_8);
            assertTrue(p.client().sendRtp(Peers.rtp(0x1001, i, i * 960L, up), 0, 12 + up.length), "client sent " + i);
            Peers.assertRtp(p.serverEvents().nextRtp(3000), 0x1001, i, up);
            byte[] down = ("down " + i).getBytes(StandardCharsets.UTF_8);
            assertTrue(
                    p.server().sendRtp(Peers.rtp(0x2002, i, i * 960L, down), 0, 12 + down.length), "server sent " + i);
            Peers.assertRtp(p.clientEvents().nextRtp(3000), 0x2002, i, down);
        }
    }

    /** The first queued event starting with {@code prefix}, or null (the queue is left as it was otherwise). */
    private static String event(Peers.Recorder r, String prefix) {
        return r.events.stream().filter(e -> e.startsWith(prefix)).findFirst().orElse(null);
    }
}
