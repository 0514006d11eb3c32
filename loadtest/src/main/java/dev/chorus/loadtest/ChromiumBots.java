package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.human;
import static dev.chorus.loadtest.LoadTestMain.sleepUntil;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load test with Chromium bots: every bot is a page of headless Chromium (several per browser process)
 * that joins through the real page, {@code /r/<room>?name=<name>}, publishing the fake camera and microphone;
 * subscribers add {@code &publish=0} and publish nothing. Once a second each page's getStats() counters are
 * read (chromium-collector.js) and, with the server's own figures (/metrics or /debug, /proc), turned into a
 * {@link Sample}. The steady window starts when every page is in and connected (or failed) and lasts
 * {@code --duration}; then the browsers are quit and ended by PID, also on failure or Ctrl-C. This class runs
 * the pages and the clock; {@link ChromiumSampler} makes each second's sample and {@link ChromiumReport} the
 * results.
 */
final class ChromiumBots {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** How long to wait for pages to load and connect beyond --ramp-up before measuring anyway. */
    static final Duration OPEN_GRACE_BASE = Duration.ofSeconds(30);

    static final Duration OPEN_GRACE_PER_PAGE = Duration.ofSeconds(2);

    private final LoadTestConfig config;
    private final PrintStream progress;
    private final ServerProbe probe;
    private final List<ChromiumPage> pages = new ArrayList<>();
    private final List<ChromiumBrowser> browsers = new CopyOnWriteArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final List<Double> steadyJitterBufferMs = new ArrayList<>();
    private final String collector;
    /** Set by the shutdown hook (Ctrl-C, SIGTERM): the browsers are being ended under the run. */
    private volatile boolean stopping;

