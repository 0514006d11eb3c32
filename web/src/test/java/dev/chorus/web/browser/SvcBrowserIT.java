package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * VP9 SVC end to end in Chromium ({@code ?codec=vp9}). A 720p publisher sends its camera as one
 * {@code L3T3_KEY} encoding (three spatial layers, three temporal layers); two receive-only pages decode
 * different resolutions from that one stream, chosen by the size they show it at: the page in a 480x360
 * window gets the lowest spatial layer (320 px), the one at device scale factor 2 a higher one (640 px or
 * more). Then the large page's downlink is capped at 300 kbps (UDP impairment proxy): it must drop to a
 * lower spatial layer without losing video (decoded frames keep increasing, at a measured frame rate), and
 * climb back when the cap is lifted. Figures (layer, frame rates, freezes, switch times) go to
 * target/svc.json.
 */
class SvcBrowserIT {
    private static final Impairment CAP = Impairment.parse("rate=300kbps,queue=200ms");
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private final List<RoomPage> pages = new ArrayList<>();
    private final List<Chromium.Started> browsers = new ArrayList<>();
    private ProxiedServer server;
    private String debugFile = "svc-debug.json";

    @AfterEach
    void stop() {
        if (server != null) {
            try {
                Path file = Path.of("target", debugFile);
                Files.createDirectories(file.getParent());
                Files.writeString(file, server.debug().toPrettyString());
            } catch (Exception e) {
                System.err.println("svc: could not save /debug: " + e);
            }
        }
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot("svc-" + i);
            pages.get(i).close();
        }
        browsers.forEach(Chromium.Started::quit);
        if (server != null) server.close();
    }

    /**
     * AV1 ({@code ?codec=av1}): the same {@code L3T3_KEY} camera in AV1, its layers read from the Dependency
     * Descriptor. Lean: the two receive-only pages are windows of one browser, laid out (DevTools emulation) as
     * a small one (480x360: its tile, about 200 px wide, is covered by the lowest layer) and a large one
     * (1600x900 at device scale factor 2: its tile, about 800 device px wide (the layout caps it), needs the top
     * layer); no cap.
     */
    @Test
    void av1WithTheDependencyDescriptorServesEachTileItsSpatialLayer() throws Exception {
        debugFile = "svc-av1-debug.json";
        server = ProxiedServer.start(19);
        long t0 = System.nanoTime();
        RoomPage publisher = RoomPage.open(
                        server.url("/r/av1?name=Pub&codec=av1"), Chromium.Camera.AS_REQUESTED_NO_MICROPHONE)
                .awaitState("joined");
        pages.add(publisher);
        Chromium.Started viewers = Chromium.start(List.of(), Chromium.Camera.SMALL_NO_MICROPHONE);
        browsers.add(viewers);
        RoomPage large = RoomPage.openIn(viewers, server.url("/r/av1?name=Large&publish=0&codec=av1"));
        pages.add(large);
        large.emulateViewport(1600, 900, 2).awaitState("joined");
        RoomPage small = RoomPage.openIn(viewers, server.url("/r/av1?name=Small&publish=0&codec=av1"));
        pages.add(small);
        small.emulateViewport(480, 360, 1).awaitState("joined");
        String pubId = publisher.selfId();
        large.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        small.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        double secondsToFirstFrames = (System.nanoTime() - t0) / 1e9;
        assertEquals("video/AV1", inboundCodec(large), "the subscribers receive AV1");
        assertEquals("video/AV1", inboundCodec(small));
        String mode = String.valueOf(publisher.asyncScript("const done = arguments[arguments.length - 1];"
                + "window.chorus.pc.getStats().then((r) => { let m = null;"
                + " r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') m = s.scalabilityMode; });"
                + " done(m); }, () => done(null));"));
        assertEquals("L3T3_KEY", mode, "the publisher encodes one scalable AV1 stream");

        // The layers come from the key frames' template structure.
        JsonNode path = server.awaitVideoPath(
                large.selfId(),
                c -> c.producer()
                                .path("streams")
                                .path(0)
                                .path("svc")
                                .path("spatialLayers")
                                .asInt()
                        >= 2,
                MEDIA_WAIT,
                "the SFU to read the publisher's spatial layers from the Dependency Descriptor");
        JsonNode svc = path.path("producer").path("streams").path(0).path("svc");
        server.awaitVideoPath(
                small.selfId(),
                c -> c.consumer().path("spatial").path("current").asInt() == 0,
                MEDIA_WAIT,
                "the small page on spatial layer 0");
        int top = svc.path("spatialLayers").asInt() - 1;
        JsonNode largeView = server.awaitVideoPath(
                large.selfId(),
                c -> c.consumer().path("spatial").path("current").asInt() == top,
                MEDIA_WAIT,
                "the large page on the top spatial layer");
        long smallWidth = awaitDecodedWidth(small, pubId, w -> w > 0 && w <= 320);
        long largeWidth = awaitDecodedWidth(large, pubId, w -> w >= 1280);
        Inbound smallStart = small.inbound(pubId, "video", "camera");
        Inbound largeStart = large.inbound(pubId, "video", "camera");
        long start = System.nanoTime();
        Thread.sleep(3_000);
        Inbound smallEnd = small.inbound(pubId, "video", "camera");
        Inbound largeEnd = large.inbound(pubId, "video", "camera");
        double seconds = (System.nanoTime() - start) / 1e9;
        double smallFps = (smallEnd.framesDecoded() - smallStart.framesDecoded()) / seconds;
        double largeFps = (largeEnd.framesDecoded() - largeStart.framesDecoded()) / seconds;
        JsonNode smallView = server.videoPath(small.selfId());

        ObjectNode out = json.createObjectNode();
        out.set("svc", svc);
        out.put("secondsToFirstFrames", round(secondsToFirstFrames));
        out.put("smallPageDecodedWidth", smallWidth);
        out.put("smallPageFps", round(smallFps));
        out.put("largePageSpatialLayer", top);
        out.put("largePageDecodedWidth", largeWidth);
        out.put("largePageFps", round(largeFps));
        out.put("secondsTotal", round((System.nanoTime() - t0) / 1e9));
        out.set("smallConsumer", smallView.path("consumer"));
        out.set("largeConsumer", largeView.path("consumer"));
        Path file = Path.of("target", "svc-av1.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        System.out.printf(
                "svc av1: %s; small page %d px at %.1f fps, large page layer %d (%d px) at %.1f fps; %.1f s in all%n",
                svc,
                smallWidth,
                smallFps,
                top,
                largeWidth,
                largeFps,
                out.get("secondsTotal").asDouble());
        assertTrue(smallEnd.framesDecoded() > smallStart.framesDecoded(), "the small page decodes the lowest layer");
        assertTrue(largeEnd.framesDecoded() > largeStart.framesDecoded(), "the large page decodes the top layer");
        assertTrue(
                smallView
                                .path("consumer")
                                .path("spatial")
                                .path("packetsDropped")
                                .asLong()
                        > 0,
                "the SFU drops the small page's upper layers: " + smallView.path("consumer"));
    }

    @Test
    void oneScalableStreamServesEachSubscriberTheLayerThatFitsItsTileAndItsLink() throws Exception {
        server = ProxiedServer.start(19);
        long t0 = System.nanoTime();
        RoomPage publisher = RoomPage.open(
                        server.url("/r/svc?name=Pub&codec=vp9"), Chromium.Camera.AS_REQUESTED_NO_MICROPHONE)
                .awaitState("joined");
        pages.add(publisher);
        RoomPage large = RoomPage.open(
                        server.url("/r/svc?name=Large&publish=0&codec=vp9"), List.of("--force-device-scale-factor=2"))
                .awaitState("joined");
        pages.add(large);
        RoomPage small = RoomPage.open(
                        server.url("/r/svc?name=Small&publish=0&codec=vp9"), List.of("--window-size=480,360"))
                .awaitState("joined");
        pages.add(small);
        String pubId = publisher.selfId();
        String largeId = large.selfId();
        String smallId = small.selfId();
        large.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        small.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        double secondsToFirstFrames = (System.nanoTime() - t0) / 1e9;
        large.startFrameLog(pubId);

        assertEquals("video/VP9", inboundCodec(large), "the subscribers receive VP9");
        assertEquals("video/VP9", inboundCodec(small));
        String mode = String.valueOf(publisher.asyncScript("const done = arguments[arguments.length - 1];"
                + "window.chorus.pc.getStats().then((r) => { let m = null;"
                + " r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') m = s.scalabilityMode; });"
                + " done(m); }, () => done(null));"));
        assertEquals("L3T3_KEY", mode, "the publisher encodes one scalable stream");

        // One stream in, three spatial layers announced by its keyframes' scalability structure.
        JsonNode path = server.awaitVideoPath(
                largeId,
                c -> c.producer()
                                .path("streams")
                                .path(0)
                                .path("svc")
                                .path("spatialLayers")
                                .asInt()
                        >= 2,
                MEDIA_WAIT,
                "the SFU to see the publisher's spatial layers");
        JsonNode svc = path.path("producer").path("streams").path(0).path("svc");
        assertEquals(1, path.path("producer").path("streams").size(), "one encoding, no simulcast");

        // Tile sizes: the small window's tile is covered by the lowest layer, the large one's is not.
        server.awaitVideoPath(
                smallId,
                c -> c.consumer().path("spatial").path("current").asInt() == 0,
                MEDIA_WAIT,
                "the small page on spatial layer 0");
        JsonNode largeView = server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("spatial").path("current").asInt() >= 1,
                MEDIA_WAIT,
                "the large page above spatial layer 0");
        long smallWidth = awaitDecodedWidth(small, pubId, w -> w > 0 && w <= 320);
        long largeWidth = awaitDecodedWidth(large, pubId, w -> w >= 640);
        int largeLayer =
                largeView.path("consumer").path("spatial").path("current").asInt();
        double secondsToLayers = (System.nanoTime() - t0) / 1e9;

        // Cap the large page's downlink: it must fall to a lower spatial layer, not lose video.
        String ufrag = large.serverIceUfrag();
        Inbound beforeCap = large.inbound(pubId, "video", "camera");
        double capMark = large.now();
        server.proxy().setForIceUfrag(ufrag, Impairment.NONE, CAP);
        long capAt = System.nanoTime();
        JsonNode dropped = server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("spatial").path("current").asInt() < largeLayer,
                Duration.ofSeconds(20),
                "the capped page to drop to a lower spatial layer");
        double secondsToDrop = (System.nanoTime() - capAt) / 1e9;
        Thread.sleep(1_000);
        Inbound capStart = large.inbound(pubId, "video", "camera");
        long capStartNanos = System.nanoTime();
        Inbound referenceStart = small.inbound(pubId, "video", "camera");
        Thread.sleep(4_000);
        Inbound capEnd = large.inbound(pubId, "video", "camera");
        double seconds = (System.nanoTime() - capStartNanos) / 1e9;
        Inbound referenceEnd = small.inbound(pubId, "video", "camera");
        double cappedFps = (capEnd.framesDecoded() - capStart.framesDecoded()) / seconds;
        double referenceFps = (referenceEnd.framesDecoded() - referenceStart.framesDecoded()) / seconds;
        JsonNode capped = server.videoPath(largeId);
        assertFalse(
                capped.path("consumer").path("bandwidthPaused").asBoolean(),
                "under the cap a lower layer fits: video is not paused: " + capped.path("consumer"));
        assertTrue(capEnd.framesDecoded() > capStart.framesDecoded(), "no freeze under the cap");
        assertTrue(
                referenceEnd.framesDecoded() > referenceStart.framesDecoded(),
                "the small page keeps decoding from the same stream");

        Inbound atLift = large.inbound(pubId, "video", "camera");
        double liftMark = large.now();
        server.proxy().setForIceUfrag(ufrag, Impairment.NONE, Impairment.NONE);
        long liftAt = System.nanoTime();
        JsonNode back = server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("spatial").path("current").asInt() >= largeLayer,
                Duration.ofSeconds(30),
                "the page to climb back once the cap is lifted");
        double secondsToClimb = (System.nanoTime() - liftAt) / 1e9;
        long widthAfter = awaitDecodedWidth(large, pubId, w -> w >= 640);
        Thread.sleep(1_500); // frames after the climb, so its switch has frames on both sides
        Inbound end = large.inbound(pubId, "video", "camera");
        double endMark = large.now();
        List<double[]> frames = large.frameLog();
        ArrayNode switches = json.createArrayNode();
        for (FrameLog.Switch sw : FrameLog.switches(frames, capMark)) {
            ObjectNode o = switches.addObject();
            o.put("why", sw.atMs() < liftMark ? "cap" : "lift");
            o.put("fromWidth", sw.fromWidth());
            o.put("toWidth", sw.toWidth());
            o.put("lastOldToFirstNewMs", Math.round(sw.lastOldToFirstNewMs()));
            o.put("longestGapWithin1sMs", Math.round(sw.freezeMs()));
        }

        ObjectNode out = json.createObjectNode();
        out.set("svc", svc);
        out.put("secondsToFirstFrames", round(secondsToFirstFrames));
        out.put("secondsToLayersByTileSize", round(secondsToLayers));
        out.put("smallPageDecodedWidth", smallWidth);
        out.put("largePageSpatialLayer", largeLayer);
        out.put("largePageDecodedWidth", largeWidth);
        out.put("cap", CAP.toSpec());
        out.put("secondsFromCapToLowerLayer", round(secondsToDrop));
        out.put(
                "spatialLayerUnderCap",
                capped.path("consumer").path("spatial").path("current").asInt());
        out.put(
                "bandwidthStepUnderCap",
                capped.path("consumer").path("bandwidthStep").asText());
        out.put("decodedWidthUnderCap", capEnd.frameWidth());
        out.put("fpsUnderCap", round(cappedFps));
        out.put("fpsUncappedSmallPage", round(referenceFps));
        out.put("secondsFromLiftToClimb", round(secondsToClimb));
        out.put("decodedWidthAfterLift", widthAfter);
        out.put("freezesUnderCap", num(atLift, "freezeCount") - num(beforeCap, "freezeCount"));
        out.put("freezeSecondsUnderCap", seconds(atLift, beforeCap));
        out.put("freezesAfterLift", num(end, "freezeCount") - num(atLift, "freezeCount"));
        out.put("freezeSecondsAfterLift", seconds(end, atLift));
        out.put("longestFrameGapUnderCapMs", Math.round(longestGap(frames, capMark, liftMark)));
        out.put("longestFrameGapAfterLiftMs", Math.round(longestGap(frames, liftMark, endMark)));
        out.set("switches", switches);
        out.put("secondsTotal", round((System.nanoTime() - t0) / 1e9));
        out.set("largeConsumerUnderCap", capped.path("consumer"));
        out.set("largeConsumerAtEnd", back.path("consumer"));
        Path file = Path.of("target", "svc.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        System.out.printf(
                "svc: %s; small page %d px, large page layer %d (%d px); capped at 300 kbps: layer %d (%d px) after"
                        + " %.1f s, %.1f fps (small page %.1f), freezes %s (%s s); lifted: back after %.1f s (%d px),"
                        + " freezes %s (%s s); switches %s; %.1f s in all%n",
                svc,
                smallWidth,
                largeLayer,
                largeWidth,
                out.get("spatialLayerUnderCap").asInt(),
                capEnd.frameWidth(),
                secondsToDrop,
                cappedFps,
                referenceFps,
                out.get("freezesUnderCap"),
                out.get("freezeSecondsUnderCap"),
                secondsToClimb,
                widthAfter,
                out.get("freezesAfterLift"),
                out.get("freezeSecondsAfterLift"),
                switches,
                out.get("secondsTotal").asDouble());
        assertTrue(capEnd.frameWidth() < largeWidth, "a lower resolution under the cap: " + capEnd.frameWidth());
        assertTrue(
                cappedFps >= 5,
                "under a 300 kbps cap the large page decodes " + cappedFps + " fps (small page: " + referenceFps + ")");
    }

    private static String inboundCodec(RoomPage page) {
        return String.valueOf(page.asyncScript("const done = arguments[arguments.length - 1];"
                + "window.chorus.pc.getStats().then((r) => { let codec = null;"
                + " r.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video' && s.codecId)"
                + " codec = r.get(s.codecId)?.mimeType ?? codec; });"
                + " done(codec); }, () => done(null));"));
    }

    /** The longest gap between presented frames that ends within [fromMs, toMs]. */
    private static double longestGap(List<double[]> frames, double fromMs, double toMs) {
        double gap = 0;
        for (int i = 1; i < frames.size(); i++) {
            double at = frames.get(i)[0];
            if (at >= fromMs && at <= toMs) {
                gap = Math.max(gap, at - frames.get(i - 1)[0]);
            }
        }
        return gap;
    }

    private static double seconds(Inbound end, Inbound start) {
        return Math.round((dbl(end, "totalFreezesDuration") - dbl(start, "totalFreezesDuration")) * 1000) / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static long num(Inbound i, String key) {
        Object v = i.all().get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Inbound i, String key) {
        Object v = i.all().get(key);
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    private static long awaitDecodedWidth(RoomPage page, String pubId, LongPredicate ok) throws InterruptedException {
        long deadline = System.nanoTime() + MEDIA_WAIT.toNanos();
        long w = -1;
        while (System.nanoTime() < deadline) {
            Inbound v = page.inbound(pubId, "video", "camera");
            w = v == null ? -1 : v.frameWidth();
            if (ok.test(w)) return w;
            Thread.sleep(250);
        }
        throw new AssertionError("decoded width never fit: last " + w);
    }
}
