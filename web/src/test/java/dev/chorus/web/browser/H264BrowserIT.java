package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * H264 and the room's one video codec in Chromium (sfu/CODECS.md): a page forced to H264 ({@code ?codec=h264})
 * publishes and a page offering VP8 and H264 decodes it; a room on VP8 switches to H264 when an H264-only page joins,
 * and then both decode each other's camera; a page for which no codec suits the room (H264 only, against a VP8-only
 * page, as Firefox ESR is here: it has no H264 at all) is refused with {@code unsupported_codec}; and H264 simulcast
 * switches a subscriber between layers. The codec checked is the one the browser reports in getStats, not the SDP.
 * One server, one Chromium with small cameras, and one with a 720p camera for the simulcast publisher.
 */
class H264BrowserIT {
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(15);
    /** Chromium's simulcast starts when the third participant comes, and its layers come up one by one. */
    private static final Duration SIMULCAST_WAIT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per inbound or outbound video stream of the page: "in|out mimeType frames". */
    private static final String VIDEO_CODECS = "const done = arguments[arguments.length - 1];"
            + "window.chorus.pc.getStats().then((stats) => {"
            + "  const out = [];"
            + "  stats.forEach((r) => {"
            + "    if (r.kind !== 'video' || (r.type !== 'inbound-rtp' && r.type !== 'outbound-rtp')) return;"
            + "    const c = r.codecId ? stats.get(r.codecId) : null;"
            + "    const frames = r.type === 'inbound-rtp' ? r.framesDecoded : r.framesEncoded;"
            + "    out.push((r.type === 'inbound-rtp' ? 'in ' : 'out ') + (c ? c.mimeType : 'none') + ' '"
            + "      + (r.frameWidth || 0) + 'x' + (r.frameHeight || 0) + ' ' + (frames || 0));"
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

    /**
     * The SFU's consumer of {@code participantId}'s video and its producer from /debug, as {consumer, producer}, or
     * null while there is none.
     */
    private static JsonNode videoPath(String participantId) throws Exception {
        for (JsonNode router : server.debug().path("media").path("forwarding").path("routers")) {
            for (JsonNode c : router.path("consumers")) {
                if (!participantId.equals(c.path("endpoint").asText())) continue;
                for (JsonNode p : router.path("producers")) {
                    if (p.path("id").asText().equals(c.path("producer").asText())
                            && "VIDEO".equalsIgnoreCase(p.path("kind").asText())) {
                        return JSON.createObjectNode()
                                .<ObjectNode>set("consumer", c)
                                .set("producer", p);
                    }
                }
            }
        }
        return null;
    }

    private static JsonNode awaitVideoPath(String participantId, Predicate<JsonNode> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + SIMULCAST_WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = videoPath(participantId);
            if (last != null && condition.test(last)) return last;
            Thread.sleep(250);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + last);
    }

    private static int activeLayers(JsonNode path) {
        int n = 0;
        for (JsonNode s : path.path("producer").path("streams")) {
            if (s.path("active").asBoolean() && s.path("width").asInt() > 0) n++;
        }
        return n;
    }

    /**
     * H264 simulcast: at three participants the H264-only 720p publisher sends its camera as layers; the SFU learns
     * them with their sizes (from each keyframe's SPS), a subscriber in a small window gets a low layer, and when
     * its window grows it is switched up on that layer's keyframe and goes on decoding H264 at the larger size.
     */
    @Test
    void h264SimulcastLayersAreLearntWithTheirSizesAndASubscriberSwitchesUpOnAKeyframe() throws Exception {
        Chromium.Started camera = Chromium.start(List.of(), Chromium.Camera.AS_REQUESTED_NO_MICROPHONE);
        RoomPage pub = null;
        try {
            pub = RoomPage.openIn(camera, server.url("/r/sim?name=Pub&codec=h264"));
            pub.awaitState("joined").awaitMediaConnected();
            RoomPage viewer = open("sim", "Viewer", "&publish=0");
            viewer.driver().manage().window().setSize(new Dimension(420, 320));
            RoomPage third = open("sim", "Third", "&publish=0"); // the room's third: simulcast from here
            viewer.awaitState("joined").awaitMediaConnected();
            third.awaitState("joined");
            String viewerId = viewer.selfId();
            JsonNode path = awaitVideoPath(
                    viewerId,
                    p -> "H264".equals(p.path("producer").path("codec").asText()) && activeLayers(p) >= 2,
                    "H264 simulcast with two layers of known size");
            JsonNode streams = path.path("producer").path("streams");
            assertEquals(320, streams.get(0).path("width").asInt(), "the lowest layer's size from its SPS: " + streams);
            assertEquals(180, streams.get(0).path("height").asInt(), streams.toString());
            path = awaitVideoPath(
                    viewerId, p -> p.path("consumer").path("currentLayer").asInt() == 0, "the small window on layer 0");
            awaitVideo(viewer, "in", "video/H264 320x180", 1);

            viewer.driver().manage().window().setSize(new Dimension(1400, 1000));
            path = awaitVideoPath(
                    viewerId,
                    p -> p.path("consumer").path("currentLayer").asInt() >= 1,
                    "the large window above layer 0");
            new WebDriverWait(viewer.driver(), MEDIA_WAIT, Duration.ofMillis(300))
                    .withMessage(() -> "H264 decoded at 640 wide or more: " + videoCodecs(viewer))
                    .until(d -> videoCodecs(viewer).stream().anyMatch(v -> {
                        String[] f = v.split(" "); // in, mime, WxH, frames
                        return f[0].equals("in")
                                && f[1].equals("video/H264")
                                && Integer.parseInt(f[2].substring(0, f[2].indexOf('x'))) >= 640;
                    }));
            List<String> sizes = new ArrayList<>();
            streams.forEach(l ->
                    sizes.add(l.path("width").asInt() + "x" + l.path("height").asInt()));
            System.out.println("H264 simulcast: layers " + sizes + ", viewer " + videoCodecs(viewer)
                    + ", consumer layer " + path.path("consumer").path("currentLayer") + " after "
                    + path.path("consumer").path("layerSwitches") + " switch(es)");
            assertTrue(path.path("consumer").path("layerSwitches").asInt() >= 1, path.toString());
        } finally {
            if (pub != null) pub.close();
            camera.quit();
        }
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
