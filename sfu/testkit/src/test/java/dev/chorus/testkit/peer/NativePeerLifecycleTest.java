package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.sdp.RemoteTrack;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many create / connect / exchange / close cycles leave no threads and no server registrations behind. */
class NativePeerLifecycleTest {
    private static final RemoteTrack BOB_MIC = RemoteTrack.audio("bob", "mic", 0xB0B1, "bob-cname");

    /** ice4j's process-wide cached pools: bounded and shared, not per peer (see TransportLifecycleTest). */
    private static boolean isIce4jSharedPool(String name) {
        return name.matches("ice4j\\..*-pool-\\d+-thread-\\d+#\\d+");
    }

    private static Set<String> ownThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName() + "#" + t.getId();
            if (t.isAlive() && !isIce4jSharedPool(n)) {
                names.add(n);
            }
        }
        return names;
    }

    private static long readerThreads() {
        return ownThreads().stream()
                .filter(n -> n.startsWith("chorus-client-reader-"))
                .count();
    }

    private static void cycle(LoopbackSfu sfu, int i) throws Exception {
        try (NativePeer peer = NativePeer.create(LoopbackSfu.loopback().build(), LoopbackSfu.CLIENT_CERT, "p" + i);
                LoopbackSfu.Session s = sfu.connect(peer, 1, 1, 1, 0, Map.of("2", BOB_MIC))) {
            assertTrue(peer.sendAudioPacket());
            assertEquals(
                    peer.sendStream("0").track().ssrc(),
                    NativePeerTest.publication(s, "0").ssrc());
            byte[] pkt = s.nextRtp(2000);
            assertEquals(peer.sendStream("0").track().ssrc(), dev.chorus.sfu.rtp.BigEndian.u32(pkt, 8));
            byte[] buf = new byte[64];
            int n = NativePeerTest.serverPacket(buf, OfferWriter.OPUS_PT, i, i, BOB_MIC.ssrc(), new byte[] {1});
            assertTrue(s.transport.sendRtp(buf, 0, n));
            NativePeerTest.waitFor(() -> peer.received("2").packets() == 1, 2000);
        }
    }

    @Test
    void twentyConnectCloseCyclesLeaveNoThreadsBehind() throws Exception {
        try (LoopbackSfu sfu = new LoopbackSfu()) {
            cycle(sfu, 0); // warm up the shared pools (DTLS executor, transport timer, ice4j schedulers)
            Thread.sleep(300);
            NativePeerTest.waitFor(() -> readerThreads() == 0, 2000);
            Set<String> before = ownThreads();
            for (int i = 1; i <= 20; i++) {
                cycle(sfu, i);
                // close() closes the socket; the reader sees that and ends (a bounded wait, not a sleep).
                NativePeerTest.waitFor(() -> readerThreads() == 0, 2000);
            }
            assertEquals(0, sfu.port.transportCount(), "no server transport left registered");
            // Shared DTLS workers exit after 2 s idle: poll with a bound, allowing one that is still idling.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ownThreads().size() > before.size() + 1 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            Set<String> extra = ownThreads();
            extra.removeAll(before);
            assertTrue(
                    ownThreads().size() <= before.size() + 1,
                    "threads before " + before.size() + ", now " + ownThreads().size() + ", new: " + extra);
        }
    }

    @Test
    void closedPeerRefusesSignalingAndFailsItsConnectedFuture() throws Exception {
        NativePeer peer = NativePeer.create(LoopbackSfu.loopback().build(), LoopbackSfu.CLIENT_CERT, "gone");
        peer.createOffer(1, 0, 0, 0);
        peer.close();
        peer.close(); // idempotent
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> peer.connected().get(1, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
        assertThrows(IllegalStateException.class, () -> peer.createOffer(1, 0, 0, 0));
        assertTrue(peer.transport().isClosed());
        NativePeerTest.waitFor(() -> readerThreads() == 0, 2000);
    }
}
