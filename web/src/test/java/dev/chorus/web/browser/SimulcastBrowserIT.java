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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Simulcast end to end in Chromium. A 720p publisher and two receive-only pages meet in one room;
 * at three participants the web client sends its camera as three layers (the publisher, alone when
 * it joined, moves its camera to a simulcast transceiver). The SFU must learn the three layers and
 * their sizes, and forward each subscriber the layer that fits it:
 * <ul>
 *   <li>by tile size: the page in a 480x360 window gets the lowest layer, the one in a 1280x800
 *       window at device scale factor 2 a higher one; the small page pinning the publisher (its tile
 *       then spans the window) gets a higher one too, and the lowest again once it unpins;</li>
 *   <li>dynacast: the top layer, which no page wants, is paused at the publisher (its encoding
 *       turned off), and turned on again as soon as the large page pins the video;</li>
 *   <li>by bandwidth: with its downlink capped at 300 kbps (UDP impairment proxy) the large page
 *       drops to the lowest layer instead of losing video, keeps decoding it at (nearly) the frame
 *       rate the uncapped small page gets from it, and climbs back when the cap is lifted;</li>
 *   <li>seamless switches: every switch for tile size and the climb after the cap stall the picture
 *       no more than 200 ms (from the last frame presented at the old size to the first at the new one,
 *       {@link FrameLog}).</li>
 * </ul>
 * Figures (layers, frame rates, every switch with its freeze, freezes as Chromium counts them) go to
 * target/simulcast.json.
 */
