package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.web.browser.RoomPage.Inbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Media through a TURN relay only: a coturn started by the test through
 * conf/coturn-loopback.sh, a server handing out TURN REST credentials minted from the same
 * secret, and pages joined with ?relay=1 (iceTransportPolicy 'relay'), so no media can
 * flow but through coturn. Then the same with a secret coturn does not know.
 */
class RelayBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(25);
    /** Keepalive is not under test here: a generous timeout keeps a loaded machine from dropping pages. */
    private static final Map<String, String> RELAXED = Map.of("chorus.signaling.keepalive-timeout", "20s");

    private static Map<String, String> config(String turnUrl, String secret) {
        Map<String, String> c = new HashMap<>(RELAXED);
        c.put("chorus.ice.turn-urls.0", turnUrl);
        c.put("chorus.ice.turn-secret", secret);
        return c;
    }

    @Test
    void threeRelayOnlyParticipantsSeeAndHearEachOtherThroughCoturn() throws Exception {
        String secret = UUID.randomUUID().toString();
        long start = System.nanoTime();
        List<RoomPage> pages = new ArrayList<>();
        // The three pages are windows of one browser, each its own peer connection with its own TURN allocation.
        Chromium.Started browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        try (Coturn coturn = Coturn.start(secret);
                TestServer server = TestServer.start(config(coturn.url(), secret))) {
            try {
                for (String name : List.of("Ada", "Bob", "Cy")) {
                    RoomPage page = RoomPage.openIn(browser, server.url("/r/relay?name=" + name + "&relay=1"));
                    pages.add(page);
                    page.awaitState("joined");
                }
                long joinedMs = (System.nanoTime() - start) / 1_000_000;
                Map<RoomPage, String> ids = new HashMap<>();
                pages.forEach(p -> ids.put(p, p.selfId()));
                for (RoomPage page : pages) {
                    assertEquals(Boolean.TRUE, page.script("return window.chorus.relayOnly"));
                    List<String> others =
                            pages.stream().filter(p -> p != page).map(ids::get).toList();
                    page.awaitInbound(others, "video", "camera", MEDIA_WAIT);
                    page.awaitInbound(others, "audio", "mic", MEDIA_WAIT);
                }
                long flowingMs = (System.nanoTime() - start) / 1_000_000;

                // Every page's media runs on a pair whose local candidate is coturn's relay address.
                Map<RoomPage, Map<String, Long>> frames = new HashMap<>();
                for (RoomPage page : pages) {
                    Map<String, Object> stats = page.mediaStats();
                    Map<String, Object> pair = RoomPage.map(stats.get("selectedPair"));
                    Map<String, Object> local = RoomPage.map(pair.get("local"));
                    Map<String, Object> remote = RoomPage.map(pair.get("remote"));
                    System.out.println("relay: " + ids.get(page) + " selected pair local=" + local + " remote=" + remote
                            + " gathered=" + stats.get("gathered"));
                    assertEquals("relay", local.get("candidateType"), "local candidate of the selected pair: " + pair);
                    assertEquals("udp", local.get("relayProtocol"), "relayed over UDP to coturn: " + pair);
                    assertEquals(
                            0L,
                            ((Number) RoomPage.map(stats.get("gathered")).get("host")).longValue(),
                            "relay-only pages gather no host candidates");
                    Map<String, Long> byPeer = new HashMap<>();
                    for (Inbound in : page.inbound()) {
                        if ("video".equals(in.kind()) && "camera".equals(in.source()))
                            byPeer.put(in.participantId(), in.framesDecoded());
                    }
                    frames.put(page, byPeer);
                }
                // ... and keeps flowing: frames decoded grow for each remote video.
                for (RoomPage page : pages) {
                    Map<String, Long> before = frames.get(page);
                    RoomPage.waiting(page.driver(), Duration.ofSeconds(10))
                            .withMessage(() -> "frames decoded growing for every remote video at " + ids.get(page)
                                    + " (before " + before + ", now " + page.inbound() + ")")
                            .until(d -> {
                                List<Inbound> now = page.inbound();
                                return before.entrySet().stream()
                                        .allMatch(e -> now.stream()
                                                .anyMatch(i -> e.getKey().equals(i.participantId())
                                                        && "video".equals(i.kind())
                                                        && "camera".equals(i.source())
                                                        && i.framesDecoded() > e.getValue()));
                            });
                    assertEquals(2, before.size(), "two remote videos at " + ids.get(page) + ": " + before);
                }
                String log = coturn.log();
                for (String id : ids.values()) {
                    assertTrue(
                            log.contains(":" + id + ">"), "coturn saw participant " + id + "'s credentials:\n" + log);
                }
                System.out.println("relay: coturn log lines naming a participant: "
                        + log.lines()
                                .filter(l -> ids.values().stream().anyMatch(l::contains))
                                .count());
                System.out.println("relay: 3 pages joined in " + joinedMs + " ms, media flowing through coturn at "
                        + flowingMs + " ms, checked at " + (System.nanoTime() - start) / 1_000_000 + " ms");
            } finally {
                for (int i = 0; i < pages.size(); i++) pages.get(i).screenshot("relay-call-" + i);
                pages.forEach(RoomPage::close);
            }
        } finally {
            browser.quit();
        }
    }

    @Test
    void wrongTurnSecretIsShownClearly() throws Exception {
        long start = System.nanoTime();
        try (Coturn coturn = Coturn.start("secret-B-" + UUID.randomUUID());
                TestServer server = TestServer.start(config(coturn.url(), "secret-A-" + UUID.randomUUID()));
                RoomPage page = RoomPage.open(server.url("/r/badturn?name=Ada&relay=1"))) {
            page.awaitState("joined");
            try {
                RoomPage.waiting(page.driver(), Duration.ofSeconds(30))
                        .withMessage(() -> "waiting for #media-status failed (is " + page.mediaStatus() + ")")
                        .until(d -> page.mediaStatus().startsWith("failed/"));
            } finally {
                page.screenshot("relay-wrong-secret");
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            String status = page.mediaStatus();
            System.out.println("relay: wrong secret shown after " + ms + " ms: " + status + " candidateErrors="
                    + page.mediaStats().get("candidateErrors"));
            assertTrue(status.startsWith("failed/relay_failed:"), status);
            assertTrue(page.isDisplayed("media-status"));
            assertTrue(status.contains("401") && status.contains("TURN"), status);
            assertTrue(status.contains(coturn.url()) || status.contains("127.0.0.1:" + coturn.port()), status);
            assertEquals("joined", page.state(), "chat still works without media");
        }
    }
}
