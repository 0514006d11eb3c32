package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.web.browser.RoomPage.Inbound;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Firefox page and a Chromium page in one room (one Firefox start for all the checks that need Firefox).
 *
 * <p>Opus RED between Chromium and Firefox: Firefox (ESR) offers no RED for audio, Chromium does. A Chromium page
 * and a Firefox page publish their fake microphones and hear each other: Chromium's RED reaches Firefox as
 * plain Opus (the SFU cuts the primary frame out), Firefox's plain Opus reaches Chromium as RED the SFU writes
 * from its frames, and both play it. What Firefox offers is read from its own offer.
 *
 * <p>The same room checks the video codec policy with Firefox (sfu/CODECS.md): Firefox ESR has no H264 here (its
 * OpenH264 plugin is downloaded from the internet at first start), so its offer lists none, the room stays on VP8
 * (the Chromium page, offering VP8 and H264, sends and receives VP8), and a Chromium page offering H264 only
 * ({@code ?codec=h264}) is refused with {@code unsupported_codec} while Firefox goes on decoding VP8.
 *
 * <p>Last, data channels both ways through the room data relay ({@link FirefoxDataChannels}).
 */
@Tag("firefox")
class FirefoxRoomIT {
    private static final Duration JOIN_WAIT = Duration.ofSeconds(30);
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);

    @Test
    void redOpusReachesFirefoxAsOpusTheRoomStaysVp8AndDataChannelsWorkBothWays() throws Exception {
        NetworkNamespace.require();
        Firefox firefox = null;
        RoomPage chromium = null;
        Chromium.Started chromiumBrowser = null;
        try (ProxiedServer server = ProxiedServer.start(21, NetworkNamespace.address())) {
            firefox = Firefox.start();
            FirefoxPage fox =
                    FirefoxPage.open(firefox, server.url("/r/foxred?name=Fox"), 1280, 800, 1, FirefoxPage.CAMERA_360P);
            fox.awaitState("joined", JOIN_WAIT);
            chromiumBrowser = Chromium.start(NetworkNamespace.CHROMIUM_ARGS, Chromium.Camera.SMALL);
            RoomPage chrome = RoomPage.openIn(chromiumBrowser, server.url("/r/foxred?name=Chrome"));
            chromium = chrome;
            chrome.awaitState("joined");
            String foxId = fox.selfId();
            String chromeId = chrome.selfId();
            chrome.awaitInbound(List.of(foxId), "audio", "mic", MEDIA_WAIT);
            awaitTrue(
                    () -> playing(fox.inbound(chromeId, "audio", "mic")),
                    MEDIA_WAIT,
                    () -> "Firefox audio " + fox.inbound());
            awaitTrue(
                    () -> playing(chrome.inbound(foxId, "audio", "mic")),
                    MEDIA_WAIT,
                    () -> "Chromium audio " + chrome.inbound());

            String foxOffer =
                    fox.script("return window.chorus.pc.localDescription.sdp").asText();
            String audioLine = foxOffer.lines()
                    .filter(l -> l.startsWith("m=audio"))
                    .findFirst()
                    .orElse("");
            System.out.println("audio RED with Firefox: Firefox offers " + audioLine + ", red/48000 "
                    + (foxOffer.contains("red/48000") ? "offered" : "not offered"));
            assertFalse(foxOffer.toLowerCase().contains("red/48000"), "Firefox offers audio RED now: " + foxOffer);

            JsonNode debug = server.debug();
            JsonNode chromeMic = audioProducer(debug, chromeId);
            JsonNode foxMic = audioProducer(debug, foxId);
            assertTrue(
                    chromeMic.path("red").path("redPacketsReceived").asLong() > 0,
                    "Chromium sends no RED: " + chromeMic);
            assertTrue(
                    foxMic.path("red").path("plainPacketsReceived").asLong() > 0, "Firefox sends no Opus: " + foxMic);
            // The SFU cut the primary out for Firefox and wrote RED for Chromium.
            assertTrue(chromeMic.path("red").path("primaryOnlyWritten").asLong() > 0, chromeMic.toString());
            assertTrue(foxMic.path("red").path("redPacketsWritten").asLong() > 0, foxMic.toString());
            Inbound atFox = fox.inbound(chromeId, "audio", "mic");
            Inbound atChrome = chrome.inbound(foxId, "audio", "mic");
            System.out.println(
                    "audio RED with Firefox: Firefox hears " + atFox.all() + "; Chromium hears " + atChrome.all());

            // Video: no H264 in Firefox, so VP8 both ways, and a page that decodes H264 only cannot join the room.
            assertFalse(foxOffer.contains("H264/90000"), "Firefox offers H264 now: " + foxOffer);
            fox.awaitVideoFrom(chromeId, MEDIA_WAIT);
            chrome.awaitInbound(List.of(foxId), "video", "camera", MEDIA_WAIT);
            assertEquals(List.of("VP8", "VP8"), chromeVideoCodecs(chrome), "Chromium's inbound and outbound video");
            RoomPage h264 = RoomPage.openIn(chromiumBrowser, server.url("/r/foxred?name=OnlyH264&codec=h264"));
            h264.awaitState("joined");
            awaitTrue(
                    () -> h264.mediaStatus().startsWith("failed/unsupported_codec"),
                    MEDIA_WAIT,
                    () -> "the H264-only page refused: " + h264.mediaStatus());
            long framesBefore = fox.inbound(chromeId, "video", "camera").framesDecoded();
            Thread.sleep(1000);
            long framesAfter = fox.inbound(chromeId, "video", "camera").framesDecoded();
            System.out.println("video with Firefox: VP8; the H264-only page: " + h264.mediaStatus()
                    + "; Firefox decoded " + (framesAfter - framesBefore) + " frames in the next second");
            assertTrue(framesAfter > framesBefore, "Firefox stopped decoding the room's VP8");
            h264.close();

            FirefoxDataChannels.exchange(fox, chrome, server);
        } finally {
            if (chromium != null) chromium.close();
            if (chromiumBrowser != null) chromiumBrowser.quit();
            if (firefox != null) firefox.close();
        }
    }

    /** The codec names (as getStats reports them, without "video/") of the page's inbound then outbound video. */
    @SuppressWarnings("unchecked")
    private static List<String> chromeVideoCodecs(RoomPage page) {
        return (List<String>) page.asyncScript("const done = arguments[arguments.length - 1];"
                + "window.chorus.pc.getStats().then((stats) => {"
                + "  const byType = {'inbound-rtp': [], 'outbound-rtp': []};"
                + "  stats.forEach((r) => {"
                + "    if (r.kind !== 'video' || !byType[r.type] || !r.codecId || !stats.get(r.codecId)) return;"
                + "    byType[r.type].push(stats.get(r.codecId).mimeType.replace('video/', ''));"
                + "  });"
                + "  done(byType['inbound-rtp'].concat(byType['outbound-rtp']));"
                + "});");
    }

    /** Audio played out: packets received and, where the browser reports it, samples played. */
    private static boolean playing(Inbound in) {
        if (in == null || in.packetsReceived() <= 0) return false;
        Object samples = in.all().get("totalSamplesReceived");
        return !(samples instanceof Number n) || n.longValue() > 0;
    }

    private static JsonNode audioProducer(JsonNode debug, String endpointId) {
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode p : router.path("producers")) {
                if ("AUDIO".equalsIgnoreCase(p.path("kind").asText())
                        && endpointId.equals(p.path("endpoint").asText())) return p;
            }
        }
        throw new AssertionError("no audio producer of " + endpointId + " in /debug: " + debug);
    }

    private static void awaitTrue(Supplier<Boolean> condition, Duration timeout, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what.get());
            Thread.sleep(500);
        }
    }
}