class SimulcastBrowserIT {
    private static final Impairment CAP = Impairment.parse("rate=300kbps,queue=200ms");
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);
    /** No switch for tile size, and no climb after a cap, may stall the picture longer (issue 13). */
    private static final double MAX_SWITCH_FREEZE_MS = 200;

    private final ObjectMapper json = new ObjectMapper();
    private final List<RoomPage> pages = new ArrayList<>();
    private ProxiedServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            try {
                // What the SFU saw, for a failure's post-mortem (pages close first otherwise).
                Path file = Path.of("target", "simulcast-debug.json");
                Files.createDirectories(file.getParent());
                Files.writeString(file, server.debug().toPrettyString());
            } catch (Exception e) {
                System.err.println("simulcast: could not save /debug: " + e);
            }
        }
        for (int i = 0; i < pages.size(); i++) {
            pages.get(i).screenshot("simulcast-" + i);
            pages.get(i).close();
        }
        if (server != null) server.close();
    }

    @Test
    void eachSubscriberGetsTheLayerThatFitsItsTileAndItsLink() throws Exception {
        server = ProxiedServer.start(11);
        long t0 = System.nanoTime();
        // No microphone: what is checked is video, and a page without audio costs half as much. It is also the
        // camera-only publisher whose move to simulcast once failed (its camera line tagged the BUNDLE group).
        RoomPage publisher = RoomPage.open(server.url("/r/layers?name=Pub"), Chromium.Camera.AS_REQUESTED_NO_MICROPHONE)
                .awaitState("joined");
        pages.add(publisher);
        // A HiDPI screen: its tiles (about 290 CSS px wide here) take 580 device pixels.
        RoomPage large = RoomPage.open(
                        server.url("/r/layers?name=Large&publish=0"), List.of("--force-device-scale-factor=2"))
                .awaitState("joined");
        pages.add(large);
        RoomPage small = RoomPage.open(server.url("/r/layers?name=Small&publish=0"), List.of("--window-size=480,360"))
                .awaitState("joined");
        pages.add(small);
        String pubId = publisher.selfId();
        String largeId = large.selfId();
        String smallId = small.selfId();
        large.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        small.awaitInbound(List.of(pubId), "video", "camera", MEDIA_WAIT);
        large.startFrameLog(pubId);
        small.startFrameLog(pubId);

        // Chromium sends all three layers, unless its CPU is short: then it stops the top one.
        JsonNode layers = server.awaitVideoPath(
                largeId,
                c -> activeLayers(c.producer()) >= 2,
                Duration.ofSeconds(40),
                "the publisher to send at least two layers");
        Thread.sleep(3_000);
        layers = server.videoPath(largeId);
        int activeLayers = activeLayers(layers.path("producer"));
        ArrayNode sizes = json.createArrayNode();
        for (JsonNode s : layers.path("producer").path("streams")) {
            sizes.add(s.path("width").asInt() + "x" + s.path("height").asInt());
        }
        assertEquals(
                320,
                layers.path("producer").path("streams").get(0).path("width").asInt(),
                "lowest: " + sizes);
        assertEquals(
                640,
                layers.path("producer").path("streams").get(1).path("width").asInt(),
                "middle: " + sizes);

        // Tile sizes: the small window's tile is covered by the lowest layer, the large one's is not.
        JsonNode smallView = server.awaitVideoPath(
                smallId, c -> c.consumer().path("currentLayer").asInt() == 0, MEDIA_WAIT, "the small page on layer 0");
        JsonNode largeView = server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("currentLayer").asInt() >= 1,
                MEDIA_WAIT,
                "the large page above layer 0");
        int largeLayer = largeView.path("consumer").path("currentLayer").asInt();
        long smallWidth = awaitDecodedWidth(small, pubId, w -> w > 0 && w <= 320);
        long largeWidth = awaitDecodedWidth(large, pubId, w -> w >= 640);

        // Pinned, the publisher's tile spans the small window (about 440 px): the lowest layer no
        // longer covers it. Unpinned, the page goes back to the lowest layer.
        long tileBeforePin = small.tileWidth(pubId);
        double smallPinMark = small.now();
        small.togglePin(pubId);
        long pinnedTile = small.tileWidth(pubId);
        assertTrue(
                pinnedTile > 320, "the pinned tile spans the window: " + tileBeforePin + " -> " + pinnedTile + " px");
        long pinnedAt = System.nanoTime();
        JsonNode pinnedView = server.awaitVideoPath(
                smallId,
                c -> c.consumer().path("currentLayer").asInt() >= 1,
                MEDIA_WAIT,
                "the small page above layer 0 once it pins the publisher");
        double secondsToPinnedLayer = (System.nanoTime() - pinnedAt) / 1e9;
        long pinnedWidth = awaitDecodedWidth(small, pubId, w -> w >= 640);
        small.togglePin(pubId);
        server.awaitVideoPath(
                smallId,
                c -> c.consumer().path("currentLayer").asInt() == 0,
                MEDIA_WAIT,
                "the small page back on layer 0 once it unpins");
        awaitDecodedWidth(small, pubId, w -> w > 0 && w <= 320);

        // Dynacast: nobody wants the top layer (the pages want layers 0 and 1), so the publisher is
        // told to stop encoding it; the large page pinning the video (about 1800 device px) wants it
        // again, and it is turned back on at once.
        long dynacastFrom = System.nanoTime();
        awaitSendingLayers(publisher, List.of(true, true, false));
        double secondsToPauseTop = (System.nanoTime() - dynacastFrom) / 1e9;
        double largePinMark = large.now();
        large.togglePin(pubId);
        long resumeFrom = System.nanoTime();
        awaitSendingLayers(publisher, List.of(true, true, true));
        double secondsToResumeTop = (System.nanoTime() - resumeFrom) / 1e9;
        large.togglePin(pubId);

        // Cap the large page's downlink: it must fall back to the lowest layer, not lose video.
        String ufrag = large.serverIceUfrag();
        Inbound beforeCap = large.inbound(pubId, "video", "camera");
        double capMark = large.now();
        server.proxy().setForIceUfrag(ufrag, Impairment.NONE, CAP);
        long capAt = System.nanoTime();
        server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("currentLayer").asInt() == 0,
                Duration.ofSeconds(40),
                "the capped page to drop to layer 0");
        double secondsToDrop = (System.nanoTime() - capAt) / 1e9;
        Thread.sleep(2_000);
        // The small page decodes the same layer, uncapped, in the same seconds: the frame rate the
        // layer has. Chromium lowers it when its CPU is short, so it is the fair measure of the cap's cost.
        Inbound capStart = large.inbound(pubId, "video", "camera");
        long capStartNanos = System.nanoTime();
        Inbound referenceStart = small.inbound(pubId, "video", "camera");
        long referenceStartNanos = System.nanoTime();
        Thread.sleep(4_000); // 60 frames or more at the rates asked for
        Inbound capEnd = large.inbound(pubId, "video", "camera");
        double cappedFps =
                (capEnd.framesDecoded() - capStart.framesDecoded()) * 1e9 / (System.nanoTime() - capStartNanos);
        Inbound referenceEnd = small.inbound(pubId, "video", "camera");
        double referenceFps = (referenceEnd.framesDecoded() - referenceStart.framesDecoded())
                * 1e9
                / (System.nanoTime() - referenceStartNanos);
        JsonNode capped = server.videoPath(largeId);
        assertFalse(
                capped.path("consumer").path("bandwidthPaused").asBoolean(),
                "under the cap the lowest layer fits: video is not paused: " + capped.path("consumer"));
        assertEquals(0, capped.path("consumer").path("currentLayer").asInt(), "still on layer 0 under the cap");
        assertTrue(
                cappedFps >= 5 && cappedFps >= 0.75 * referenceFps,
                "under a 300 kbps cap the lowest layer decodes at " + cappedFps + " fps, the uncapped small page's at "
                        + referenceFps);

        double liftMark = large.now();
        server.proxy().setForIceUfrag(ufrag, Impairment.NONE, Impairment.NONE);
        long liftAt = System.nanoTime();
        JsonNode back = server.awaitVideoPath(
                largeId,
                c -> c.consumer().path("currentLayer").asInt() >= 1,
                Duration.ofSeconds(60),
                "the page to climb back once the cap is lifted");
        double secondsToClimb = (System.nanoTime() - liftAt) / 1e9;
        long widthAfter = awaitDecodedWidth(large, pubId, w -> w >= 640);
        Inbound end = large.inbound(pubId, "video", "camera");
        Thread.sleep(1_500); // frames after the climb, so its switch has frames on both sides

        // Every switch a page saw (FrameLog): the gap from the last frame of the old size to the first of
        // the new, and the longest gap within a second of it. The switches for tile size (pin, unpin) and
        // the climb after the lift must be seamless; the drop the cap forces is reported: the cap starves
        // the old layer before the SFU sees congestion, so its freeze is the congestion response.
        ArrayNode switches = json.createArrayNode();
        List<String> tooLong = new ArrayList<>();
        double worstSeamlessMs = 0;
        double capDropFreezeMs = 0;
        for (FrameLog.Switch sw : FrameLog.switches(small.frameLog(), smallPinMark)) {
            worstSeamlessMs = Math.max(worstSeamlessMs, switchJson(switches, "small", "tile size", sw, tooLong));
        }
        for (FrameLog.Switch sw : FrameLog.switches(large.frameLog(), largePinMark)) {
            String why = sw.atMs() < capMark ? "tile size" : sw.atMs() < liftMark ? "cap" : "lift";
            double freeze = switchJson(switches, "large", why, sw, why.equals("cap") ? null : tooLong);
            if (why.equals("cap")) {
                capDropFreezeMs = Math.max(capDropFreezeMs, freeze);
            } else {
                worstSeamlessMs = Math.max(worstSeamlessMs, freeze);
            }
        }

        ObjectNode out = json.createObjectNode();
        out.set("layerSizes", sizes);
        out.put("layersSent", activeLayers);
        out.put(
                "smallPageLayer",
                smallView.path("consumer").path("currentLayer").asInt());
        out.put("smallPageDecodedWidth", smallWidth);
        out.put("smallPageTileCssPx", tileBeforePin);
        out.put("smallPagePinnedTileCssPx", pinnedTile);
        out.put(
                "smallPagePinnedLayer",
                pinnedView.path("consumer").path("currentLayer").asInt());
        out.put("smallPagePinnedDecodedWidth", pinnedWidth);
        out.put("secondsFromPinToLayer", Math.round(secondsToPinnedLayer * 10) / 10.0);
        out.put("secondsUntilTopLayerPausedAtPublisher", Math.round(secondsToPauseTop * 10) / 10.0);
        out.put("secondsFromPinToTopLayerResumed", Math.round(secondsToResumeTop * 10) / 10.0);
        out.put("largePageLayer", largeLayer);
        out.put("largePageDecodedWidth", largeWidth);
        out.put("cap", CAP.toSpec());
        out.put("secondsFromCapToLayer0", Math.round(secondsToDrop * 10) / 10.0);
        out.put("fpsUnderCap", Math.round(cappedFps * 10) / 10.0);
        out.put("fpsOfLayer0Uncapped", Math.round(referenceFps * 10) / 10.0);
        out.put("decodedWidthUnderCap", capEnd.frameWidth());
        // Which (spatial, temporal) step the SFU chose under the cap, and what Chromium sends per TID.
        out.put(
                "bandwidthStepUnderCap",
                capped.path("consumer").path("bandwidthStep").asText());
        out.set("temporalUnderCap", capped.path("consumer").path("temporal"));
        out.set(
                "layer0TemporalLayers",
                capped.path("producer").path("streams").path(0).path("temporalLayers"));
        out.put("secondsFromLiftToClimb", Math.round(secondsToClimb * 10) / 10.0);
        out.put("layerAfterLift", back.path("consumer").path("currentLayer").asInt());
        out.put("decodedWidthAfterLift", widthAfter);
        out.put("layerSwitches", back.path("consumer").path("layerSwitches").asLong());
        out.put("freezesDuringCapAndLift", num(end, "freezeCount") - num(beforeCap, "freezeCount"));
        out.put(
                "freezeSecondsDuringCapAndLift",
                Math.round((dbl(end, "totalFreezesDuration") - dbl(beforeCap, "totalFreezesDuration")) * 1000)
                        / 1000.0);
        out.set("switches", switches);
        out.put("worstSeamlessSwitchMs", Math.round(worstSeamlessMs));
        out.put("capDropSwitchMs", Math.round(capDropFreezeMs));
        out.put("secondsTotal", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        out.set("largeConsumerAtEnd", back.path("consumer"));
        Path file = Path.of("target", "simulcast.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        System.out.printf(
                "simulcast: layers %s; small page layer 0 (%d px decoded; pinned: layer %d after %.1f s, %d px),"
                        + " large page layer %d (%d px); capped at"
                        + " 300 kbps: layer 0 after %.1f s, %.1f fps (uncapped %.1f); lifted: layer %d after %.1f s; freezes %s (%s s)%n",
                sizes,
                smallWidth,
                pinnedView.path("consumer").path("currentLayer").asInt(),
                secondsToPinnedLayer,
                pinnedWidth,
                largeLayer,
                largeWidth,
                secondsToDrop,
                cappedFps,
                referenceFps,
                back.path("consumer").path("currentLayer").asInt(),
                secondsToClimb,
                out.get("freezesDuringCapAndLift"),
                out.get("freezeSecondsDuringCapAndLift"));
        System.out.println("simulcast switches: " + switches);
        assertTrue(
                switches.size() >= 4,
                "the pages saw the pin, unpin, cap and lift switches (presented widths): " + switches);
        assertTrue(tooLong.isEmpty(), "switches that froze video over " + MAX_SWITCH_FREEZE_MS + " ms: " + tooLong);
    }

    /** Adds a switch to {@code out}; if {@code tooLong} is given and it froze too long, to that too. */
    private static double switchJson(ArrayNode out, String page, String why, FrameLog.Switch sw, List<String> tooLong) {
        ObjectNode o = out.addObject();
        o.put("page", page);
        o.put("why", why);
        o.put("fromWidth", sw.fromWidth());
        o.put("toWidth", sw.toWidth());
        o.put("lastOldToFirstNewMs", Math.round(sw.lastOldToFirstNewMs()));
        o.put("freezeMs", Math.round(sw.freezeMs()));
        // The switch's own freeze is the gap from the last frame of the old size to the first of the new
        // one; freezeMs (the longest gap within a second of it) also catches a starved renderer's hiccups
        // nearby, so it is reported, not bounded.
        if (tooLong != null && sw.lastOldToFirstNewMs() > MAX_SWITCH_FREEZE_MS) {
            tooLong.add(o.toString());
        }
        return sw.lastOldToFirstNewMs();
    }

    /** Waits until the publisher's camera encodings are active (or not) as listed, lowest first. */
    private static void awaitSendingLayers(RoomPage publisher, List<Boolean> expected) throws InterruptedException {
        long deadline = System.nanoTime() + MEDIA_WAIT.toNanos();
        Object now = null;
        while (System.nanoTime() < deadline) {
            now = publisher.script("const s = window.chorus.pc.getSenders()"
                    + ".find((x) => (x.getParameters().encodings || []).length > 1);"
                    + "return s ? s.getParameters().encodings.map((e) => e.active !== false) : [];");
            if (expected.equals(now)) return;
            Thread.sleep(250);
        }
        throw new AssertionError("the publisher's layers never became " + expected + ": last " + now);
    }

    private static int activeLayers(JsonNode producer) {
        int n = 0;
        for (JsonNode s : producer.path("streams")) {
            if (s.path("active").asBoolean() && s.path("width").asInt() > 0) n++;
        }
        return n;
    }

    private static long num(Inbound i, String key) {
        Object v = i.all().get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Inbound i, String key) {
        Object v = i.all().get(key);
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    private static long awaitDecodedWidth(RoomPage page, String pubId, java.util.function.LongPredicate ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + MEDIA_WAIT.toNanos();
        long w = -1;
        while (System.nanoTime() < deadline) {
            Inbound v = page.inbound(pubId, "video", "camera");
            w = v == null ? -1 : v.frameWidth();
            if (ok.test(w)) return w;
            Thread.sleep(500);
        }
        throw new AssertionError("decoded width never fit: last " + w);
    }
}
