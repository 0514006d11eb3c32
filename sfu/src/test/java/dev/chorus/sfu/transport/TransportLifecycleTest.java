package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.drop.DropReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** close() releases everything; consent freshness; remote address allow-list. */
class TransportLifecycleTest {
    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();

    static TransportConfig.Builder loopback() {
        return TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").dtlsHandshakeTimeout(Duration.ofSeconds(5));
    }

    private static void cycle(MediaPorts port, int i) throws Exception {
        try (Peers.Pair p =
                Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            byte[] payload = ("cycle " + i).getBytes(StandardCharsets.UTF_8);
            assertTrue(p.client().sendRtp(Peers.rtp(42, i, i, payload), 0, 12 + payload.length));
            Peers.assertRtp(p.serverEvents().nextRtp(2000), 42, i, payload);
        }
    }

    /**
     * ice4j runs process-wide cached pools ("ice4j.StunClientTransaction-executor-pool-8-thread-3", ...): they
     * grow to the peak concurrency and idle out after ice4j's own keep-alive (a minute). They are bounded and
     * shared, not per transport, so they are counted separately from everything else.
     */
    private static boolean isIce4jSharedPool(String name) {
        return name.matches("ice4j\\..*-pool-\\d+-thread-\\d+#\\d+");
    }

    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName() + "#" + t.getId());
            }
        }
        return names;
    }

    private static long ownThreads() {
        return threadNames().stream().filter(n -> !isIce4jSharedPool(n)).count();
    }

    private static long ice4jPoolThreads() {
        return threadNames().stream()
                .filter(TransportLifecycleTest::isIce4jSharedPool)
                .count();
    }

    @Test
    void fiftyCreateHandshakeCloseCyclesLeaveNoThreadsOrRegistrations() throws Exception {
        try (MediaPorts port = MediaPorts.open(loopback().build())) {
            cycle(port, 0); // warm up shared pools (DTLS executor, timer, ice4j's schedulers)
            Thread.sleep(300);
            long baseline = ownThreads();
            Set<String> before = threadNames();
            for (int i = 1; i <= 50; i++) {
                cycle(port, i);
            }
            assertEquals(0, port.transportCount(), "no transport left registered on the port");
            // Our DTLS workers exit after 2 s idle: poll, bounded.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ownThreads() > baseline + 1 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            Set<String> extra = threadNames();
            extra.removeAll(before);
            extra.removeIf(TransportLifecycleTest::isIce4jSharedPool);
            assertTrue(
                    ownThreads() <= baseline + 1,
                    "threads: baseline " + baseline + ", now " + ownThreads() + ", new: " + extra);
            assertTrue(ice4jPoolThreads() <= 24, "ice4j's shared pools stay bounded: " + ice4jPoolThreads());
        }
    }

    @Test
    void silentPeerIsReportedFailedWithinConsentTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        try (MediaPorts port =
                        MediaPorts.open(loopback().consentTimeout(timeout).build());
                Peers.Pair p =
                        Peers.connect(port, SERVER_CERT, CLIENT_CERT, loopback().build())) {
            // Alive: media keeps coming for longer than the timeout.
            for (int i = 0; i < 20; i++) {
                byte[] b = new byte[] {1, 2, 3};
                p.client().sendRtp(Peers.rtp(7, i, i, b), 0, 15);
                Thread.sleep(100);
            }
            assertEquals(WebRtcTransport.IceState.CONNECTED, p.server().iceState(), "alive peer keeps consent");
            // Silence: the client disappears without a word (no close_notify, no STUN answers).
            long silentSince = System.nanoTime();
            p.client().close();
            String ev = p.serverEvents().await("ICE_FAILED", timeout.toMillis() + 1500);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
            assertTrue(ev.startsWith("ICE_FAILED CONSENT_EXPIRED"), ev);
            assertTrue(tookMs >= timeout.toMillis() - 200, "not before the timeout: " + tookMs + " ms");
            assertEquals(WebRtcTransport.IceState.FAILED, p.server().iceState());
            assertEquals("FAILED", p.server().toJson().get("iceState").asText());
        }
    }

    @Test
    void remoteOutsideAllowedRangesGetsNoSession() throws Exception {
        TransportConfig onlyTen =
                TransportConfig.builder().port(0).allowRemote("10.0.0.0/8").build();
        try (MediaPorts port = MediaPorts.open(onlyTen);
                Peers.Pair p =
                        Peers.wire(port, SERVER_CERT, CLIENT_CERT, loopback().build(), null, null)) {
            WebRtcTransportTest.waitFor(() -> port.rejectedSessions() > 0, 3000);
            assertEquals(WebRtcTransport.IceState.CHECKING, p.server().iceState(), "server never hears the client");
            assertTrue(
                    p.server().drops(DropReason.REMOTE_ADDRESS_NOT_ALLOWED) > 0,
                    "the client's 127.0.0.1 candidate was refused too");
        }
        // Client side: a candidate outside its own allow-list is ignored.
        try (WebRtcTransport c = WebRtcTransport.createClient(
                TransportConfig.builder().allowRemote("127.0.0.0/8").build(), CLIENT_CERT, null)) {
            assertFalse(c.addRemoteCandidate("candidate:1 1 udp 2130706431 192.0.2.7 9 typ host"));
            assertFalse(c.addRemoteCandidate("candidate:1 1 udp 2130706431 abcd.local 9 typ host"));
            assertFalse(c.addRemoteCandidate("candidate:1 1 tcp 2130706431 127.0.0.1 9 typ host tcptype passive"));
            assertTrue(c.addRemoteCandidate("candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"));
            assertEquals(1, c.drops(DropReason.REMOTE_ADDRESS_NOT_ALLOWED));
        }
    }
}
