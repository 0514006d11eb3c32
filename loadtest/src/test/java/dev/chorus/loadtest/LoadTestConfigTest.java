package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadTestConfigTest {

    @Test
    void defaults() {
        LoadTestConfig c = LoadTestConfig.parse();
        assertEquals(URI.create("http://127.0.0.1:8080"), c.server());
        assertEquals(1, c.rooms());
        assertEquals(2, c.publishers());
        assertEquals(10, c.subscribers());
        assertEquals(Duration.ofSeconds(30), c.duration());
        assertEquals(Duration.ofSeconds(5), c.rampUp());
        assertEquals(Profile.P360, c.profile());
        assertTrue(c.serverPid().isEmpty());
        assertEquals(Path.of("loadtest/target/report"), c.reportDir());
        assertFalse(c.help());
        assertEquals(null, c.capacity(), "a fixed load unless --capacity");
        assertEquals(LoadTestConfig.BotKind.NATIVE, c.bots());
        assertEquals(6, c.pagesPerBrowser());
        assertEquals(URI.create("ws://127.0.0.1:8080/ws"), c.webSocketUri());
    }

    @Test
    void everyOptionInBothSpellings() {
        LoadTestConfig c = LoadTestConfig.parse("--server", "http://localhost:18090/", "--rooms=3",
                "--publishers", "4", "--subscribers=0", "--duration", "2m", "--ramp-up=1500ms",
                "--profile", "1080P", "--server-pid", "1234", "--report", "/tmp/x");
        assertEquals(URI.create("http://localhost:18090"), c.server());
        assertEquals(3, c.rooms());
        assertEquals(4, c.publishers());
        assertEquals(0, c.subscribers());
        assertEquals(12, c.totalBots());
        assertEquals(Duration.ofMinutes(2), c.duration());
        assertEquals(Duration.ofMillis(1500), c.rampUp());
        assertEquals(Profile.P1080, c.profile());
        assertEquals(1234, c.serverPid().getAsLong());
        assertEquals(Path.of("/tmp/x"), c.reportDir());
        assertEquals(Duration.ofSeconds(7), LoadTestConfig.parse("--duration", "7").duration());
        assertTrue(LoadTestConfig.parse("--help").help());
    }

    @Test
    void chromiumBots() {
        LoadTestConfig c = LoadTestConfig.parse("--bots", "Chromium", "--pages-per-browser=16", "--publishers", "2",
                "--subscribers", "4");
        assertEquals(LoadTestConfig.BotKind.CHROMIUM, c.bots());
        assertEquals(16, c.pagesPerBrowser());
        assertEquals(LoadTestConfig.BotKind.NATIVE, LoadTestConfig.parse("--bots=native").bots());
        assertMessage("--bots must be native or chromium, not 'firefox'", "--bots", "firefox");
        assertMessage("--pages-per-browser must be between 1 and 16, got 17", "--bots", "chromium",
                "--pages-per-browser", "17");
        assertMessage("--pages-per-browser applies to --bots chromium only", "--pages-per-browser", "4");
        assertMessage("--profile applies to native bots; Chromium pages send what their fake camera and Chrome's"
                + " encoder make", "--bots", "chromium", "--profile", "720p");
        assertMessage("at most 200 Chromium pages, asked for 202 (rooms x (publishers + subscribers))",
                "--bots", "chromium", "--rooms", "2", "--publishers", "1", "--subscribers", "100");
    }

    @Test
    void loopbackServersOnly() {
        assertEquals(URI.create("http://[::1]:8080"), LoadTestConfig.parse("--server", "http://[::1]:8080").server());
        assertEquals(URI.create("https://127.0.0.2:8443"),
                LoadTestConfig.parse("--server", "https://127.0.0.2:8443").server());
        assertEquals(URI.create("wss://127.0.0.1:8443/ws"),
                LoadTestConfig.parse("--server", "https://127.0.0.1:8443").webSocketUri());
        for (String bad : new String[] {"http://10.1.2.3:8080", "http://example.com", "http://0.0.0.0:8080",
                "http://[2001:db8::1]:80", "http://192.168.0.1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoadTestConfig.parse("--server", bad), bad);
            assertTrue(e.getMessage().contains("must be on this machine"), e.getMessage());
        }
        for (String bad : new String[] {"ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:8080/room",
                "http://u:p@127.0.0.1:8080", "http://127.0.0.1:8080/?x=1", "http ://x"}) {
            assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--server", bad), bad);
        }
    }

    @Test
    void clearErrors() {
        assertMessage("--rooms must be between 1 and 1000, got 0", "--rooms", "0");
        assertMessage("--publishers must be a whole number, not 'two'", "--publishers", "two");
        assertMessage("--subscribers must be between 0 and 1000, got -1", "--subscribers", "-1");
        assertMessage("--duration must be a duration like 500ms, 30s, 5m or 1h, not '30 seconds'",
                "--duration", "30 seconds");
        assertMessage("--duration must be between 1s and 24h, got 500ms", "--duration", "500ms");
        assertMessage("--ramp-up must be between 0s and 1h, got 2h", "--ramp-up", "2h");
        assertMessage("--profile must be one of audio, 360p, 720p, 1080p, not '4k'", "--profile", "4k");
        assertMessage("--rooms needs a value", "--rooms");
        assertMessage("unknown option --room (see --help)", "--room", "1");
        assertMessage("unexpected argument 'rooms' (options start with --)", "rooms");
        assertMessage("--publishers + --subscribers must be at most 1000 per room, got 1001",
                "--publishers", "1", "--subscribers", "1000");
        assertMessage("at most 10000 bots in total, asked for 20000 (rooms x (publishers + subscribers))",
                "--rooms", "1000", "--publishers", "2", "--subscribers", "18");
        assertMessage("--server-pid must be between 1 and 2147483647, got 0", "--server-pid", "0");
    }

    @Test
    void profilesAverageTheirNominalBitrate() {
        for (Profile p : Profile.values()) {
            if (!p.hasVideo()) {
                continue;
            }
            int[] deltas = p.deltaFrameSizes();
            long deltaSum = 0;
            for (int d : deltas) {
                deltaSum += d;
                assertTrue(d > 0 && d < p.keyframeBytes(), p + " " + d);
            }
            double meanDelta = (double) deltaSum / deltas.length;
            int k = Profile.KEYFRAME_INTERVAL_FRAMES;
            double bitsPerSecond = ((k - 1) * meanDelta + p.keyframeBytes()) * 8.0 * Profile.FPS / k;
            assertEquals(p.videoBitsPerSecond(), bitsPerSecond, p.videoBitsPerSecond() * 0.01, p.token());
        }
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse(args));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void capacityOptionsHaveDefaultsAndLimits() {
        LoadTestConfig c = LoadTestConfig.parse("--capacity", "--server-pid", "42");
        LoadTestConfig.Capacity cap = c.capacity();
        assertEquals(1, cap.stepRooms());
        assertEquals(Duration.ofSeconds(15), cap.stepDuration());
        assertEquals(12, cap.maxSteps());
        assertEquals(0.01, cap.maxLoss(), 1e-12);
        assertEquals(50.0, cap.maxP99Millis(), 1e-12);

        cap = LoadTestConfig.parse("--capacity", "--server-pid=42", "--step-rooms", "3", "--step-duration=20s",
                "--max-steps", "5", "--max-loss-percent", "0.1", "--max-p99-ms=5").capacity();
        assertEquals(new LoadTestConfig.Capacity(3, Duration.ofSeconds(20), 5, 0.001, 5.0), cap);

        assertTrue(assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--capacity"))
                .getMessage().contains("--server-pid"), "the figure is per server core: the pid is required");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--capacity",
                "--server-pid", "1", "--bots", "chromium")).getMessage().contains("native bots"));
        assertThrows(IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--max-loss-percent", "abc"));
        assertThrows(IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--max-steps", "0"));
        assertThrows(IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--step-duration", "1s"));
        // 1 + 99 steps of 200-bot rooms would be 20,000 bots
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--capacity",
                "--server-pid", "1", "--subscribers", "198", "--max-steps", "100")).getMessage().contains("bots"));
    }
}
