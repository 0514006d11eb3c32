package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Real transports on ports whose DTLS executor is as small as it gets. */
class DtlsHandshakeLimitTest {
    static final DtlsCertificate SERVER_CERT = WebRtcTransportTest.SERVER_CERT;
    static final DtlsCertificate CLIENT_CERT = WebRtcTransportTest.CLIENT_CERT;

    static {
        Peers.quiet();
    }

    static TransportConfig.Builder loopback() {
        return TransportConfig.builder().port(0).allowRemote("127.0.0.0/8").dtlsHandshakeTimeout(Duration.ofSeconds(5));
    }

    @Test
    void oneDtlsThreadConnectsTwoPeersThatArriveTogether() throws Exception {
        try (MediaPorts ports = MediaPorts.open(loopback().dtlsThreads(1).build());
                Peers.Pair a =
                        Peers.wire(ports, SERVER_CERT, CLIENT_CERT, loopback().build(), null, null);
                Peers.Pair b =
                        Peers.wire(ports, SERVER_CERT, CLIENT_CERT, loopback().build(), null, null)) {
            for (Peers.Pair p : new Peers.Pair[] {a, b}) {
                p.serverEvents().await("DTLS_CONNECTED", 10_000);
                p.clientEvents().await("DTLS_CONNECTED", 10_000);
                byte[] payload = "after my turn".getBytes(StandardCharsets.UTF_8);
                assertTrue(p.client().sendRtp(Peers.rtp(9, 1, 0, payload), 0, 12 + payload.length));
                Peers.assertRtp(p.serverEvents().nextRtp(2000), 9, 1, payload);
            }
            assertEquals(2, ports.dtlsJson().get("started").asLong());
            assertEquals(1, ports.dtlsJson().get("threads").asInt());
            assertEquals(0, ports.runtime().handshakes.refusedQueueFull());
        }
    }

    @Test
    void aHandshakeThatCannotBeQueuedFailsTheTransportWithANamedReasonAndIsCounted() throws Exception {
        try (MediaPorts ports =
                MediaPorts.open(loopback().dtlsThreads(1).dtlsQueue(1).build())) {
            // Fill the one thread and the one queue slot with handshakes that wait for us.
            DtlsHandshakeExecutorTest.Probe running = new DtlsHandshakeExecutorTest.Probe(true);
            DtlsHandshakeExecutorTest.Probe waiting = new DtlsHandshakeExecutorTest.Probe(false);
            ports.runtime().handshakes.submit(Duration.ofSeconds(30).toNanos(), running);
            running.awaitStarted();
            ports.runtime().handshakes.submit(Duration.ofSeconds(30).toNanos(), waiting);
            try (Peers.Pair p =
                    Peers.wire(ports, SERVER_CERT, CLIENT_CERT, loopback().build(), null, null)) {
                p.serverEvents().await("ICE_CONNECTED", 10_000);
                String ev = p.serverEvents().await("DTLS_FAILED", 10_000);
                assertTrue(ev.startsWith("DTLS_FAILED HANDSHAKE_QUEUE_FULL"), ev);
                assertEquals(DtlsFailure.HANDSHAKE_QUEUE_FULL, p.server().dtlsFailure());
                assertEquals(WebRtcTransport.DtlsState.FAILED, p.server().dtlsState());
                assertEquals(
                        "HANDSHAKE_QUEUE_FULL",
                        p.server().toJson().get("dtlsFailure").asText());
                assertNull(p.server().srtpProfile());
                assertEquals(1, ports.runtime().handshakes.refusedQueueFull());
                assertEquals(
                        1,
                        ports.dtlsJson()
                                .get("refused")
                                .get("HANDSHAKE_QUEUE_FULL")
                                .asLong());
            } finally {
                running.release.countDown();
            }
            waiting.ranWithTimeout.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
