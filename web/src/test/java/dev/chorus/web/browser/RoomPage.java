package dev.chorus.web.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** One participant's browser, driven through the real page as a person would use it. */
public final class RoomPage implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);
    /**
     * How often a wait asks the page again: Selenium's 500 ms default added a quarter of a second on average to each
     * of the hundreds of waits in the suite; one check of the page's state is a few milliseconds of script.
     */
    static final Duration POLL = Duration.ofMillis(200);
    /**
     * How often a wait on the page's media statistics asks again: each check is a getStats of the whole peer
     * connection, which six starved pages in one browser cannot afford five times a second.
     */
    static final Duration STATS_POLL = Duration.ofMillis(500);

    private final Chromium.Started browser;
    private final String window;
    /** False when the page is one window of a browser the test shares between pages. */
    private final boolean ownBrowser;

    private RoomPage(Chromium.Started browser, String window, boolean ownBrowser) {
        this.browser = browser;
        this.window = window;
        this.ownBrowser = ownBrowser;
    }

    /** A fresh browser on {@code url}, its camera {@link Chromium.Camera#SMALL small}. */
    public static RoomPage open(String url) {
        return open(url, Chromium.Camera.SMALL, List.of());
    }

    public static RoomPage open(String url, Chromium.Camera camera) {
        return open(url, camera, List.of());
    }

    /** As {@link #open(String)} with extra Chromium switches (a later switch overrides an earlier one). */
    public static RoomPage open(String url, List<String> chromiumArgs) {
        return open(url, Chromium.Camera.SMALL, chromiumArgs);
    }

    private static RoomPage open(String url, Chromium.Camera camera, List<String> chromiumArgs) {
        Chromium.Started browser = Chromium.start(chromiumArgs, camera);
        try {
            String window = browser.openWindow();
            browser.on(window).get(url);
            return new RoomPage(browser, window, true);
        } catch (RuntimeException e) {
            browser.quit();
            throw e;
        }
    }

    /**
     * {@code url} in a new window of {@code browser}, which the test owns and quits. Several pages in
     * one browser share its browser, GPU, network and audio processes: what lets six participants
     * fit on two cores.
     */
    public static RoomPage openIn(Chromium.Started browser, String url) {
        String window = browser.openWindow();
        RoomPage page = new RoomPage(browser, window, false);
        try {
            browser.on(window).get(url);
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    /**
     * Lays this page out as a {@code width} x {@code height} CSS-pixel viewport at {@code deviceScaleFactor}
     * (DevTools emulation, per window): pages of one browser can then ask for different video sizes.
     */
    public RoomPage emulateViewport(int width, int height, double deviceScaleFactor) {
        chrome().executeCdpCommand(
                        "Emulation.setDeviceMetricsOverride",
                        java.util.Map.of(
                                "width",
                                width,
                                "height",
                                height,
                                "deviceScaleFactor",
                                deviceScaleFactor,
                                "mobile",
                                false));
        return this;
    }

    /** Fills the join form and clicks Join. */
    public RoomPage join(String room, String name) {
        WebElement roomInput = chrome().findElement(By.id("room-input"));
        roomInput.clear();
        roomInput.sendKeys(room);
        WebElement nameInput = chrome().findElement(By.id("name-input"));
        nameInput.clear();
        nameInput.sendKeys(name);
        chrome().findElement(By.id("join-button")).click();
        return awaitState("joined");
    }

    /** The status line's text (state, room, place in line while a join waits its turn). */
    public String statusText() {
        return (String)
                chrome().executeScript("const s = document.getElementById('status'); return s ? s.textContent : '';");
    }

    public RoomPage awaitState(String state) {
        await(d -> state.equals(state()), "page state " + state + " (is " + state() + ")");
        return this;
    }

    // One script call, not findElement plus getDomAttribute: on a loaded machine every WebDriver call
    // costs 0.2-2 s, and these two are polled.
    public String state() {
        // No body yet while a page opened without waiting for its load is still loading.
        return (String)
                chrome().executeScript("return document.body ? document.body.getAttribute('data-state') : null;");
    }

    /** The text messages the page has sent on its WebSockets, in order (the first ones only: see Chromium). */
    @SuppressWarnings("unchecked")
    public List<String> sentMessages() {
        Object sent = chrome().executeScript("return window.__chorusSent || [];");
        return List.copyOf((List<String>) sent);
    }

    public String selfId() {
        return (String) chrome().executeScript("return document.body.getAttribute('data-self-id');");
    }

    public boolean isDisplayed(String id) {
        return chrome().findElement(By.id(id)).isDisplayed();
    }

    public String value(String id) {
        return chrome().findElement(By.id(id)).getDomProperty("value");
    }

    /** Names in the participant list, in page order, self included. */
    public List<String> participantNames() {
        // One script call reads the whole list: the list re-renders on every presence change, so
        // element handles found first and read later can go stale in between.
        Object names = chrome().executeScript("return Array.from(document.querySelectorAll("
                + "'#participants li[data-participant-id] .participant-name')).map(e => e.textContent.trim());");
        return ((List<?>) names).stream().map(String::valueOf).toList();
    }

    public RoomPage awaitParticipants(List<String> names) {
        await(
                d -> participantNames().stream()
                        .sorted()
                        .toList()
                        .equals(names.stream().sorted().toList()),
                "participants " + names + " (are " + participantNames() + ")");
        return this;
    }

    /** Participant tiles, screen-share tiles not counted. */
    public int tileCount() {
        return chrome().findElements(By.cssSelector("#grid .tile[data-participant-id]:not([data-source])"))
                .size();
    }

    public boolean hasTile(String participantId) {
        return !chrome().findElements(
                        By.cssSelector("#grid .tile[data-participant-id='" + participantId + "']:not([data-source])"))
                .isEmpty();
    }

    /** Whether a participant's screen-share tile is the pinned one (shown across the grid). */
    public boolean isScreenPinned(String participantId) {
        return Boolean.TRUE.equals(chrome().executeScript(
                        "const t = document.querySelector('#grid .tile[data-participant-id=\"' + arguments[0]"
                                + " + '\"][data-source=\"screen\"]'); return !!t && t.dataset.pinned === 'true';",
                        participantId));
    }

    public boolean hasScreenTile(String participantId) {
        return !chrome().findElements(By.cssSelector(
                        "#grid .tile[data-participant-id='" + participantId + "'][data-source='screen']"))
                .isEmpty();
    }

    /** Width of the decoded video in that participant's tile (0 when nothing renders). */
    public long tileVideoWidth(String participantId, boolean screen) {
        Object w = chrome().executeScript(
                        "const sel = '#grid .tile[data-participant-id=\"' + arguments[0] + '\"]' + (arguments[1] ? '[data-source=\"screen\"]' : ':not([data-source])');"
                                + "const v = document.querySelector(sel + ' video'); return v ? v.videoWidth : 0;",
                        participantId,
                        screen);
        return ((Number) w).longValue();
    }

    // ---- media plane ------------------------------------------------------------------

    /** One inbound RTP stream as window.chorus.mediaStats() reports it. */
    public record Inbound(
            String kind,
            String mid,
            String participantId,
            String source,
            long packetsReceived,
            long framesDecoded,
            long bytesReceived,
            long frameWidth,
            long frameHeight,
            Map<String, Object> all) {}

    /** window.chorus.mediaStats(): the page's RTCPeerConnection stats, summarised. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> mediaStats() {
        Object r = chrome().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "window.chorus.mediaStats().then(done, (e) => done({error: String(e)}));");
        return r == null ? Map.of() : (Map<String, Object>) r;
    }

    public List<Inbound> inbound() {
        return inboundOf(mediaStats());
    }

    /** The inbound streams of a window.chorus.mediaStats() result (any browser's). */
    @SuppressWarnings("unchecked")
    static List<Inbound> inboundOf(Map<String, Object> mediaStats) {
        Object list = mediaStats.get("inbound");
        if (list == null) return List.of();
        return ((List<Map<String, Object>>) list)
                .stream()
                        .map(m -> new Inbound(
                                (String) m.get("kind"),
                                Objects.toString(m.get("mid"), null),
                                (String) m.get("participantId"),
                                (String) m.get("source"),
                                num(m.get("packetsReceived")),
                                num(m.get("framesDecoded")),
                                num(m.get("bytesReceived")),
                                num(m.get("frameWidth")),
                                num(m.get("frameHeight")),
                                m))
                        .toList();
    }

    /** The inbound stream of that participant, kind and source, or null. */
    public Inbound inbound(String participantId, String kind, String source) {
        return inbound().stream()
                .filter(i ->
                        participantId.equals(i.participantId()) && kind.equals(i.kind()) && source.equals(i.source()))
                .findFirst()
                .orElse(null);
    }

    /**
     * The RTCP-derived entries of the page's getStats(): {@code remote-inbound-rtp} (built from the SFU's
     * receiver reports about what this page sends) and {@code remote-outbound-rtp} (from the SFU's sender
     * reports about what it forwards to this page), each as {type, kind, ssrc, roundTripTime,
     * roundTripTimeMeasurements, packetsLost, fractionLost, packetsSent, remoteTimestamp, reportsSent}.
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> rtcpReports() {
        Object r = chrome().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const pc = window.chorus.pc; if (!pc) return done([]);"
                + "pc.getStats().then((report) => { const out = [];"
                + "  report.forEach((s) => { if (s.type !== 'remote-inbound-rtp' && s.type !== 'remote-outbound-rtp') return;"
                + "    out.push({type: s.type, kind: s.kind ?? null, ssrc: s.ssrc ?? null,"
                + "      roundTripTime: s.roundTripTime ?? null, roundTripTimeMeasurements: s.roundTripTimeMeasurements ?? null,"
                + "      packetsLost: s.packetsLost ?? null, fractionLost: s.fractionLost ?? null,"
                + "      packetsSent: s.packetsSent ?? null, remoteTimestamp: s.remoteTimestamp ?? null,"
                + "      reportsSent: s.reportsSent ?? null}); });"
                + "  done(out); }, () => done([]));");
        return r instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /**
     * The ICE username fragment the SFU put in its answer to this page (a=ice-ufrag of the remote
     * description): the SFU side of this page's ICE session, which the UDP impairment proxy matches on.
     */
    public String serverIceUfrag() {
        Object sdp = chrome().executeScript(
                        "const pc = window.chorus.pc; return pc && pc.remoteDescription ? pc.remoteDescription.sdp : null");
        if (sdp == null) throw new IllegalStateException("the page has no remote description yet");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?m)^a=ice-ufrag:(\\S+)").matcher((String) sdp);
        if (!m.find()) throw new IllegalStateException("no a=ice-ufrag in the SFU's answer: " + sdp);
        return m.group(1);
    }

    /** Whether the page holds an RTCPeerConnection (window.chorus.pc) right now. */
    public boolean hasPeerConnection() {
        return Boolean.TRUE.equals(chrome().executeScript("return window.chorus.pc !== null"));
    }

    public String connectionState() {
        return (String) mediaStats().get("connectionState");
    }

    public RoomPage awaitMediaConnected() {
        await(
                d -> "connected".equals(connectionState()),
                "media connected (is " + connectionState() + ", #media-status " + mediaStatus() + ")");
        return this;
    }

    /** #media-status as "state/reason: text". */
    public String mediaStatus() {
        return (String)
                chrome().executeScript(
                                "const el = document.getElementById('media-status');"
                                        + "return el.getAttribute('data-state') + '/' + el.getAttribute('data-reason') + ': ' + el.textContent;");
    }

    /**
     * Waits until every listed participant's stream of that kind and source is flowing:
     * frames decoded (video) or packets received (audio) above zero.
     */
    public RoomPage awaitInbound(List<String> participantIds, String kind, String source, Duration timeout) {
        new WebDriverWait(chrome(), timeout, STATS_POLL)
                .withMessage(() -> "waiting for " + kind + "/" + source + " from " + participantIds + " (inbound "
                        + inbound() + ", media " + mediaStatus() + ")")
                .until(d -> {
                    List<Inbound> in = inbound();
                    return participantIds.stream()
                            .allMatch(id -> in.stream()
                                    .anyMatch(i -> id.equals(i.participantId())
                                            && kind.equals(i.kind())
                                            && source.equals(i.source())
                                            && ("video".equals(kind) ? i.framesDecoded() : i.packetsReceived()) > 0));
                });
        return this;
    }

    /**
     * Milliseconds from this page's "joined" until every listed participant's camera has a
     * decoded frame, measured inside the page (polls getStats every 25 ms).
     */
    public long millisFromJoinToVideoFrom(List<String> participantIds, Duration timeout) {
        Object r = chrome().executeAsyncScript(
                        "const [ids, limit, done] = arguments;"
                                + "const t0 = performance.now();"
                                + "const tick = async () => {"
                                + "  const s = window.chorus?.joinedAt != null ? await window.chorus.mediaStats() : null;"
                                + "  const ok = s && ids.every((id) => s.inbound.some((i) => i.participantId === id"
                                + "      && i.kind === 'video' && i.source === 'camera' && i.framesDecoded > 0));"
                                + "  if (ok) {"
                                + "    const at = (t) => (t == null ? null : Math.round(t - window.chorus.joinedAt));"
                                + "    document.body.dataset.firstFrameTimeline = JSON.stringify({offer: at(s.timeline.firstOffer),"
                                + "        answer: at(s.timeline.firstAnswer), connected: at(s.timeline.connected)});"
                                + "    return done(Math.round(performance.now() - window.chorus.joinedAt));"
                                + "  }"
                                + "  if (performance.now() - t0 > limit) return done(-1);"
                                + "  setTimeout(tick, 25);"
                                + "};"
                                + "tick();",
                        participantIds,
                        timeout.toMillis());
        return ((Number) r).longValue();
    }

    /** The page's clock (performance.now(), ms), to relate test events to {@link #frameLog()}. */
    public double now() {
        return ((Number) script("return performance.now();")).doubleValue();
    }

    /** Starts recording the frames shown for that participant's camera ({@link FrameLog}); fails if it cannot. */
    public void startFrameLog(String participantId) {
        if (!Boolean.TRUE.equals(script(FrameLog.INSTALL, participantId))) {
            throw new IllegalStateException("no video element with requestVideoFrameCallback for " + participantId);
        }
    }

    /** The frames recorded since {@link #startFrameLog}: [page time ms, width], oldest first. */
    public List<double[]> frameLog() {
        List<double[]> out = new ArrayList<>();
        Object frames = script("return window.chorusFrameLog ? window.chorusFrameLog.frames : [];");
        for (Object f : (List<?>) frames) {
            List<?> pair = (List<?>) f;
            out.add(new double[] {((Number) pair.get(0)).doubleValue(), ((Number) pair.get(1)).doubleValue()});
        }
        return out;
    }

    /** Runs JavaScript in the page (test hooks on window.chorus) and returns its result. */
    public Object script(String js, Object... args) {
        return chrome().executeScript(js, args);
    }

    /** Runs asynchronous JavaScript: the last argument is the callback that ends it with a result. */
    public Object asyncScript(String js, Object... args) {
        return chrome().executeAsyncScript(js, args);
    }

    public void click(String id) {
        chrome().findElement(By.id(id)).click();
    }

    /** Presses the pin button of a participant's camera tile (pressed again, it unpins). */
    public void togglePin(String participantId) {
        chrome().findElement(By.cssSelector(
                        "#grid .tile[data-participant-id='" + participantId + "']:not([data-source]) .tile-pin"))
                .click();
    }

    /** Width in CSS pixels of a participant's camera tile as laid out, 0 without one. */
    public long tileWidth(String participantId) {
        Object w = chrome().executeScript(
                        "const t = document.querySelector('#grid .tile[data-participant-id=\"' + arguments[0]"
                                + " + '\"]:not([data-source])'); return t ? Math.round(t.getBoundingClientRect().width) : 0;",
                        participantId);
        return ((Number) w).longValue();
    }

    public RoomPage sendChat(String text) {
        WebElement input = chrome().findElement(By.id("chat-input"));
        input.sendKeys(text);
        chrome().findElement(By.id("chat-send")).click();
        return this;
    }

    public List<String> chatTexts() {
        // One script call for all messages: the log may re-render between finding and reading them.
        List<?> texts = (List<?>) chrome().executeScript(
                        "return Array.from(document.querySelectorAll('#chat-log .chat-message .chat-text'),"
                                + " (e) => e.innerText.trim());");
        return texts.stream().map(String::valueOf).toList();
    }

    public RoomPage awaitChat(List<String> texts) {
        await(d -> chatTexts().equals(texts), "chat " + texts + " (is " + chatTexts() + ")");
        return this;
    }

    public void leave() {
        chrome().findElement(By.id("leave-button")).click();
    }

    /**
     * Saves what the page shows to target/screenshots/NAME.png, so a failure can be seen,
     * not only read: only once the test has failed ({@link TestOutcome}), or always with
     * {@code -Dchorus.test.screenshots=true}. Best effort: a crashed browser must not hide the
     * test's own failure.
     */
    public void screenshot(String name) {
        if (!TestOutcome.wanted()) return;
        try {
            byte[] png = chrome().getScreenshotAs(OutputType.BYTES);
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), png);
            // The page's console since the last screenshot (negotiation warnings land there).
            List<String> console =
                    chrome().manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                            .map(e -> e.getLevel() + " " + e.getMessage())
                            .toList();
            Files.write(dir.resolve(name + ".console.txt"), console);
        } catch (Exception e) {
            System.err.println("screenshot " + name + " failed: " + e);
        }
    }

    /** The browser's driver, talking to this page's window. */
    public WebDriver driver() {
        return chrome();
    }

    private ChromeDriver chrome() {
        return browser.on(window);
    }

    /** A JSON object from a script result (empty when absent). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    /** A wait on {@code driver} for up to {@code timeout}, checking every {@link #POLL}. */
    static WebDriverWait waiting(WebDriver driver, Duration timeout) {
        return new WebDriverWait(driver, timeout, POLL);
    }

    void await(Function<WebDriver, Boolean> condition, String what) {
        waiting(chrome(), WAIT)
                .withMessage(() -> "waiting for " + what)
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /**
     * Closes the page without leaving (its browser, or its window in a shared browser): the server
     * must notice by itself. Never throws.
     */
    @Override
    public void close() {
        if (ownBrowser) {
            browser.quit();
        } else {
            browser.closeWindow(window);
        }
    }
}
