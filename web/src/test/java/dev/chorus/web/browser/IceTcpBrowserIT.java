package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            try {
                List<String> ids = new ArrayList<>();
                long t0 = System.nanoTime();
                for (String name : List.of("ann", "bob", "cid")) {
                    RoomPage p =
                            RoomPage.open(server.url("/r/tcp?name=" + name)).awaitState("joined");
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
                // Frames keep being decoded over TCP, from every other page.
                for (RoomPage p : pages) {
                    Map<String, Long> before = framesByParticipant(p);
                    Thread.sleep(1500);
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
            }
        }
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
