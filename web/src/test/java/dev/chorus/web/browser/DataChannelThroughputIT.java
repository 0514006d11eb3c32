package dev.chorus.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not part of the suite (tag "benchmark"): what the room data relay carries between two Chromium pages
 * of one browser on loopback, page -> SFU -> page on the reliable channel. One-way latency is read on one clock
 * (both pages are in one browser process: {@code performance.timeOrigin + performance.now()}). Prints its figures;
 * README "Data channels" has the command and the figures of a run.
 */
@Tag("benchmark")
class DataChannelThroughputIT {
    /** The sender keeps at most this much queued in its browser (RTCDataChannel.bufferedAmount). */
    private static final int WINDOW = 1 << 20;

    private static TestServer server;
    private static Chromium.Started browser;

    @BeforeAll
    static void start() throws Exception {
        // The relay's per-participant rate limit (100 messages a second by default) would be the figure otherwise.
        server = TestServer.start(Map.of("chorus.media.data-relay-per-second", "1000000"));
        browser = Chromium.start(List.of(), Chromium.Camera.SMALL);
        browser.openWindow();
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    private static final String RESET = "window.__lat = []; window.__bytes = 0; window.__n = 0; window.__last = 0;";
    /** Logs, per message, its one-way latency and padding. */
    private static final String RECEIVER = RESET
            + "window.chorus.data.addEventListener('message', (e) => {"
            + "  const now = performance.timeOrigin + performance.now(); const d = e.detail.data;"
            + "  if (d && d.t !== undefined) { window.__lat.push(now - d.t); window.__n++;"
            + "    window.__bytes += (d.pad ? d.pad.length : 0); window.__last = now; } });";

    /** Sends {@code count} messages of {@code size} bytes of padding, as fast as the window allows. */
    private static final String BURST = "const done = arguments[arguments.length - 1];"
            + "const count = arguments[0], pad = 'x'.repeat(arguments[1]), window_ = arguments[2];"
            + "const data = window.chorus.data; let i = 0; const t0 = performance.timeOrigin + performance.now();"
            + "const pump = () => { while (i < count && data.bufferedAmount.reliable < window_) {"
            + "    data.send({t: performance.timeOrigin + performance.now(), pad}); i++; }"
            + "  if (i < count) setTimeout(pump, 1); else done(t0); };"
            + "pump();";

    /** Sends {@code count} small messages, one every {@code gapMs}. */
    private static final String PACED = "const done = arguments[arguments.length - 1];"
            + "const count = arguments[0], gap = arguments[1]; let i = 0;"
            + "const tick = () => { if (i === count) { done(0); return; }"
            + "  window.chorus.data.send({t: performance.timeOrigin + performance.now()}); i++; setTimeout(tick, gap); };"
            + "tick();";

    @Test
    void throughputAndLatencyBetweenTwoChromiumPages() throws Exception {
        RoomPage a = RoomPage.openIn(browser, server.url("/r/dcbench?name=A&publish=0"));
        RoomPage b = RoomPage.openIn(browser, server.url("/r/dcbench?name=B&publish=0"));
        try {
            a.awaitState("joined");
            b.awaitState("joined");
            a.awaitParticipants(List.of("A", "B"));
            for (RoomPage p : List.of(a, b)) {
                await(p, "return !!(window.chorus.data && window.chorus.data.open);");
            }
            // Warm up (JIT, congestion window), then measure.
            b.script(RECEIVER);
            a.asyncScript(BURST, 500, 1000, WINDOW);
            await(b, "return window.__n >= 500;");

            List<String> lines = new ArrayList<>();
            b.script(RESET);
            a.asyncScript(PACED, 300, 10);
            await(b, "return window.__n >= 300;");
            lines.add("paced, 100 messages/s of ~60 bytes: " + latency(b));
            for (int[] run : new int[][] {{5000, 100}, {5000, 1000}, {1000, 16_000}, {50, 200_000}}) {
                b.script(RESET);
                double t0 = ((Number) a.asyncScript(BURST, run[0], run[1], WINDOW)).doubleValue();
                await(b, "return window.__n >= " + run[0] + ";");
                double seconds = (((Number) b.script("return window.__last;")).doubleValue() - t0) / 1000;
                long bytes = ((Number) b.script("return window.__bytes;")).longValue();
                assertEquals((long) run[0] * run[1], bytes);
                lines.add(String.format(
                        "%d messages of %d bytes: %.0f messages/s, %.2f MB/s; %s",
                        run[0], run[1], run[0] / seconds, bytes / seconds / 1e6, latency(b)));
            }
            lines.forEach(l -> System.out.println("data channel throughput: " + l));
        } finally {
            a.close();
            b.close();
        }
    }

    /** p50/p99/max of the one-way latencies the receiver logged, in ms. */
    private static String latency(RoomPage receiver) {
        List<Double> l = ((List<?>) receiver.script("return window.__lat;"))
                .stream().map(x -> ((Number) x).doubleValue()).sorted().toList();
        return String.format(
                "one-way latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d messages)",
                l.get(l.size() / 2),
                l.get((int) Math.min(l.size() - 1, Math.ceil(l.size() * 0.99) - 1)),
                l.get(l.size() - 1),
                l.size());
    }

    private static void await(RoomPage page, String condition) throws InterruptedException {
        long end = System.nanoTime() + 120_000_000_000L;
        while (!Boolean.TRUE.equals(page.script(condition))) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for: " + condition);
            Thread.sleep(50);
        }
    }
}