    private ChromiumBots(LoadTestConfig config, PrintStream progress) throws IOException {
        this.config = config;
        this.progress = progress;
        this.probe = new ServerProbe(config.server(), config.serverPid());
        try (InputStream in = ChromiumBots.class.getResourceAsStream("chromium-collector.js")) {
            if (in == null) {
                throw new IOException("chromium-collector.js is missing from the jar");
            }
            this.collector = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String run(LoadTestConfig config, PrintStream progress) throws Exception {
        ChromiumBots bots = new ChromiumBots(config, progress);
        Thread hook = new Thread(
                () -> {
                    bots.stopping = true;
                    bots.closeBrowsers();
                },
                "chorus-chromium-shutdown");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: quit the browsers and end their processes
        try {
            return bots.run();
        } finally {
            bots.closeBrowsers();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private void closeBrowsers() {
        for (ChromiumBrowser b : browsers) {
            b.close();
        }
    }

    private String run() throws Exception {
        Files.createDirectories(config.reportDir());
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        int ppb = config.pagesPerBrowser();
        // Publishers of all rooms first, then subscribers, so subscribers find media when they arrive.
        for (int p = 0; p < config.publishers(); p++) {
            for (int r = 0; r < config.rooms(); r++) {
                int i = pages.size();
                pages.add(new ChromiumPage(
                        i, room(runId, r), "pub-" + r + "-" + p, true, config.publishers() - 1, i / ppb));
            }
        }
        for (int s = 0; s < config.subscribers(); s++) {
            for (int r = 0; r < config.rooms(); r++) {
                int i = pages.size();
                pages.add(
                        new ChromiumPage(i, room(runId, r), "sub-" + r + "-" + s, false, config.publishers(), i / ppb));
            }
        }
        int browserCount = (pages.size() + ppb - 1) / ppb;
        progress.printf(
                Locale.ROOT,
                "load test (chromium bots): %d room(s) x (%d publishers + %d subscribers) = %d"
                        + " pages in %d browser(s) of up to %d pages, ramp-up %s, duration %s, server %s%n",
                config.rooms(),
                config.publishers(),
                config.subscribers(),
                pages.size(),
                browserCount,
                ppb,
                human(config.rampUp()),
                human(config.duration()),
                config.server());
        ServerProbe.Counters first = probe.firstCounters(config.server());
        for (int b = 0; b < browserCount; b++) {
            long started = System.nanoTime();
            ChromiumBrowser browser = ChromiumBrowser.launch(b);
            browsers.add(browser);
            progress.printf(
                    Locale.ROOT,
                    "browser %d/%d started in %.1f s (pids %s)%n",
                    b + 1,
                    browserCount,
                    (System.nanoTime() - started) / 1e9,
                    browser.pids());
        }

        ScheduledExecutorService ramp = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chorus-chromium-ramp");
            t.setDaemon(true);
            return t;
        });
        try {
            return measure(ramp, first);
        } finally {
            ramp.shutdownNow();
        }
    }

    private String measure(ScheduledExecutorService ramp, ServerProbe.Counters first) throws Exception {
        long t0 = System.nanoTime();
        long rampNanos = config.rampUp().toNanos();
        for (ChromiumPage p : pages) {
            long at = pages.size() <= 1 ? 0 : rampNanos * p.index / pages.size();
            ramp.schedule(() -> browsers.get(p.browser).submit(() -> open(p)), at, TimeUnit.NANOSECONDS);
        }
        long openDeadline = t0 + rampNanos + OPEN_GRACE_BASE.toNanos() + OPEN_GRACE_PER_PAGE.toNanos() * pages.size();
        long steadyStartNanos = -1;
        long steadyEndNanos = Long.MAX_VALUE;
        ServerProbe.Mark previous = probe.mark(t0, first, t0);
        ServerProbe.Mark steadyStart = null;
        ServerProbe.Mark start = previous;
        long maxSeconds = (openDeadline - t0 + config.duration().toNanos()) / SECOND + 3;
        List<Future<?>> reads = new ArrayList<>();
        for (int i = 0; i < browsers.size(); i++) {
            reads.add(null);
        }
        for (int second = 1; second <= maxSeconds; second++) {
            if (stopping) {
                throw new InterruptedException("stopped by a signal; the browsers were ended, no report written");
            }
            long target = t0 + second * SECOND;
            sleepUntil(target - SECOND * 3 / 10);
            // Read the pages (one task per browser, in parallel), then sample at the full second.
            for (int b = 0; b < browsers.size(); b++) {
                Future<?> f = reads.get(b);
                if (f == null || f.isDone()) {
                    int browser = b;
                    try {
                        reads.set(b, browsers.get(b).submit(() -> {
                            readPages(browser);
                            return null;
                        }));
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        throw new InterruptedException(
                                "stopped by a signal; the browsers were ended, no report" + " written");
                    }
                }
            }
            for (Future<?> f : reads) {
                try {
                    f.get(Math.max(1, target - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException slow) {
                    // this browser's pages keep their previous reading this second
                } catch (Exception e) {
                    progress.println("reading pages failed: " + e);
                }
            }
            sleepUntil(target);
            long now = System.nanoTime();
            ServerProbe.Counters debug = probe.counters(Duration.ofMillis(800));
            ServerProbe.Mark current = probe.mark(now, debug, System.nanoTime());
            String phase = steadyStartNanos < 0 ? "ramp" : "steady";
            List<Double> jitterBuffer = new ArrayList<>();
            Sample sample =
                    ChromiumSampler.sample(pages, probe, (now - t0) / 1e9, phase, previous, current, jitterBuffer);
            samples.add(sample);
            if (phase.equals("steady")) {
                steadyJitterBufferMs.addAll(jitterBuffer);
            }
            printProgress(sample);
            previous = current;
            if (steadyStartNanos < 0) {
                boolean allIn = pages.stream()
                        .allMatch(p -> p.openDone
                                && (p.failed()
                                        || (p.latest.connected()
                                                && p.latest.inbound().stream()
                                                                .filter(PageSnapshot.Stream::video)
                                                                .count()
                                                        >= p.expectedVideos)));
                if ((allIn && now - t0 >= rampNanos) || now >= openDeadline) {
                    if (!allIn) {
                        progress.println("not every page joined and connected in time; measuring anyway");
                    }
                    steadyStartNanos = now;
                    steadyEndNanos = now + config.duration().toNanos();
                    steadyStart = current;
                    for (ChromiumPage p : pages) {
                        p.steadyStart = p.latest;
                    }
                }
            } else if (now >= steadyEndNanos - SECOND / 10) {
                break;
            }
        }
        if (steadyStart == null) {
            steadyStart = start;
        }
        for (ChromiumPage p : pages) {
            p.steadyEnd = p.latest;
            if (p.steadyStart == null) {
                p.steadyStart = PageSnapshot.EMPTY;
            }
        }
        return new ChromiumReport(config, progress, pages, browsers, samples, steadyJitterBufferMs)
                .write(steadyStart, previous);
    }

    private Void open(ChromiumPage p) {
        String url = config.server() + "/r/" + URLEncoder.encode(p.room, StandardCharsets.UTF_8) + "?name="
                + URLEncoder.encode(p.name, StandardCharsets.UTF_8) + (p.publisher ? "" : "&publish=0");
        try {
            p.handle = browsers.get(p.browser).open(url, collector, p.expectedVideos);
        } catch (RuntimeException e) {
            p.failure = "open: " + firstLine(e);
        } finally {
            p.openDone = true;
        }
        return null;
    }

    private void readPages(int browser) {
        ChromiumBrowser b = browsers.get(browser);
        for (ChromiumPage p : pages) {
            if (p.browser != browser || p.handle == null) {
                continue;
            }
            try {
                p.latest = b.snapshot(p.handle);
            } catch (RuntimeException e) {
                if (p.failure == null) {
                    p.failure = "stats: " + firstLine(e);
                }
            }
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    private static String room(String runId, int r) {
        return "load-" + runId + "-" + r;
    }

    private void printProgress(Sample s) {
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "[%5.0fs %-6s] pages %d/%d connected%s | decoded %s fps (slowest stream %s) | freezes %s"
                        + " | recv %s pps | loss %.3f%% | jitter buffer p99 %s ms",
                s.t(),
                s.phase(),
                s.botsConnected(),
                pages.size(),
                s.botsFailed() > 0 ? " (" + s.botsFailed() + " failed)" : "",
                f0(s.framesDecodedPs()),
                f0(s.minStreamFps()),
                f0(s.freezes()),
                f0(s.receivedPps()),
                s.loss() * 100,
                f0(s.jitterBufferP99Ms())));
        if (!Double.isNaN(s.forwardedPps())) {
            line.append(String.format(Locale.ROOT, " | server fwd %.0f pps", s.forwardedPps()));
        }
        if (!Double.isNaN(s.serverCpuCores())) {
            line.append(String.format(
                    Locale.ROOT,
                    " cpu %.2f cores rss %.0f MiB heap %.0f MiB",
                    s.serverCpuCores(),
                    s.serverRssMib(),
                    s.serverHeapMib()));
        }
        progress.println(line);
    }
}
