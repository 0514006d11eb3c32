package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.testkit.netsim.Impairment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ICE over TCP end to end: the server announces no UDP candidate at all ({@code chorus.media.udp-enabled =
 * false}, only its passive ICE-TCP candidate), so the only way media can flow is over TCP with RFC 4571
 * framing. Three Chromium pages meet and must see and hear each other; each page's selected candidate pair
 * (getStats) must be TCP on both ends, and video frames decoded must grow.
 */
class IceTcpBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(25);

    @Test
    void threePagesExchangeAudioAndVideoOverIceTcpOnly() throws Exception {
        try (TestServer server = TestServer.start(Map.of(
                "chorus.media.udp-enabled",
                "false",
                "chorus.media.tcp-port",
                "0",
                "chorus.media.allowed-remotes.0",
                "127.0.0.0/8"))) {
            assertTrue(server.server().mediaTcpPort() > 0, "ICE-TCP listening");
            List<RoomPage> pages = new ArrayList<>();
            // The three pages are windows of one browser (each its own peer connection and candidates).
            Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
            try {
                List<String> ids = new ArrayList<>();
                long t0 = System.nanoTime();
                for (String name : List.of("ann", "bob", "cid")) {
                    RoomPage p = RoomPage.openIn(browser, server.url("/r/tcp?name=" + name))
                            .awaitState("joined");
                    pages.add(p);
                    ids.add(p.selfId());
                }
                for (RoomPage p : pages) {
                    String self = p.selfId();
                    List<String> others =
                            ids.stream().filter(id -> !id.equals(self)).toList();
                    p.awaitMediaConnected();
                    p.awaitInbound(others, "video", "camera", MEDIA_WAIT);
                    p.awaitInbound(others, "audio", "mic", MEDIA_WAIT);
                }
                System.out.printf(
                        "IceTcpBrowserIT: 3 pages joined and decoding each other over ICE-TCP in %d ms%n",
                        (System.nanoTime() - t0) / 1_000_000);
                for (RoomPage p : pages) {
                    Map<String, Object> pair = selectedPair(p);
                    System.out.println("  " + p.selfId() + " selected pair " + pair);
                    assertEquals("tcp", pair.get("localProtocol"), "local candidate protocol: " + pair);
                    assertEquals("tcp", pair.get("remoteProtocol"), "remote candidate protocol: " + pair);
                    assertEquals("127.0.0.1", pair.get("remoteAddress"), "remote candidate: " + pair);
                    assertEquals(
                            (long) server.server().mediaTcpPort(),
                            ((Number) pair.get("remotePort")).longValue(),
                            "the SFU's ICE-TCP port: " + pair);
                }
                // Frames keep being decoded over TCP, from every other page: each page's count read before and after
                // one 1.5 s wait (the three pages' windows overlap instead of following one another).
                List<Map<String, Long>> framesBefore = new ArrayList<>();
                for (RoomPage p : pages) {
                    framesBefore.add(framesByParticipant(p));
                }
                Thread.sleep(1500);
                for (int k = 0; k < pages.size(); k++) {
                    RoomPage p = pages.get(k);
                    Map<String, Long> before = framesBefore.get(k);
                    Map<String, Long> after = framesByParticipant(p);
                    String self = p.selfId();
                    for (String id : ids) {
                        if (id.equals(self)) continue;
                        long grew = after.getOrDefault(id, 0L) - before.getOrDefault(id, 0L);
                        assertTrue(
                                grew > 0,
                                "video from " + id + " at " + self + " did not grow: " + before + " -> " + after);
                        System.out.printf("  %s <- %s: +%d frames in 1.5 s%n", self, id, grew);
                    }
                    long audio = p.inbound().stream()
                            .filter(i -> "audio".equals(i.kind()))
                            .mapToLong(RoomPage.Inbound::packetsReceived)
                            .sum();
                    assertTrue(audio > 0, "audio packets at " + p.selfId());
                }
                // The SFU saw it all on TCP: one session per page, each with at least one bound connection (Chrome
                // may open one per local candidate and keep the spares), nothing refused, nothing oversize.
                com.fasterxml.jackson.databind.JsonNode tcp = server.server()
                        .withMedia(m -> m.debugJson())
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .get("iceTcp");
                System.out.println("  SFU iceTcp: " + tcp);
                assertEquals(3, tcp.get("sessions").asInt(), tcp.toString());
                assertTrue(tcp.get("connections").asInt() >= 3, tcp.toString());
                assertTrue(tcp.get("frames").asLong() > 100, tcp.toString());
                tcp.get("drops")
                        .fields()
                        .forEachRemaining(d -> assertEquals(0, d.getValue().asLong(), d.getKey()));
            } finally {
                for (int i = 0; i < pages.size(); i++) {
                    pages.get(i).screenshot("icetcp-" + i);
                    pages.get(i).close();
                }
                browser.quit();
            }
        }
    }

    /**
     * A page that nominates its ICE-TCP pair first (UDP held up in the impairment proxy, as on a busy machine) and UDP
     * once that answers, then loses its TCP connection (browsers prune the pairs they left): the SFU, which ICE left
     * on the first nominated pair, follows the page to UDP, and the video it forwards to the page keeps decoding.
     */
    @Test
    void aPageThatMovesFromTcpToUdpKeepsItsMediaWhenTheTcpConnectionGoes() throws Exception {
        try (ProxiedServer server = ProxiedServer.startWithIceTcp(17)) {
            Impairment blackhole = Impairment.parse("loss=100%");
            List<RoomPage> pages = new ArrayList<>();
            try {
                // The publisher on UDP as usual; new flows (the subscriber's) get no UDP answer for now.
                RoomPage pub = RoomPage.open(server.url("/r/tcpfirst?name=Pub"), Chromium.Camera.SMALL_NO_MICROPHONE)
                        .awaitState("joined");
                pages.add(pub);
                pub.awaitMediaConnected();
                server.proxy().setForIceUfrag(pub.serverIceUfrag(), Impairment.NONE, Impairment.NONE);
                server.proxy().setDefault(blackhole, blackhole);
                RoomPage sub = RoomPage.open(server.url("/r/tcpfirst?name=Sub&publish=0"))
                        .awaitState("joined");
                pages.add(sub);
                awaitProtocol(sub, "tcp");
                server.proxy().setDefault(Impairment.NONE, Impairment.NONE); // UDP answers from now on
                long t0 = System.nanoTime();
                awaitProtocol(sub, "udp");
                System.out.printf(
                        "IceTcpBrowserIT: the subscriber moved from TCP to UDP %d ms after UDP was let through%n",
                        (System.nanoTime() - t0) / 1_000_000);
                String pubId = pub.selfId();
                sub.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);

                int dropped = server.tcpProxy().dropAll();
                assertTrue(dropped > 0, "the pages' ICE-TCP connections went through the proxy");
                long before = sub.inbound(pubId, "video", "camera").framesDecoded();
                Thread.sleep(3000);
                long after = sub.inbound(pubId, "video", "camera").framesDecoded();
                System.out.printf(
                        "  %d TCP connections cut; the subscriber decoded +%d frames in the next 3 s%n",
                        dropped, after - before);
                assertTrue(after - before >= 15, "video stopped with the TCP connection: +" + (after - before));
                JsonNode pair = server.transport(sub.selfId()).path("selectedPair");
                System.out.println("  the SFU's side of the subscriber: " + pair);
                assertTrue(pair.path("remote").asText().endsWith("/tcp"), "ICE kept the TCP pair: " + pair);
                assertTrue(pair.path("peerMoves").asLong() >= 1, "the SFU followed the page to UDP: " + pair);
            } finally {
                for (int i = 0; i < pages.size(); i++) {
                    pages.get(i).screenshot("tcp-first-" + i);
                    pages.get(i).close();
                }
            }
        }
    }

    /** Waits until the page's selected candidate pair uses that protocol locally ("tcp", "udp"). */
    private static void awaitProtocol(RoomPage p, String protocol) throws InterruptedException {
        long deadline = System.nanoTime() + MEDIA_WAIT.toNanos();
        Map<String, Object> pair = null;
        while (System.nanoTime() < deadline) {
            pair = selectedPair(p);
            if (pair != null && protocol.equals(pair.get("localProtocol"))) return;
            Thread.sleep(200);
        }
        throw new AssertionError("the page's selected pair is not " + protocol + ": " + pair);
    }

    private static Map<String, Long> framesByParticipant(RoomPage p) {
        Map<String, Long> m = new java.util.HashMap<>();
        for (RoomPage.Inbound i : p.inbound()) {
            if ("video".equals(i.kind()) && i.participantId() != null)
                m.merge(i.participantId(), i.framesDecoded(), Long::sum);
        }
        return m;
    }

    /** The page's selected ICE candidate pair, from its RTCPeerConnection's getStats(). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> selectedPair(RoomPage p) {
        Object r = p.driver() instanceof org.openqa.selenium.JavascriptExecutor js
                ? js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "window.chorus.pc.getStats().then((s) => {"
                        + "  let pairId = null;"
                        + "  s.forEach((v) => { if (v.type === 'transport' && v.selectedCandidatePairId) pairId = v.selectedCandidatePairId; });"
                        + "  const pair = pairId && s.get(pairId);"
                        + "  if (!pair) { done({error: 'no selected pair'}); return; }"
                        + "  const l = s.get(pair.localCandidateId), r = s.get(pair.remoteCandidateId);"
                        + "  done({state: pair.state, localProtocol: l.protocol, localTcpType: l.tcpType || null,"
                        + "        localType: l.candidateType, remoteProtocol: r.protocol, remoteAddress: r.address || r.ip,"
                        + "        remotePort: r.port, bytesSent: pair.bytesSent, bytesReceived: pair.bytesReceived});"
                        + "}, (e) => done({error: String(e)}));")
                : null;
        return (Map<String, Object>) r;
    }
}
