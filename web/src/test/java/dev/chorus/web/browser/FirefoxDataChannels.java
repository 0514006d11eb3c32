package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Data channels between a Firefox and a Chromium page of one room, through the room data relay: each page sends the
 * other a reliable message, an unreliable one (Firefox's {@code chorus-unreliable} is opened with
 * {@code maxRetransmits: 0}, as Chromium's) and one of 200 kB, above the 64 KiB at which some SFUs' channels die,
 * and each gets them whole, in order, from the right sender; the SFU sees Firefox's unreliable channel as opened
 * and nothing malformed from it. Run by {@link FirefoxRoomIT} in its room (a Firefox start is dear).
 */
final class FirefoxDataChannels {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BIG = 200_000;
    /** As DataChannelBrowserIT's: what the page's relay delivers. */
    private static final String COLLECT = "window.__dataIn = [];"
            + "window.chorus.data.addEventListener('message', (e) => {"
            + "  const d = e.detail.data; const text = typeof d === 'string' ? d : JSON.stringify(d);"
            + "  window.__dataIn.push({from: e.detail.from, reliable: e.detail.reliable, size: text.length,"
            + "    head: text.substring(0, 20), tail: text.substring(text.length - 1)});"
            + "});";
    /** Sends a reliable, an unreliable and a big message ('a'... ending in '$'). */
    private static final String SEND = "const data = window.chorus.data;"
            + "data.send({n: 1}); data.send({u: 1}, {reliable: false});"
            + "data.send('a'.repeat(" + (BIG - 1) + ") + '$'); data.send({n: 2});";

    private static final String RECEIVED = "return JSON.stringify(window.__dataIn);";

    private FirefoxDataChannels() {}

    static void exchange(FirefoxPage fox, RoomPage chrome, ProxiedServer server) throws Exception {
        String foxId = fox.selfId();
        String chromeId = chrome.selfId();
        awaitTrue(
                () -> fox.script("return !!(window.chorus.data && window.chorus.data.open);")
                        .asBoolean(),
                () -> "Firefox's data channels open");
        awaitTrue(
                () -> Boolean.TRUE.equals(chrome.script("return !!(window.chorus.data && window.chorus.data.open);")),
                () -> "Chromium's data channels open");
        fox.script(COLLECT);
        chrome.script(COLLECT);

        long t0 = System.nanoTime();
        fox.script(SEND);
        chrome.script(SEND);
        awaitTrue(() -> count(fox.script(RECEIVED).asText()) >= 4, () -> "Firefox got " + fox.script(RECEIVED));
        awaitTrue(
                () -> count(String.valueOf(chrome.script(RECEIVED))) >= 4,
                () -> "Chromium got " + chrome.script(RECEIVED));
        long millis = (System.nanoTime() - t0) / 1_000_000;

        JsonNode atFox = Json.read(fox.script(RECEIVED).asText());
        JsonNode atChrome = Json.read(String.valueOf(chrome.script(RECEIVED)));
        System.out.printf(
                "data channels Firefox<->Chromium: both ways in %d ms; at Firefox %s; at Chromium %s%n",
                millis, atFox, atChrome);
        expect(atFox, chromeId);
        expect(atChrome, foxId);

        // The SFU sees Firefox's unreliable channel as Firefox opened it.
        JsonNode channels = server.transport(foxId).path("dataChannels").path("channels");
        boolean unreliable = false;
        for (JsonNode c : channels) {
            if ("chorus-unreliable".equals(c.path("label").asText())) {
                unreliable = !c.path("ordered").asBoolean(true)
                        && c.path("maxRetransmits").asInt(-1) == 0;
            }
        }
        assertTrue(unreliable, "Firefox's chorus-unreliable at the SFU: " + channels);
        JsonNode sctp = server.transport(foxId).path("dataChannels").path("sctp");
        assertEquals(0, sctp.path("counters").path("malformed").size(), "nothing malformed from Firefox: " + sctp);
    }

    /** Both reliable messages in order, the big one whole, and the unreliable one, all from {@code sender}. */
    private static void expect(JsonNode got, String sender) {
        List<String> reliable = new ArrayList<>();
        boolean unreliable = false;
        for (JsonNode m : got) {
            assertEquals(sender, m.path("from").asText(), got.toString());
            if (m.path("reliable").asBoolean()) {
                reliable.add(
                        m.path("size").asInt() == BIG
                                        && "$".equals(m.path("tail").asText())
                                ? "big"
                                : m.path("head").asText());
            } else {
                unreliable |= "{\"u\":1}".equals(m.path("head").asText());
            }
        }
        assertEquals(List.of("{\"n\":1}", "big", "{\"n\":2}"), reliable, got.toString());
        assertTrue(unreliable, "the unreliable message: " + got);
    }

    private static int count(String json) {
        return Json.read(json).size();
    }

    private static void awaitTrue(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what.get());
            Thread.sleep(100);
        }
    }

    private static final class Json {
        private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
                new com.fasterxml.jackson.databind.ObjectMapper();

        static JsonNode read(String text) {
            try {
                return MAPPER.readTree(text);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }
    }
}
