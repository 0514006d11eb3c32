package dev.chorus.web.browser;

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
 * Opus RED between Chromium and Firefox: Firefox (ESR) offers no RED for audio, Chromium does. A Chromium page
 * and a Firefox page publish their fake microphones and hear each other: Chromium's RED reaches Firefox as
 * plain Opus (the SFU cuts the primary frame out), Firefox's plain Opus reaches Chromium as RED the SFU writes
 * from its frames, and both play it. What Firefox offers is read from its own offer.
 */
@Tag("firefox")
class AudioRedFirefoxIT {
    private static final Duration JOIN_WAIT = Duration.ofSeconds(30);
    private static final Duration MEDIA_WAIT = Duration.ofSeconds(30);

    @Test
    void chromiumsRedReachesFirefoxAsOpusAndFirefoxsOpusReachesChromiumAsRed() throws Exception {
        NetworkNamespace.require();
        Firefox firefox = null;
        RoomPage chromium = null;
        try (ProxiedServer server = ProxiedServer.start(21, NetworkNamespace.address())) {
            firefox = Firefox.start();
            FirefoxPage fox =
                    FirefoxPage.open(firefox, server.url("/r/foxred?name=Fox"), 1280, 800, 1, FirefoxPage.CAMERA_360P);
            fox.awaitState("joined", JOIN_WAIT);
            RoomPage chrome = RoomPage.open(server.url("/r/foxred?name=Chrome"));
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
        } finally {
            if (chromium != null) chromium.close();
            if (firefox != null) firefox.close();
        }
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
