package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The web client's features for large rooms, in real Chromium pages (each test's pages are windows
 * of one browser, as in {@link RoomBrowserIT}): only the tiles on screen are subscribed (the SFU
 * pauses the others' video and resumes it when paged in), the speaker layout stages whoever the
 * server says speaks, a camera or microphone switch changes the sent track without an offer, and
 * the connection-quality indicator reads good on a clean link and poor through a lossy one.
 * Figures go to target/layout.json.
 *
 * <p>Congestion control is off for the shared server: several renderers on two cores starve one
 * another and a starved page's feedback reads as congestion (see {@link SixPartyCallIT}); a video
 * paused for bandwidth would look like one paused for being off the page. The quality test has a
 * server of its own behind the UDP impairment proxy ({@link ProxiedServer}), with the defaults.
 */
class LayoutBrowserIT {

    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);
    private static final Map<String, Object> FIGURES = new LinkedHashMap<>();

    private static TestServer server;
    private final List<RoomPage> pages = new ArrayList<>();
    private Chromium.Started browser;
    private List<String> browserArgs = List.of();
    private final long started = System.nanoTime();

    /** Where the test is, with the seconds since it started, in its output (to see where time goes). */
    private void phase(String what) {
        System.out.printf("[%5.1f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    @BeforeAll
    static void start() throws Exception {
        // A generous keepalive: on a busy machine a starved page missed the 3 s one and was dropped.
        server = TestServer.start(
                Map.of("chorus.media.congestion-control", "false", "chorus.signaling.keepalive-timeout", "20000ms"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        Files.createDirectories(Path.of("target"));
        Files.writeString(
                Path.of("target", "layout.json"), new io.vertx.core.json.JsonObject(FIGURES).encodePrettily());
    }

    @AfterEach
    void closePages(TestInfo test) {
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot(test.getTestMethod().orElseThrow().getName() + "-" + i);
        }
        pages.clear();
        if (browser != null) { // closes every page's window at once
            browser.quit();
            browser = null;
        }
    }

    private RoomPage join(String room, String name) {
        return joinAt(server.url("/r/" + room + "?name=" + name));
    }

    private RoomPage joinAt(String url) {
        if (browser == null) {
            browser = Chromium.start(browserArgs, Chromium.Camera.SMALL);
        }
        RoomPage page = RoomPage.openIn(browser, url);
        pages.add(page);
        return page.awaitState("joined");
    }

    @Test
    void offPageVideosArePausedAtTheServerAndResumeWhenPagedIn() {
        RoomPage viewer = join("paging", "Viewer");
        viewport(viewer, "320x400");
        viewer.await(
                d -> pageSize(viewer) == 2,
                "a 320x400 viewport to hold the smallest page (is " + pageSize(viewer) + ")");
        // One more participant than the page holds: the viewer's own tile and one other fit.
        List<String> others = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            others.add(join("paging", "P" + i).selfId());
        }
        viewer.await(d -> tiles(viewer) == 3, "three tiles (are " + tiles(viewer) + ")");
        phase("three joined");

        Set<String> firstPage = shownRemote(viewer);
        assertEquals(1, firstPage.size(), "remote tiles on page 1: " + firstPage);
        Set<String> offPage = new HashSet<>(others);
        offPage.removeAll(firstPage);
        assertEquals(1, offPage.size());
        String last = offPage.iterator().next();
        // Off the page: the SFU pauses it (video-paused) and no frames arrive; on it: decoding.
        viewer.awaitInbound(List.copyOf(firstPage), "video", "camera", MEDIA_WAIT);
        awaitTrue(viewer, () -> pausedAtServer(viewer).equals(Set.of(last)), () -> "paused " + pausedAtServer(viewer));
        assertFrozen(viewer, Set.of(last));
        assertDecoding(viewer, firstPage);
        phase("page 1 checked");

        // Next page, from the keyboard: the last participant comes in, the first page's go out.
        Map<String, Object> resume = measureResume(
                viewer,
                last,
                () -> viewer.driver().findElement(By.id("page-next")).sendKeys(Keys.ENTER));
        System.out.println("paged in: " + resume);
        assertEquals(Set.of(last), shownRemote(viewer));
        awaitTrue(viewer, () -> pausedAtServer(viewer).equals(firstPage), () -> "paused " + pausedAtServer(viewer));
        assertFrozen(viewer, firstPage);
        assertDecoding(viewer, Set.of(last));
        phase("page 2 checked");

        // And back.
        viewer.click("page-prev");
        awaitTrue(viewer, () -> pausedAtServer(viewer).equals(Set.of(last)), () -> "paused " + pausedAtServer(viewer));
        assertDecoding(viewer, firstPage);
        // How many a page holds elsewhere (viewports in CSS px); the last one is the screenshot's.
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("320x400", pageSize(viewer));
        for (String viewport : List.of("1280x657", "1280x800", "1920x1080", "390x844")) {
            viewport(viewer, viewport);
            sizes.put(viewport, pageSize(viewer));
        }
        phase("page sizes " + sizes);
        FIGURES.put("pageSizes", sizes);
        FIGURES.put("participants", 3);
        FIGURES.put("pagedIn", resume);
    }

    @Test
    void speakerLayoutStagesWhoeverTheServerSaysSpeaks() {
        RoomPage viewer = join("stage", "Viewer");
        RoomPage ann = join("stage", "Ann");
        RoomPage ben = join("stage", "Ben");
        viewer.await(d -> tiles(viewer) == 3, "three tiles (are " + tiles(viewer) + ")");
        String annId = ann.selfId();
        String benId = ben.selfId();
        // Nobody speaks but whom the test gives a tone: every fake microphone is muted.
        for (RoomPage p : List.of(viewer, ann, ben)) {
            p.click("toggle-audio");
        }
        viewer.click("layout-speaker");
        viewer.awaitInbound(List.of(annId, benId), "video", "camera", MEDIA_WAIT);

        // Ben's tile starts in the strip (Ann, the first remote tile, is staged while nobody spoke).
        assertEquals(annId, staged(viewer));
        long start = System.nanoTime();
        tone(ben, true);
        awaitTrue(viewer, () -> benId.equals(staged(viewer)), () -> "Ben on the stage (is " + staged(viewer) + ")");
        long benStagedMs = (System.nanoTime() - start) / 1_000_000;
        long stageWidth = viewer.tileWidth(benId);
        long stripWidth = viewer.tileWidth(annId);
        assertTrue(stageWidth >= 2 * stripWidth, "stage " + stageWidth + " px, strip " + stripWidth + " px");
        // Both are on screen, so both are subscribed.
        assertDecoding(viewer, Set.of(annId, benId));

        tone(ben, false);
        start = System.nanoTime();
        tone(ann, true);
        awaitTrue(viewer, () -> annId.equals(staged(viewer)), () -> "Ann on the stage (is " + staged(viewer) + ")");
        long annStagedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(viewer.tileWidth(annId) >= 2 * viewer.tileWidth(benId));
        assertDecoding(viewer, Set.of(annId, benId));
        FIGURES.put("speakerStagedMs", List.of(benStagedMs, annStagedMs));
        // For the screenshot: the speaker layout on a phone.
        viewport(viewer, "390x844");
        assertEquals(annId, staged(viewer));
    }

    @Test
    @SuppressWarnings("unchecked")
    void cameraAndMicrophoneSwitchOnTheSenderAndMediaKeepsFlowing() {
        // Three fake cameras: Chromium's second one is a depth camera (16-bit grey) that encodes nothing.
        browserArgs = List.of("--use-fake-device-for-media-stream=device-count=3");
        RoomPage ann = join("devices", "Ann");
        RoomPage bob = join("devices", "Bob");
        String annId = ann.selfId();
        bob.awaitInbound(List.of(annId), "video", "camera", MEDIA_WAIT);
        bob.awaitInbound(List.of(annId), "audio", "mic", MEDIA_WAIT);
        // Offers Ann sends from now on: a switch must need none.
        ann.script(
                "const sig = window.chorus.signaling; const request = sig.request.bind(sig); window.__offers = 0;"
                        + "sig.request = (msg, ...rest) => { if (msg.type === 'offer') window.__offers++; return request(msg, ...rest); };");

        ann.driver().findElement(By.cssSelector("#devices summary")).click();
        Map<String, Object> switched = new LinkedHashMap<>();
        for (String kind : List.of("video", "audio")) {
            String select = "video".equals(kind) ? "camera-select" : "mic-select";
            List<String> choices = (List<String>) ann.script(
                    "return [...document.getElementById(arguments[0]).options].map((o) => o.value).filter(Boolean)",
                    select);
            phase(kind + " devices: " + choices);
            assertTrue(choices.size() >= 2, "several fake " + kind + " devices: " + choices);
            Map<String, Object> before = sent(ann, kind);
            String other = choices.get(choices.size() - 1);
            assertTrue(!other.equals(before.get("deviceId")), "the page starts on the first device: " + before);
            new org.openqa.selenium.support.ui.Select(ann.driver().findElement(By.id(select))).selectByValue(other);
            ann.await(
                    d -> other.equals(sent(ann, kind).get("deviceId")),
                    kind + " sender on " + other + " (is " + sent(ann, kind) + ")");
            Map<String, Object> after = sent(ann, kind);
            assertTrue(!after.get("label").equals(before.get("label")), "label " + before + " -> " + after);
            switched.put(kind, List.of(before.get("label"), after.get("label")));
        }
        // The same senders carry the new tracks: no offer went out, and Bob keeps getting both.
        assertEquals(0L, ((Number) ann.script("return window.__offers")).longValue());
        assertDecoding(bob, Set.of(annId));
        long packets = bob.inbound(annId, "audio", "mic").packetsReceived();
        bob.await(
                d -> bob.inbound(annId, "audio", "mic").packetsReceived() > packets + 25,
                "audio from Ann after the switch");

        // Remembered for the tab's session: joining again uses the chosen devices.
        String camera = (String) sent(ann, "video").get("deviceId");
        String mic = (String) sent(ann, "audio").get("deviceId");
        ann.leave();
        ann.awaitState("left");
        ann.join("devices", "Ann");
        ann.await(
                d -> camera.equals(sent(ann, "video").get("deviceId"))
                        && mic.equals(sent(ann, "audio").get("deviceId")),
                "the chosen devices after a rejoin (are " + sent(ann, "video") + ", " + sent(ann, "audio") + ")");
        FIGURES.put("switchedDevices", switched);
    }

    @Test
    void connectionQualityReadsGoodOnACleanLinkAndPoorThroughALossyOne() throws Exception {
        try (ProxiedServer proxied = ProxiedServer.start(13)) {
            RoomPage ann = joinAt(proxied.url("/r/quality?name=Ann"));
            RoomPage bob = joinAt(proxied.url("/r/quality?name=Bob"));
            String annId = ann.selfId();
            bob.awaitInbound(List.of(annId), "video", "camera", MEDIA_WAIT);
            // Judged every 2 s from getStats; a busy machine may read fair now and then, so: at some point.
            awaitTrue(
                    bob,
                    () -> "good".equals(quality(bob, annId)),
                    () -> "Ann's tile good at Bob: " + qualityText(bob, annId));
            awaitTrue(
                    bob, () -> "good".equals(quality(bob, null)), () -> "Bob's uplink good: " + qualityText(bob, null));
            String clean = qualityText(bob, annId);
            phase("clean: " + clean + " / " + qualityText(bob, null));

            // 20 % of Bob's packets lost, both ways: what he gets from Ann and what he sends.
            dev.chorus.testkit.netsim.Impairment lossy = dev.chorus.testkit.netsim.Impairment.parse("loss=20%");
            proxied.proxy().setForIceUfrag(bob.serverIceUfrag(), lossy, lossy);
            awaitTrue(
                    bob,
                    () -> "poor".equals(quality(bob, annId)),
                    () -> "Ann's tile poor at Bob: " + qualityText(bob, annId));
            awaitTrue(
                    bob, () -> "poor".equals(quality(bob, null)), () -> "Bob's uplink poor: " + qualityText(bob, null));
            String lossyText = qualityText(bob, annId);
            phase("lossy: " + lossyText + " / " + qualityText(bob, null));
            // Ann's own link is clean.
            awaitTrue(
                    ann, () -> "good".equals(quality(ann, null)), () -> "Ann's uplink good: " + qualityText(ann, null));
            FIGURES.put("quality", Map.of("clean", clean, "loss20", lossyText));
        }
    }

    /** The quality a tile reads (null id: the page's own tile, its uplink), or null. */
    private static String quality(RoomPage page, String participantId) {
        return (String) page.script(
                "const t = arguments[0] ? document.querySelector('#grid > .tile[data-participant-id=\"' + arguments[0]"
                        + " + '\"]:not([data-source])') : document.querySelector('#grid > .tile[data-self=\"true\"]');"
                        + "return t ? t.dataset.quality ?? null : null;",
                participantId);
    }

    /** What the quality indicator says to a screen reader. */
    private static String qualityText(RoomPage page, String participantId) {
        return (String) page.script(
                "const t = arguments[0] ? document.querySelector('#grid > .tile[data-participant-id=\"' + arguments[0]"
                        + " + '\"]:not([data-source])') : document.querySelector('#grid > .tile[data-self=\"true\"]');"
                        + "const q = t && t.querySelector('.quality'); return q ? q.getAttribute('aria-label') : null;",
                participantId);
    }

    /** The track the page's sender of that kind carries: {label, deviceId}, empty without one. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> sent(RoomPage page, String kind) {
        Object r = page.script(
                "const pc = window.chorus.pc; if (!pc) return {};"
                        + "const s = pc.getSenders().find((x) => x.track && x.track.kind === arguments[0]);"
                        + "return s ? {label: s.track.label, deviceId: s.track.getSettings().deviceId} : {};",
                kind);
        return RoomPage.map(r);
    }

    /**
     * Makes the page's viewport {@code WxH} CSS px (a phone's, below 600 px wide, with a phone's
     * pixel ratio) and waits for the layout to follow.
     */
    private static void viewport(RoomPage page, String size) {
        String[] wh = size.split("x");
        int width = Integer.parseInt(wh[0]);
        boolean phone = width < 600;
        ((org.openqa.selenium.chrome.ChromeDriver) page.driver())
                .executeCdpCommand(
                        "Emulation.setDeviceMetricsOverride",
                        Map.of(
                                "width",
                                width,
                                "height",
                                Integer.parseInt(wh[1]),
                                "deviceScaleFactor",
                                phone ? 3 : 1,
                                "mobile",
                                phone));
        page.await(d -> Long.valueOf(width).equals(page.script("return window.innerWidth")), "viewport " + size);
        sleep(300); // a resize observer's turn
    }

    /** The participant on the speaker layout's stage, or null. */
    private static String staged(RoomPage page) {
        return (String)
                page.script(
                        "const t = document.querySelector('#grid > .tile[data-stage=\"true\"]'); return t ? t.dataset.participantId : null;");
    }

    /**
     * Makes the page "speak" (a loud 300 Hz tone instead of its microphone, on the same sender) or
     * fall silent. The fake microphone's beep is not speech enough for the server.
     */
    private static void tone(RoomPage page, boolean on) {
        page.script(
                "const on = arguments[0];"
                        + "if (!window.__tone) { const ctx = new AudioContext(); const osc = ctx.createOscillator();"
                        + "  osc.frequency.value = 300; const dest = ctx.createMediaStreamDestination();"
                        + "  osc.connect(dest); osc.start(); window.__tone = dest.stream.getAudioTracks()[0]; }"
                        + "window.__tone.enabled = on;"
                        + "const sender = window.chorus.pc.getSenders().find((s) => s.track && s.track.kind === 'audio');"
                        + "if (on && sender.track !== window.__tone) sender.replaceTrack(window.__tone);",
                on);
    }

    /**
     * Runs {@code action} (which presses Next page, bringing {@code id}'s tile into view) and measures,
     * inside the page, the milliseconds from the press (its click event) until the view report goes
     * out, until the server no longer pauses that video and until its first new frame is decoded:
     * {viewSentMs, unpausedMs, firstFrameMs}.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> measureResume(RoomPage page, String id, Runnable action) {
        page.script(
                "const id = arguments[0]; const m = window.__resume = {t0: performance.now()};"
                        + "const tile = document.querySelector('#grid > .tile[data-participant-id=\"' + id + '\"]:not([data-source])');"
                        + "document.getElementById('page-next').addEventListener('click',"
                        + "  () => { m.t0 = performance.now(); }, {once: true, capture: true});"
                        + "const sig = window.chorus.signaling; const send = sig.send.bind(sig);"
                        + "sig.send = (msg) => { if (msg.type === 'view') m.view ??= performance.now(); return send(msg); };"
                        + "new MutationObserver(() => { if (tile.dataset.videoPaused !== 'true') m.unpaused ??= performance.now();"
                        + "  if (tile.dataset.shown === 'true') m.shown ??= performance.now(); })"
                        + "  .observe(tile, {attributes: true, attributeFilter: ['data-video-paused', 'data-shown']});"
                        + "const frames = async () => { const s = await window.chorus.mediaStats();"
                        + "  const i = s && s.inbound.find((x) => x.participantId === id && x.kind === 'video' && x.source === 'camera');"
                        + "  return i ? i.framesDecoded : 0; };"
                        + "frames().then((f0) => { const tick = async () => {"
                        + "  if (await frames() > f0) { m.frame = performance.now(); return; }"
                        + "  if (performance.now() - m.t0 < 30000) setTimeout(tick, 50); }; tick(); });",
                id);
        action.run();
        awaitTrue(page, () -> page.script("return window.__resume.frame ?? null") != null, () -> "frames from " + id);
        Map<String, Object> m = (Map<String, Object>) page.script("const m = window.__resume;"
                + "return {shownMs: m.shown == null ? null : Math.round(m.shown - m.t0),"
                + " viewSentMs: m.view == null ? null : Math.round(m.view - m.t0),"
                + " unpausedMs: m.unpaused == null ? null : Math.round(m.unpaused - m.t0),"
                + " firstFrameMs: Math.round(m.frame - m.t0)};");
        return m;
    }

    // ---- page state ------------------------------------------------------------------------

    /** Camera tiles in the grid, the page's own included, on any page. */
    private static int tiles(RoomPage page) {
        Object n = page.script("return document.querySelectorAll('#grid > .tile:not([data-source])').length");
        return ((Number) n).intValue();
    }

    private static int pageSize(RoomPage page) {
        Object n = page.script("return Number(document.getElementById('grid').dataset.pageSize || 0)");
        return ((Number) n).intValue();
    }

    /** Remote camera tiles the layout shows now. */
    @SuppressWarnings("unchecked")
    private static Set<String> shownRemote(RoomPage page) {
        return new HashSet<>((List<String>) page.script("return [...document.querySelectorAll('#grid > .tile')]"
                + ".filter((t) => !t.dataset.source && !t.dataset.self && t.dataset.shown !== 'false')"
                + ".map((t) => t.dataset.participantId)"));
    }

    /** Participants whose camera the server says it pauses for this page (its video-paused). */
    @SuppressWarnings("unchecked")
    private static Set<String> pausedAtServer(RoomPage page) {
        return new HashSet<>((List<String>) page.script("return [...document.querySelectorAll('#grid > .tile')]"
                + ".filter((t) => !t.dataset.source && t.dataset.videoPaused === 'true')"
                + ".map((t) => t.dataset.participantId)"));
    }

    private static Map<String, Long> frames(RoomPage page, Set<String> ids) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<RoomPage.Inbound> in = page.inbound();
        for (String id : ids) {
            out.put(
                    id,
                    in.stream()
                            .filter(i -> id.equals(i.participantId())
                                    && "video".equals(i.kind())
                                    && "camera".equals(i.source()))
                            .mapToLong(RoomPage.Inbound::framesDecoded)
                            .max()
                            .orElse(0));
        }
        return out;
    }

    /** Frames keep coming from each of them (within the media wait). */
    private static void assertDecoding(RoomPage page, Set<String> ids) {
        Map<String, Long> before = frames(page, ids);
        awaitTrue(
                page,
                () -> {
                    Map<String, Long> now = frames(page, ids);
                    return ids.stream().allMatch(id -> now.get(id) > before.get(id) + 5);
                },
                () -> "video from " + ids + " to keep decoding (was " + before + ", is " + frames(page, ids) + ")");
    }

    /**
     * No frame from any of them for a second and a half, once what was in flight and in the
     * decoder's jitter buffer when the server paused them has played out.
     */
    private static void assertFrozen(RoomPage page, Set<String> ids) {
        sleep(500);
        Map<String, Long> before = frames(page, ids);
        sleep(1500);
        Map<String, Long> after = frames(page, ids);
        for (String id : ids) {
            long n = after.get(id) - before.get(id);
            assertTrue(n <= 1, id + " decoded " + n + " frames while off the page");
        }
    }

    private static void awaitTrue(RoomPage page, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + MEDIA_WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            sleep(100);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
