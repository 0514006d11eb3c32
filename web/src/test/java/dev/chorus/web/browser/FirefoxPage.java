package dev.chorus.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One participant's page in a {@link Firefox}: the web client driven through its page and its test
 * hooks (window.chorus), as {@link RoomPage} does in Chromium. The test owns the browser and closes it.
 */
public final class FirefoxPage {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@link FrameLog#install} as a BiDi function, whose arguments are {@code args}. */
    private static final String FRAME_LOG = FrameLog.install("args[0]");

    private final Firefox browser;
    private final String context;

    private FirefoxPage(Firefox browser, String context) {
        this.browser = browser;
        this.context = context;
    }

    /**
     * Asks every getUserMedia of the page for the camera at 640x360, 30 fps, whatever the page's own
     * constraints (1280x720): two simulcast layers instead of three, which keeps a Firefox that
     * publishes from starving the other browsers on two cores. Runs before the page's scripts.
     */
    static final String CAMERA_360P = "() => {"
            + "  const md = navigator.mediaDevices; if (!md || !md.getUserMedia) return;"
            + "  const original = md.getUserMedia.bind(md);"
            + "  md.getUserMedia = (c) => original(c && c.video ? Object.assign({}, c, {video: Object.assign({},"
            + "    typeof c.video === 'object' ? c.video : {},"
            + "    {width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 30}})}) : c);"
            + "}";

    /**
     * {@code url} in a new page of {@code browser}, its viewport as given (CSS px) at that pixel ratio;
     * {@code preload}, if not null, runs before the page's own scripts (e.g. {@link #CAMERA_360P}).
     */
    public static FirefoxPage open(
            Firefox browser, String url, int width, int height, double devicePixelRatio, String preload) {
        String context = browser.openContext();
        browser.setViewport(context, width, height, devicePixelRatio);
        if (preload != null) browser.addPreloadScript(context, preload);
        browser.navigate(context, url);
        return new FirefoxPage(browser, context);
    }

    /** Runs {@code body} as an async function in the page (see {@link Firefox#call}). */
    public JsonNode script(String body, Object... args) {
        return browser.call(context, body, args);
    }

    public FirefoxPage awaitState(String state, Duration timeout) {
        await(() -> state.equals(state()), timeout, () -> "page state " + state + " (is " + state() + ")");
        return this;
    }

    public String state() {
        return script("return document.body.dataset.state ?? null;").asText(null);
    }

    public String selfId() {
        return script("return document.body.dataset.selfId ?? null;").asText(null);
    }

    /** window.chorus.mediaStats(), as RoomPage#mediaStats reads it. */
    public Map<String, Object> mediaStats() {
        JsonNode stats = script("return window.chorus?.mediaStats ? await window.chorus.mediaStats() : {};");
        return RoomPage.map(JSON.convertValue(stats, Map.class));
    }

    public List<Inbound> inbound() {
        return RoomPage.inboundOf(mediaStats());
    }

    /** The inbound stream of that participant, kind and source, or null. */
    public Inbound inbound(String participantId, String kind, String source) {
        return inbound().stream()
                .filter(i ->
                        participantId.equals(i.participantId()) && kind.equals(i.kind()) && source.equals(i.source()))
                .findFirst()
                .orElse(null);
    }

    /** Waits until that participant's camera has decoded frames here. */
    public FirefoxPage awaitVideoFrom(String participantId, Duration timeout) {
        await(
                () -> {
                    Inbound v = inbound(participantId, "video", "camera");
                    return v != null && v.framesDecoded() > 0;
                },
                timeout,
                () -> "video from " + participantId + " (inbound " + inbound() + ")");
        return this;
    }

    /** The SFU's ICE username fragment from its answer: what the impairment proxy matches on. */
    public String serverIceUfrag() {
        String sdp = script("const pc = window.chorus?.pc; return pc?.remoteDescription?.sdp ?? null;")
                .asText(null);
        if (sdp == null) throw new IllegalStateException("the page has no remote description yet");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?m)^a=ice-ufrag:(\\S+)").matcher(sdp);
        if (!m.find()) throw new IllegalStateException("no a=ice-ufrag in the SFU's answer: " + sdp);
        return m.group(1);
    }

    /** The page's clock (performance.now(), ms), to relate test events to {@link #frameLog()}. */
    public double now() {
        return script("return performance.now();").asDouble();
    }

    /** Starts recording the frames shown for that participant's camera; fails if it cannot. */
    public void startFrameLog(String participantId) {
        if (!script(FRAME_LOG, participantId).asBoolean()) {
            throw new IllegalStateException("no video element with requestVideoFrameCallback for " + participantId);
        }
    }

    /** The frames recorded since {@link #startFrameLog}: [page time ms, width], oldest first. */
    public List<double[]> frameLog() {
        List<double[]> out = new ArrayList<>();
        for (JsonNode f : script("return window.chorusFrameLog?.frames ?? [];")) {
            out.add(new double[] {f.path(0).asDouble(), f.path(1).asDouble()});
        }
        return out;
    }

    /**
     * Saves what the page shows to target/screenshots/NAME.png and its console next to it, when
     * {@link TestOutcome#wanted()}. Best effort: never throws.
     */
    public void screenshot(String name) {
        if (!TestOutcome.wanted()) return;
        try {
            Path dir = Files.createDirectories(Path.of("target", "screenshots"));
            Files.write(dir.resolve(name + ".console.txt"), browser.consoleOf(context));
            Files.write(dir.resolve(name + ".png"), browser.screenshot(context));
        } catch (Exception e) {
            System.err.println("screenshot " + name + " failed: " + e);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) return;
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what.get());
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get(), e);
            }
        }
    }
}
