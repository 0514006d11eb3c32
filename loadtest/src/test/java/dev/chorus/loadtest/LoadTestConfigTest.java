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
        assertFalse(c.simulcast());
        assertEquals(null, c.view());
    }

    @Test
    void everyOptionInBothSpellings() {
        LoadTestConfig c = LoadTestConfig.parse(
                "--server",
                "http://localhost:18090/",
                "--rooms=3",
                "--publishers",
                "4",
                "--subscribers=0",
                "--duration",
                "2m",
                "--ramp-up=1500ms",
                "--profile",
                "1080P",
                "--server-pid",
                "1234",
                "--report",
                "/tmp/x");
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
        assertEquals(
                Duration.ofSeconds(7), LoadTestConfig.parse("--duration", "7").duration());
        assertTrue(LoadTestConfig.parse("--help").help());
    }

    @Test
    void qualityTable() {
        LoadTestConfig c =
                LoadTestConfig.parse("--quality", "--media-target", "127.0.0.1:18491", "--proxy-port", "18492");
        LoadTestConfig.Quality q = c.quality();
        assertEquals(java.util.List.of(0.0, 2.0, 5.0, 10.0), q.lossPercents());
        assertEquals(Duration.ofMillis(50), q.delay());
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 18491), q.mediaTarget());
        assertEquals(18492, q.proxyPort());
        assertEquals(Duration.ofSeconds(60), c.duration(), "a minute per level unless --duration");
        assertEquals(Path.of("loadtest/target"), c.reportDir());
        assertEquals(LoadTestConfig.BotKind.CHROMIUM, c.bots());
        assertEquals(2, c.publishers());
        assertEquals(0, c.subscribers());
        LoadTestConfig d = LoadTestConfig.parse(
                "--quality",
                "--media-target=[::1]:9",
                "--proxy-port=10",
                "--loss-levels",
                "0.5, 3",
                "--delay",
                "0ms",
                "--duration",
                "5s",
                "--seed",
                "-7");
        assertEquals(java.util.List.of(0.5, 3.0), d.quality().lossPercents());
        assertEquals(Duration.ZERO, d.quality().delay());
        assertEquals(-7, d.quality().seed());
        assertEquals(Duration.ofSeconds(5), d.duration());
        assertEquals(null, LoadTestConfig.parse().quality());

        assertMessage(
                "--quality needs --media-target (the SFU's UDP media address) and --proxy-port (the port the"
                        + " server announces as chorus.media.public-port)",
                "--quality",
                "--proxy-port",
                "5");
        assertMessage(
                "--media-target must be on this machine (loopback); refusing 192.0.2.1:10000",
                "--quality",
                "--media-target",
                "192.0.2.1:10000",
                "--proxy-port",
                "5");
        assertMessage(
                "--media-target needs an address literal (127.0.0.1 or ::1), not 'example.org'",
                "--quality",
                "--media-target",
                "example.org:1",
                "--proxy-port",
                "5");
        assertMessage(
                "--media-target must be HOST:PORT like 127.0.0.1:10000, not '127.0.0.1'",
                "--media-target",
                "127.0.0.1");
        assertMessage("--loss-levels must be between 0.0 and 100.0, got 101", "--loss-levels", "5,101");
        assertMessage("--loss-levels lists 5 twice", "--loss-levels", "5,5");
        assertMessage(
                "--proxy-port must differ from the --media-target port: the proxy sits in front of the SFU",
                "--quality",
                "--media-target",
                "127.0.0.1:9",
                "--proxy-port",
                "9");
        assertMessage(
                "--quality always runs a two-party Chromium call; drop --publishers, --subscribers",
                "--quality",
                "--media-target",
                "127.0.0.1:9",
                "--proxy-port",
                "10",
                "--subscribers",
                "3",
                "--publishers",
                "3");
        assertMessage(
                "--quality and --capacity are two different runs: pick one",
                "--quality",
                "--capacity",
                "--server-pid",
                "1",
                "--media-target",
                "127.0.0.1:9",
                "--proxy-port",
                "10");
        assertMessage("--media-target and --proxy-port apply to --quality only", "--proxy-port", "10");
    }

    @Test
    void chromiumBots() {
        LoadTestConfig c = LoadTestConfig.parse(
                "--bots", "Chromium", "--pages-per-browser=16", "--publishers", "2", "--subscribers", "4");
        assertEquals(LoadTestConfig.BotKind.CHROMIUM, c.bots());
        assertEquals(16, c.pagesPerBrowser());
        assertEquals(
                LoadTestConfig.BotKind.NATIVE,
                LoadTestConfig.parse("--bots=native").bots());
        assertMessage("--bots must be native or chromium, not 'firefox'", "--bots", "firefox");
        assertMessage(
                "--pages-per-browser must be between 1 and 16, got 17",
                "--bots",
                "chromium",
                "--pages-per-browser",
                "17");
        assertMessage("--pages-per-browser applies to --bots chromium only", "--pages-per-browser", "4");
        assertMessage(
                "--profile applies to native bots; Chromium pages send what their fake camera and Chrome's"
                        + " encoder make",
                "--bots",
                "chromium",
                "--profile",
                "720p");
        assertMessage(
                "at most 200 Chromium pages, asked for 202 (rooms x (publishers + subscribers))",
                "--bots",
                "chromium",
                "--rooms",
                "2",
                "--publishers",
                "1",
                "--subscribers",
                "100");
    }

    @Test
    void simulcastAndViewSize() {
        LoadTestConfig plain = LoadTestConfig.parse();
        assertFalse(plain.simulcast(), "one stream per video unless --simulcast");
        assertEquals(null, plain.view(), "no view message unless --view");

        LoadTestConfig c = LoadTestConfig.parse("--simulcast", "--view", "320x180", "--profile", "720p");
        assertTrue(c.simulcast());
        assertEquals(new LoadTestConfig.ViewSize(320, 180), c.view());
        assertEquals("320x180", c.view().toString());
        assertEquals(
                new LoadTestConfig.ViewSize(1920, 1080),
                LoadTestConfig.parse("--simulcast", "--view=1920X1080").view());
        assertEquals(
                new LoadTestConfig.ViewSize(16384, 1),
                LoadTestConfig.parse("--simulcast", "--view", " 16384 x 1 ").view());
        assertTrue(LoadTestConfig.parse("--simulcast").simulcast());
        assertEquals(
                new LoadTestConfig.ViewSize(640, 360),
                LoadTestConfig.parse("--simulcast", "--view", "1x1", "--view", "640x360")
                        .view(),
                "the last --view counts, as for every option");

        assertMessage("--view must be WIDTHxHEIGHT in device pixels like 320x180, not '320'", "--view", "320");
        assertMessage("--view must be WIDTHxHEIGHT in device pixels like 320x180, not '320x'", "--view", "320x");
        assertMessage(
                "--view must be WIDTHxHEIGHT in device pixels like 320x180, not '-320x180'", "--view", "-320x180");
        assertMessage("--view must be WIDTHxHEIGHT in device pixels like 320x180, not '320*180'", "--view", "320*180");
        assertMessage("--view width must be between 1 and 16384, got 0", "--simulcast", "--view", "0x180");
        assertMessage("--view height must be between 1 and 16384, got 16385", "--simulcast", "--view", "320x16385");
        assertMessage("--view needs a value", "--simulcast", "--view");
        assertMessage(
                "--view needs --simulcast: the server picks a layer by view size only among a publisher's simulcast"
                        + " layers",
                "--view",
                "320x180");
        assertMessage(
                "--simulcast needs a video profile (360p, 720p or 1080p), not --profile audio",
                "--simulcast",
                "--profile",
                "audio");
        assertMessage(
                "--simulcast and --view apply to native bots; Chromium pages send simulcast when the server's"
                        + " chorus.rooms.simulcast-from says so and report the sizes they show themselves",
                "--bots",
                "chromium",
                "--simulcast",
                "--view",
                "320x180");
        assertMessage(
                "--view applies to native bots; Chromium pages send simulcast when the server's"
                        + " chorus.rooms.simulcast-from says so and report the sizes they show themselves",
                "--bots",
                "chromium",
                "--view",
                "320x180");
        assertMessage(
                "--simulcast applies to a fixed load, not to --capacity",
                "--capacity",
                "--server-pid",
                "1",
                "--simulcast");
        assertMessage(
                "--quality always runs a two-party Chromium call; drop --simulcast, --view",
                "--quality",
                "--media-target",
                "127.0.0.1:9",
                "--proxy-port",
                "10",
                "--simulcast",
                "--view",
                "320x180");
    }

    @Test
    void speechAndLastN() {
        LoadTestConfig plain = LoadTestConfig.parse();
        assertEquals(LoadTestConfig.LargeRoom.NONE, plain.largeRoom());
        assertFalse(plain.largeRoom().selective(), "everyone gets everything unless asked");

        LoadTestConfig c = LoadTestConfig.parse("--speech", "3s", "--last-n=6");
        assertEquals(Duration.ofSeconds(3), c.largeRoom().speechTurn());
        assertEquals(6, c.largeRoom().lastN());
        assertTrue(c.largeRoom().speech());
        assertTrue(c.largeRoom().selective());
        assertEquals(0, LoadTestConfig.parse("--speech", "1s").largeRoom().lastN(), "0: the server's last-N");
        assertFalse(LoadTestConfig.parse("--last-n", "1").largeRoom().speech());

        assertMessage("--last-n must be between 1 and 256, got 0", "--last-n", "0");
        assertMessage("--speech must be between 1s and 10m, got 100ms", "--speech", "100ms");
        assertMessage("--speech needs a value", "--speech");
        assertMessage(
                "--speech and --last-n apply to native bots of a fixed load", "--bots", "chromium", "--last-n", "4");
        assertMessage(
                "--speech and --last-n apply to native bots of a fixed load",
                "--capacity",
                "--server-pid",
                "1",
                "--speech",
                "2s");
        assertMessage(
                "--quality always runs a two-party Chromium call; drop --last-n",
                "--quality",
                "--media-target",
                "127.0.0.1:9",
                "--proxy-port",
                "10",
                "--last-n",
                "3");
    }

    @Test
    void broadcastMakesTheSubscribersViewers() {
        assertFalse(LoadTestConfig.parse().largeRoom().broadcast());
        LoadTestConfig c = LoadTestConfig.parse("--publishers", "1", "--subscribers", "400", "--broadcast");
        assertTrue(c.largeRoom().broadcast());
        assertFalse(c.largeRoom().selective(), "viewers get everything the presenters send");
        assertEquals(400, c.subscribers());
        assertTrue(
                LoadTestConfig.parse("--broadcast", "--last-n", "2").largeRoom().broadcast());

        assertMessage("--broadcast applies to native bots of a fixed load", "--bots", "chromium", "--broadcast");
        assertMessage(
                "--broadcast applies to native bots of a fixed load", "--capacity", "--server-pid", "1", "--broadcast");
    }

    @Test
    void theReportSaysWhenTheGeneratorOrTheMachineIsTheLimit() {
        RunLimit fine = new RunLimit(0.5, 1, 0, 0.4, 1.2, 12.5, 0.001, 1000, 0, 30);
        assertEquals(null, fine.note());
        assertTrue(fine.withinLimits());
        assertFalse(fine.generatorLimited());
        assertEquals(null, new RunLimit(1.7, 2, 0, 0.4, 1, 3, 0, 1000, 0, 30).note());
        RunLimit cpu = new RunLimit(0.95, 1, 0, 0.4, 1, 3, 0, 1000, 0, 30);
        assertEquals(
                "the load generator used 0.95 of its 1 CPU: it, not the server, is probably the limit", cpu.note());
        assertTrue(cpu.generatorLimited());
        assertEquals(
                "the load generator used 1.86 of its 2 CPUs: it, not the server, is probably the limit",
                new RunLimit(1.86, 2, 0, 0.4, 1, 3, 0, 1000, 0, 30).note());
        RunLimit behind = new RunLimit(0.2, 2, 12, 0.4, 1, 3, 0, 1000, 0, 30);
        assertEquals(
                "the load generator fell behind its schedule (12 sends skipped): it, not the server, is the limit",
                behind.note());
        assertTrue(behind.generatorLimited());
        RunLimit queued = new RunLimit(1.2, 2, 0, 0.45, 1785.9, 2129.9, 0, 1000, 0, 30);
        assertFalse(queued.generatorLimited(), "neither process used its CPUs: the cause is not known");
        assertFalse(queued.withinLimits());
        assertEquals(
                "median one-way latency 1785.9 ms, loss 0.000%: packets queued or were dropped in the server, in the"
                        + " load generator or while waiting for a CPU (server used 0.45 cores, generator 1.20):"
                        + " figures of an overloaded machine",
                queued.note());
        RunLimit bursts = new RunLimit(0.7, 2, 0, 0.46, 2.0, 340.0, 0, 1000, 0, 30);
        assertFalse(bursts.withinLimits());
        assertEquals(
                "p99 one-way latency 340.0 ms over 50 ms while the median is 2.0 ms: bursts of delay (a process"
                        + " waiting for a CPU, garbage collection), no standing queue",
                bursts.note());
        assertTrue(new RunLimit(0.5, 2, 0, Double.NaN, 1, 3, 0.02, 1000, 0, 30)
                .note()
                .startsWith("median one-way latency 1.0 ms, loss 2.000%"));
        assertEquals(
                "no media arrived at the bots in the steady window (did they connect? see bots.mediaConnectMs)",
                new RunLimit(0.5, 2, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, 30).note());
    }

    @Test
    void aRunWithBotsThatDidNotConnectIsOutOfLimits() {
        RunLimit partly = new RunLimit(0.5, 2, 0, 0.2, 1.6, 10.6, 0, 1000, 18, 30);
        assertFalse(partly.withinLimits());
        assertEquals(
                "18 of 30 bots were not connected in the steady window (see bots.failureReasons): the room was"
                        + " smaller than asked",
                partly.note());
    }

    @Test
    void subscribersWithoutVideoAreCounted() {
        assertEquals(0, VideoFigures.withoutVideo(new double[0]));
        assertEquals(2, VideoFigures.withoutVideo(new double[] {0, 0.4, 85.7, 313}));
        assertEquals(313, VideoFigures.mean(new double[] {313, 313}), 1e-9);
        assertTrue(Double.isNaN(VideoFigures.mean(new double[0])));
    }

    @Test
    void simulcastTopLayerSizesFollowTheProfile() {
        assertEquals(640, Profile.P360.frameWidth());
        assertEquals(360, Profile.P360.frameHeight());
        assertEquals(1280, Profile.P720.frameWidth());
        assertEquals(720, Profile.P720.frameHeight());
        assertEquals(1920, Profile.P1080.frameWidth());
        assertEquals(1080, Profile.P1080.frameHeight());
    }

    @Test
    void loopbackServersOnly() {
        assertEquals(
                URI.create("http://[::1]:8080"),
                LoadTestConfig.parse("--server", "http://[::1]:8080").server());
        assertEquals(
                URI.create("https://127.0.0.2:8443"),
                LoadTestConfig.parse("--server", "https://127.0.0.2:8443").server());
        assertEquals(
                URI.create("wss://127.0.0.1:8443/ws"),
                LoadTestConfig.parse("--server", "https://127.0.0.1:8443").webSocketUri());
        for (String bad : new String[] {
            "http://10.1.2.3:8080",
            "http://example.com",
            "http://0.0.0.0:8080",
            "http://[2001:db8::1]:80",
            "http://192.168.0.1"
        }) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--server", bad), bad);
            assertTrue(e.getMessage().contains("must be on this machine"), e.getMessage());
        }
        for (String bad : new String[] {
            "ftp://127.0.0.1",
            "127.0.0.1:8080",
            "http://127.0.0.1:8080/room",
            "http://u:p@127.0.0.1:8080",
            "http://127.0.0.1:8080/?x=1",
            "http ://x"
        }) {
            assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--server", bad), bad);
        }
    }

    @Test
    void clearErrors() {
        assertMessage("--rooms must be between 1 and 1000, got 0", "--rooms", "0");
        assertMessage("--publishers must be a whole number, not 'two'", "--publishers", "two");
        assertMessage("--subscribers must be between 0 and 1000, got -1", "--subscribers", "-1");
        assertMessage(
                "--duration must be a duration like 500ms, 30s, 5m or 1h, not '30 seconds'",
                "--duration",
                "30 seconds");
        assertMessage("--duration must be between 1s and 24h, got 500ms", "--duration", "500ms");
        assertMessage("--ramp-up must be between 0s and 1h, got 2h", "--ramp-up", "2h");
        assertMessage("--profile must be one of audio, 360p, 720p, 1080p, not '4k'", "--profile", "4k");
        assertMessage("--rooms needs a value", "--rooms");
        assertMessage("unknown option --room (see --help)", "--room", "1");
        assertMessage("unexpected argument 'rooms' (options start with --)", "rooms");
        assertMessage(
                "--publishers + --subscribers must be at most 1000 per room, got 1001",
                "--publishers",
                "1",
                "--subscribers",
                "1000");
        assertMessage(
                "at most 10000 bots in total, asked for 20000 (rooms x (publishers + subscribers))",
                "--rooms",
                "1000",
                "--publishers",
                "2",
                "--subscribers",
                "18");
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

        cap = LoadTestConfig.parse(
                        "--capacity",
                        "--server-pid=42",
                        "--step-rooms",
                        "3",
                        "--step-duration=20s",
                        "--max-steps",
                        "5",
                        "--max-loss-percent",
                        "0.1",
                        "--max-p99-ms=5")
                .capacity();
        assertEquals(new LoadTestConfig.Capacity(3, Duration.ofSeconds(20), 5, 0.001, 5.0), cap);

        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> LoadTestConfig.parse("--capacity"))
                        .getMessage()
                        .contains("--server-pid"),
                "the figure is per server core: the pid is required");
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--bots", "chromium"))
                .getMessage()
                .contains("native bots"));
        assertThrows(
                IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--max-loss-percent", "abc"));
        assertThrows(
                IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--max-steps", "0"));
        assertThrows(
                IllegalArgumentException.class,
                () -> LoadTestConfig.parse("--capacity", "--server-pid", "1", "--step-duration", "1s"));
        // 1 + 99 steps of 200-bot rooms would be 20,000 bots
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> LoadTestConfig.parse(
                                "--capacity", "--server-pid", "1", "--subscribers", "198", "--max-steps", "100"))
                .getMessage()
                .contains("bots"));
    }
}
