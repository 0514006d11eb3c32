package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.testkit.capture.PcapFile;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real audio and video through the SFU between real headless Chromium pages, each with
 * Chromium's fake camera and microphone. The tests build on each other to keep the run
 * short on two cores: four pages meet in room "media", a fifth joins late, one shares its
 * screen, the late one leaves, and two pages in room "other" must hear none of it. Every
 * check reads the pages' own getStats() (window.chorus.mediaStats()) and their DOM. The pages are
 * windows of one Chromium, their cameras small ({@link Chromium.Camera#SMALL}): five browsers of
 * their own do not fit on two cores.
 */
@TestInstance(Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class MediaBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(20);
    /** The server's data directory (its packet captures): in the module's target, not the working directory. */
    private static final Path DATA_DIR = Path.of("target", "media-it-data");
    /** Where the capture of a Chromium publisher is kept: the fuzzing seeds are taken from such a file. */
    private static final Path CAPTURE_COPY = Path.of("target", "captures", "chromium-publisher.pcap");
    /** And the signaling messages the same page sent, one per line. */
    private static final Path SIGNALING_COPY = Path.of("target", "captures", "chromium-signaling.jsonl");

    private TestServer server;
    private Chromium.Started browser;
    private final List<RoomPage> room = new ArrayList<>(); // pages in room "media"
    private final Map<RoomPage, String> ids = new HashMap<>();

    @BeforeAll
    void startServer() throws Exception {
        Map<String, String> settings = new HashMap<>(ServerApiClient.settings());
        settings.put("chorus.data-dir", DATA_DIR.toString());
        server = TestServer.start(settings);
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
    }

    @AfterEach
    void screenshots(TestInfo test) {
        String name = test.getTestMethod().orElseThrow().getName();
        for (int i = 0; i < room.size(); i++) room.get(i).screenshot("media-" + name + "-" + i);
    }

    @AfterAll
    void stop() {
        room.forEach(RoomPage::close);
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    private RoomPage joinMedia(String roomName, String name) {
        RoomPage page = RoomPage.openIn(browser, server.url("/r/" + roomName + "?name=" + name))
                .awaitState("joined");
        ids.put(page, page.selfId());
        return page;
    }

    private List<String> idsOf(List<RoomPage> pages) {
        return pages.stream().map(ids::get).toList();
    }

    private List<String> othersOf(RoomPage page, List<RoomPage> pages) {
        return pages.stream().filter(p -> p != page).map(ids::get).toList();
    }

    /** The listed streams at `page`, keyed by participant id. */
    private static Map<String, Inbound> streams(RoomPage page, String kind, String source) {
        return page.inbound().stream()
                .filter(i -> i.participantId() != null && kind.equals(i.kind()) && source.equals(i.source()))
                .collect(Collectors.toMap(Inbound::participantId, i -> i, (a, b) -> a));
    }

    /** A stream {@code page} should receive from participant {@code from}. */
    private record Flow(RoomPage page, String from, String kind, String source) {
        /** Frames decoded (video) or packets received (audio) so far; -1 while the page has no such stream. */
        long progress(List<Inbound> inbound) {
            return inbound.stream()
                    .filter(i -> from.equals(i.participantId()) && kind.equals(i.kind()) && source.equals(i.source()))
                    .mapToLong(i -> "video".equals(kind) ? i.framesDecoded() : i.packetsReceived())
                    .findFirst()
                    .orElse(-1);
        }
    }

    /** Each of {@code pages} receiving {@code kind}/{@code source} from every other participant of {@code room}. */
    private List<Flow> flowsFromOthers(List<RoomPage> pages, String kind, String source) {
        List<Flow> flows = new ArrayList<>();
        for (RoomPage page : pages) {
            othersOf(page, room).forEach(id -> flows.add(new Flow(page, id, kind, source)));
        }
        return flows;
    }

    /** Every flow's progress, reading each page's stats once. */
    private static Map<Flow, Long> sample(List<Flow> flows) {
        Map<RoomPage, List<Inbound>> byPage = new HashMap<>();
        Map<Flow, Long> progress = new HashMap<>();
        for (Flow f : flows) {
            progress.put(f, f.progress(byPage.computeIfAbsent(f.page(), RoomPage::inbound)));
        }
        return progress;
    }

    /**
     * Asserts that every flow makes progress between two samples: frames decoded (video) or packets received
     * (audio). All flows are sampled together (each page's stats read once per sample); the second sample is taken
     * 1 s after the first, and again each second up to 5 s: seven pages on two cores may stall a decoder for a
     * moment, a stream that moves not at all for 5 s is broken.
     */
    private void assertFlowing(List<Flow> flows) throws InterruptedException {
        Map<Flow, Long> before = sample(flows);
        Map<Flow, Long> after = before;
        List<Flow> stalled = flows;
        int seconds = 0;
        while (!stalled.isEmpty() && seconds < 5) {
            Thread.sleep(1000);
            seconds++;
            Map<Flow, Long> now = sample(flows);
            after = now;
            stalled = flows.stream()
                    .filter(f -> before.get(f) < 0 || now.get(f) <= before.get(f))
                    .toList();
        }
        for (Flow f : flows) {
            String what = f.kind() + "/" + f.source() + " from " + f.from() + " at "
                    + f.page().selfId();
            assertTrue(before.get(f) >= 0 && after.get(f) >= 0, what + " missing");
            long grew = after.get(f) - before.get(f);
            assertTrue(grew > 0, what + " did not grow in " + seconds + " s: " + before.get(f) + " -> " + after.get(f));
            System.out.printf(
                    "  %s: +%d %s in %d s%n", what, grew, "video".equals(f.kind()) ? "frames" : "packets", seconds);
        }
    }

    /** Frame size per source of what the page encodes: source -> {width, height}. */
    private static Map<String, long[]> sentSizes(RoomPage page) {
        Map<String, long[]> sizes = new HashMap<>();
        for (Map<String, Object> o : outbound(page)) {
            if ("video".equals(o.get("kind"))
                    && o.get("frameWidth") instanceof Number w
                    && o.get("frameHeight") instanceof Number h) {
                sizes.put((String) o.get("source"), new long[] {w.longValue(), h.longValue()});
            }
        }
        sizes.putIfAbsent("screen", new long[] {-1, -1});
        sizes.putIfAbsent("camera", new long[] {-1, -1});
        return sizes;
    }

    @Test
    @Order(1)
    void fourParticipantsDecodeEachOthersVideoAndReceiveEachOthersAudio() throws Exception {
        for (String name : List.of("Ada", "Bob", "Cy", "Di")) room.add(joinMedia("media", name));
        for (RoomPage page : room) {
            page.awaitParticipants(List.of("Ada", "Bob", "Cy", "Di")).awaitMediaConnected();
            List<String> others = othersOf(page, room);
            page.awaitInbound(others, "video", "camera", MEDIA_WAIT);
            page.awaitInbound(others, "audio", "mic", MEDIA_WAIT);
        }
        List<Flow> flows = new ArrayList<>(flowsFromOthers(room, "video", "camera"));
        flows.addAll(flowsFromOthers(room, "audio", "mic"));
        assertFlowing(flows);
        for (RoomPage page : room) {
            // And the frames reach the tiles, not only the decoder.
            for (String id : othersOf(page, room)) {
                long width = page.tileVideoWidth(id, false);
                assertTrue(width > 0, "tile of " + id + " at " + page.selfId() + " renders no video");
            }
        }
    }

    @Test
    @Order(2)
    void aPublishersPacketsAreCapturedDecryptedThroughTheServerApi() throws Exception {
        RoomPage ada = room.get(0);
        ServerApiClient api = new ServerApiClient(server);
        ObjectMapper json = new ObjectMapper();
        String path = "/api/v1/rooms/media/participants/" + ids.get(ada) + "/capture";
        HttpResponse<String> started = api.call("POST", path, "{\"seconds\": 3}");
        assertEquals(200, started.statusCode(), started.body());
        JsonNode state = json.readTree(started.body());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"ended".equals(state.path("state").asText()) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            state = json.readTree(api.call("GET", path, null).body());
        }
        assertEquals("TIME_LIMIT", state.path("end").asText(), state.toString());
        HttpResponse<byte[]> file = api.download(state.path("download").asText());
        assertEquals(200, file.statusCode());
        Files.createDirectories(CAPTURE_COPY.getParent());
        Files.write(CAPTURE_COPY, file.body());

        List<PcapFile.Packet> packets = PcapFile.read(file.body());
        assertEquals(state.path("packets").asLong(), packets.size(), "every packet taken is in the file");
        Map<Long, Long> rtpBySsrc = packets.stream()
                .filter(p -> !p.isRtcp())
                .collect(Collectors.groupingBy(PcapFile.Packet::ssrc, Collectors.counting()));
        long rtcp = packets.stream().filter(PcapFile.Packet::isRtcp).count();
        System.out.printf(
                "  capture of %s: %d packets in 3 s, RTP by SSRC %s, %d RTCP%n",
                ids.get(ada), packets.size(), rtpBySsrc, rtcp);
        // Each of her streams, as her own getStats() names it: audio at 50 packets/s, a small video at 15 fps.
        for (String kind : List.of("audio", "video")) {
            long most = outbound(ada).stream()
                    .filter(o -> kind.equals(o.get("kind")) && o.get("ssrc") instanceof Number)
                    .mapToLong(o -> rtpBySsrc.getOrDefault(((Number) o.get("ssrc")).longValue(), 0L))
                    .max()
                    .orElse(0);
            assertTrue(most >= 45, kind + " RTP of Ada's own SSRCs in the capture: " + most + " packets, " + rtpBySsrc);
        }
        assertTrue(rtcp >= 3, "her RTCP (reports, transport-wide feedback for the three videos she gets): " + rtcp);

        // Her signaling, as sent: the fuzzing seeds of the signaling parser are taken from such a file.
        List<String> sent = ada.sentMessages();
        Set<String> types = sent.stream()
                .map(m -> {
                    try {
                        return json.readTree(m).path("type").asText();
                    } catch (Exception e) {
                        throw new AssertionError("the page sent something that is not JSON: " + m, e);
                    }
                })
                .collect(Collectors.toSet());
        assertTrue(types.containsAll(List.of("join", "offer")), "her join and offer among " + types);
        Files.write(SIGNALING_COPY, sent);
    }

    @Test
    @Order(3)
    void lateJoinerDecodesAllFourVideos() {
        List<String> four = idsOf(room);
        // Open the page and start measuring inside it at once: the page joins by itself
        // (deep link) and stamps window.chorus.joinedAt.
        RoomPage late = RoomPage.openIn(browser, server.url("/r/media?name=Eve"));
        room.add(late);
        long ms = late.millisFromJoinToVideoFrom(four, Duration.ofSeconds(12));
        ids.put(late, late.selfId());
        System.out.println("late joiner: first frame from all four " + ms + " ms after joined (ms after joined: "
                + late.script("return document.body.dataset.firstFrameTimeline") + ")");
        assertTrue(ms >= 0, "late joiner did not decode all four videos within 12 s: " + late.inbound());
        // How fast is a figure, not a pass mark: it swings 2x with this shared machine's load (3.1 and
        // 4.3 s here on two runs in a row, 1.0-1.5 s on a quiet day). The join-time benchmark of the
        // large-rooms issue tracks it; this test keeps the 12 s functional limit above.
        late.awaitInbound(four, "audio", "mic", MEDIA_WAIT);
        // The four see the late one too.
        for (RoomPage page : room.subList(0, 4)) {
            page.awaitInbound(List.of(ids.get(late)), "video", "camera", MEDIA_WAIT);
        }
    }

    @Test
    @Order(4)
    void screenShareReachesTheOthersAndStopsWhenUnshared() throws Exception {
        RoomPage ada = room.get(0);
        String adaId = ids.get(ada);
        ada.click("toggle-screen");
        ada.await(d -> ada.hasScreenTile(adaId), "own screen preview tile");
        List<RoomPage> viewers = room.subList(1, room.size());
        for (RoomPage page : viewers) {
            page.awaitInbound(List.of(adaId), "video", "screen", MEDIA_WAIT);
            page.await(d -> page.hasScreenTile(adaId), "screen tile of " + adaId);
            // Presentation layout: the share is pinned (shown across the grid) where it is watched.
            assertTrue(page.isScreenPinned(adaId), "screen of " + adaId + " pinned at " + ids.get(page));
        }
        assertTrue(!ada.isScreenPinned(adaId), "Ada's own preview stays small");
        List<Flow> shareAndCamera = new ArrayList<>();
        for (RoomPage page : viewers) {
            shareAndCamera.add(new Flow(page, adaId, "video", "screen"));
            // Her camera keeps flowing next to the share.
            shareAndCamera.add(new Flow(page, adaId, "video", "camera"));
        }
        assertFlowing(shareAndCamera);
        for (RoomPage page : viewers) {
            assertTrue(page.tileVideoWidth(adaId, true) > 0, "screen tile renders no video");
            // Chromium's fake screen and fake camera draw the same picture, so tell them apart
            // by size: what arrives on the screen line must have the size Ada encodes her
            // screen at, and while that differs from her camera's, it cannot be the camera.
            page.await(
                    d -> {
                        Map<String, long[]> sent = sentSizes(ada);
                        Inbound screen = page.inbound(adaId, "video", "screen");
                        Inbound camera = page.inbound(adaId, "video", "camera");
                        long[] s = sent.get("screen");
                        long[] c = sent.get("camera");
                        System.out.printf(
                                "  at %s: screen %dx%d camera %dx%d; Ada sends screen %dx%d camera %dx%d%n",
                                ids.get(page),
                                screen.frameWidth(),
                                screen.frameHeight(),
                                camera.frameWidth(),
                                camera.frameHeight(),
                                s[0],
                                s[1],
                                c[0],
                                c[1]);
                        return !(s[0] == c[0] && s[1] == c[1])
                                && screen.frameWidth() == s[0]
                                && screen.frameHeight() == s[1]
                                && camera.frameWidth() == c[0]
                                && camera.frameHeight() == c[1];
                    },
                    "screen and camera of " + adaId + " on their own lines at their own sizes");
        }
        room.get(1).screenshot("media-screen-share-at-bob");

        ada.click("toggle-screen");
        for (RoomPage page : room) {
            page.await(d -> !page.hasScreenTile(adaId), "screen tile of " + adaId + " to go");
        }
        for (RoomPage page : viewers) {
            page.await(d -> streams(page, "video", "screen").isEmpty(), "no screen stream mapped");
        }

        // Share again (the same m= line comes back from inactive), then end it the way the
        // browser's own "Stop sharing" bar does: an "ended" event on the track. Headless
        // Chromium has no such bar, so the test dispatches the event the bar would cause.
        ada.click("toggle-screen");
        for (RoomPage page : viewers) page.awaitInbound(List.of(adaId), "video", "screen", MEDIA_WAIT);
        ada.script("window.chorus.pc.getSenders().map((s) => s.track)"
                + ".find((t) => t && t.getSettings().displaySurface).dispatchEvent(new Event('ended'))");
        ada.await(d -> !ada.hasScreenTile(adaId), "own screen tile to go");
        for (RoomPage page : viewers) {
            page.await(d -> !page.hasScreenTile(adaId), "screen tile of " + adaId + " to go after 'ended'");
            page.await(d -> streams(page, "video", "screen").isEmpty(), "no screen stream mapped after 'ended'");
        }
        assertEquals(
                "Share screen",
                ada.driver()
                        .findElement(org.openqa.selenium.By.id("toggle-screen"))
                        .getText());
    }

    @Test
    @Order(5)
    void mutingShowsOnTheOthersTiles() {
        RoomPage bob = room.get(1);
        String bobId = ids.get(bob);
        bob.click("toggle-audio");
        bob.click("toggle-video");
        for (RoomPage page : room) {
            if (page == bob) continue;
            page.await(d -> "true".equals(tileAttribute(page, bobId, "data-audio-muted")), "mic-off of " + bobId);
            page.await(d -> "true".equals(tileAttribute(page, bobId, "data-video-muted")), "camera-off of " + bobId);
            // The tile shows the avatar instead of black frames.
            page.await(d -> !tileAttribute(page, bobId, "class").contains("has-video"), "avatar of " + bobId);
        }
        bob.screenshot("media-muted-self");
        room.get(0).screenshot("media-muted-bob-at-ada");
        bob.click("toggle-audio");
        bob.click("toggle-video");
        for (RoomPage page : room) {
            if (page == bob) continue;
            page.await(d -> tileAttribute(page, bobId, "class").contains("has-video"), "video of " + bobId + " back");
        }
    }

    private static String tileAttribute(RoomPage page, String id, String attribute) {
        return page.driver()
                .findElement(org.openqa.selenium.By.cssSelector(
                        "#grid .tile[data-participant-id='" + id + "']:not([data-source])"))
                .getDomAttribute(attribute);
    }

    @Test
    @Order(6)
    void leavingRemovesTheTileAndTheStreamsAtTheOthers() throws Exception {
        RoomPage eve = room.remove(room.size() - 1);
        String eveId = ids.get(eve);
        eve.leave();
        eve.awaitState("left");
        eve.close();
        for (RoomPage page : room) {
            page.await(d -> !page.hasTile(eveId), "tile of " + eveId + " to go");
            page.await(
                    d -> page.inbound().stream().noneMatch(i -> eveId.equals(i.participantId())),
                    "no stream mapped to " + eveId);
        }
        // The rest keep talking.
        assertFlowing(flowsFromOthers(room, "video", "camera"));
    }

    @Test
    @Order(7)
    void leaveAndJoinAgainStartsAFreshConnection() throws Exception {
        RoomPage di = room.get(3);
        String oldId = ids.get(di);
        di.leave();
        di.awaitState("left");
        assertTrue(!di.hasPeerConnection(), "pc kept after leave");
        for (RoomPage page : room.subList(0, 3)) page.await(d -> !page.hasTile(oldId), "old tile of Di to go");
        // The camera was released on leave, so this join also publishes tracks that arrive late.
        di.join("media", "Di");
        ids.put(di, di.selfId());
        di.awaitMediaConnected();
        for (RoomPage page : room) {
            page.awaitInbound(othersOf(page, room), "video", "camera", MEDIA_WAIT);
            assertTrue(page.inbound().stream().noneMatch(i -> oldId.equals(i.participantId())), "old Di still mapped");
        }
    }

    @Test
    @Order(8)
    void anotherRoomGetsNoneOfThisRoomsMedia() throws Exception {
        // One page in the other room is enough both ways: it publishes (and nobody here may
        // receive it), and with nobody else in its room anything it receives would be a leak.
        // A second page there would add two more streams for every page on these two cores.
        RoomPage fay = joinMedia("other", "Fay");
        String fayId = ids.get(fay);
        try {
            fay.awaitMediaConnected();
            // About two seconds of Fay's media (audio at 50 packets/s): time for a leak to show.
            fay.await(d -> packetsSent(fay, "video") > 0 && packetsSent(fay, "audio") > 100, "Fay sending for 2 s");
            Set<String> mediaIds = Set.copyOf(idsOf(room));
            for (Inbound in : fay.inbound()) {
                assertTrue(
                        in.participantId() == null || !mediaIds.contains(in.participantId()),
                        "room other receives " + in);
                assertEquals(0, in.packetsReceived(), "room other, alone, receives media: " + in);
            }
            assertEquals(1, fay.tileCount(), "only Fay's own tile in room other");
            for (RoomPage page : room) {
                assertTrue(
                        page.inbound().stream().noneMatch(i -> fayId.equals(i.participantId())),
                        "room media receives from room other: " + page.inbound());
                assertTrue(
                        page.inbound().stream()
                                .allMatch(i -> i.participantId() == null || mediaIds.contains(i.participantId())),
                        "foreign stream: " + page.inbound());
                assertTrue(!page.hasTile(fayId), "tile of room other's Fay at " + ids.get(page));
            }
        } finally {
            fay.screenshot("media-other-0");
            fay.close();
        }
    }

    /** The page's outbound streams, as window.chorus.mediaStats() lists them. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> outbound(RoomPage page) {
        return (List<Map<String, Object>>) page.mediaStats().get("outbound");
    }

    /** RTP packets the page has sent of {@code kind} ("audio", "video"), over all its senders. */
    private static long packetsSent(RoomPage page, String kind) {
        long sent = 0;
        for (Map<String, Object> o : outbound(page)) {
            if (kind.equals(o.get("kind")) && o.get("packetsSent") instanceof Number n) {
                sent += n.longValue();
            }
        }
        return sent;
    }
}
