package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * H264 and the room's one video codec in Chromium (sfu/CODECS.md): a page forced to H264 ({@code ?codec=h264})
 * publishes and a page offering VP8 and H264 decodes it; a room on VP8 switches to H264 when an H264-only page joins,
 * and then both decode each other's camera; a page for which no codec suits the room (H264 only, against a VP8-only
 * page, as Firefox ESR is here: it has no H264 at all) is refused with {@code unsupported_codec}. The codec checked
 * is the one the browser reports in getStats, not the SDP. One Chromium, one server.
 */
class H264BrowserIT {
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(15);

    /** Per inbound or outbound video stream of the page: "in|out mimeType frames". */
    private static final String VIDEO_CODECS = "const done = arguments[arguments.length - 1];"
            + "window.chorus.pc.getStats().then((stats) => {"
            + "  const out = [];"
            + "  stats.forEach((r) => {"
            + "    if (r.kind !== 'video' || (r.type !== 'inbound-rtp' && r.type !== 'outbound-rtp')) return;"
            + "    const c = r.codecId ? stats.get(r.codecId) : null;"
            + "    const frames = r.type === 'inbound-rtp' ? r.framesDecoded : r.framesEncoded;"
            + "    out.push((r.type === 'inbound-rtp' ? 'in ' : 'out ') + (c ? c.mimeType : 'none') + ' ' + (frames || 0));"
            + "  });"
            + "  done(out);"
            + "}, (e) => done(['error ' + e]));";

    private static TestServer server;
    private static Chromium.Started browser;
    private final List<RoomPage> pages = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        browser.openWindow();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closePages() {
        pages.forEach(RoomPage::close);
        pages.clear();
    }

    private RoomPage open(String room, String name, String query) {
        RoomPage page = RoomPage.openIn(browser, server.url("/r/" + room + "?name=" + name + query));
        pages.add(page);
        return page;
    }

    @SuppressWarnings("unchecked")
    private static List<String> videoCodecs(RoomPage page) {
        return (List<String>) page.asyncScript(VIDEO_CODECS);
    }

    /** Waits until the page's video streams in {@code direction} ("in", "out") all run {@code mime} with frames. */
    private static void awaitVideo(RoomPage page, String direction, String mime, int streams) {
        new WebDriverWait(page.driver(), MEDIA_WAIT, Duration.ofMillis(300))
                .withMessage(() -> direction + " video in " + mime + " on " + streams + " stream(s): "
                        + videoCodecs(page) + " (media " + page.mediaStatus() + ")")
                .until(d -> {
                    List<String> v = videoCodecs(page).stream()
                            .filter(s -> s.startsWith(direction + " "))
                            .toList();
                    return v.size() == streams
                            && v.stream()
                                    .allMatch(s -> s.startsWith(direction + " " + mime + " ") && !s.endsWith(" 0"));
                });
    }

    @Test
    void aPageForcedToH264PublishesItAndAPageOfferingBothDecodesIt() {
        RoomPage pub = open("h264", "Pub", "&codec=h264");
        pub.awaitState("joined").awaitMediaConnected();
        RoomPage sub = open("h264", "Sub", "&publish=0");
        sub.awaitState("joined").awaitMediaConnected();
        sub.awaitInbound(List.of(pub.selfId()), "video", "camera", MEDIA_WAIT);

        awaitVideo(sub, "in", "video/H264", 1);
        awaitVideo(pub, "out", "video/H264", 1);
        String answer = (String) pub.script("return window.chorus.pc.remoteDescription.sdp");
        assertTrue(answer.contains("packetization-mode=1;profile-level-id=42e01f"), answer);
        assertTrue(!answer.contains("VP8/90000"), "an H264-only page is answered H264 only: " + answer);
        System.out.println("H264 forced: publisher " + videoCodecs(pub) + ", subscriber " + videoCodecs(sub));
    }

    @Test
    void aVp8RoomSwitchesToH264ForAnH264OnlyPageAndEveryoneDecodesEveryone() {
        RoomPage both = open("mixed", "Both", "");
        both.awaitState("joined").awaitMediaConnected();
        awaitVideo(both, "out", "video/VP8", 1); // alone in the room: the preferred codec

        long start = System.nanoTime();
        RoomPage h264 = open("mixed", "OnlyH264", "&codec=h264");
        h264.awaitState("joined").awaitMediaConnected();
        h264.awaitInbound(List.of(both.selfId()), "video", "camera", MEDIA_WAIT);
        both.awaitInbound(List.of(h264.selfId()), "video", "camera", MEDIA_WAIT);
        awaitVideo(both, "out", "video/H264", 1);
        awaitVideo(both, "in", "video/H264", 1);
        awaitVideo(h264, "in", "video/H264", 1);
        awaitVideo(h264, "out", "video/H264", 1);
        System.out.printf(
                "room switched VP8 -> H264: both decode in %d ms after the H264-only page opened: %s / %s%n",
                (System.nanoTime() - start) / 1_000_000, videoCodecs(both), videoCodecs(h264));
    }

    @Test
    void aPageNoCodecSuitsIsRefusedWithUnsupportedCodecAndTheRoomGoesOn() {
        // Chromium offering VP8 only stands for Firefox ESR here, which has no H264 (no OpenH264 plugin offline).
        RoomPage vp8 = open("refuse", "OnlyVp8", "&codec=vp8");
        vp8.awaitState("joined").awaitMediaConnected();
        RoomPage h264 = open("refuse", "OnlyH264", "&codec=h264");
        h264.awaitState("joined");
        new WebDriverWait(h264.driver(), MEDIA_WAIT, Duration.ofMillis(200))
                .withMessage(() -> "no unsupported_codec failure: " + h264.mediaStatus())
                .until(d -> h264.mediaStatus().startsWith("failed/unsupported_codec"));
        String status = h264.mediaStatus();
        assertTrue(status.contains("cannot decode"), status);
        Map<String, Object> stats = h264.mediaStats();
        System.out.println("refused: " + status + " " + stats.get("server"));
        awaitVideo(vp8, "out", "video/VP8", 1);
        assertEquals("connected", vp8.connectionState(), "the room goes on");
    }
}
