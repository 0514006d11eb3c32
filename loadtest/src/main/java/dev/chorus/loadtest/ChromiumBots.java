package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.f2;
import static dev.chorus.loadtest.LoadTestMain.human;
import static dev.chorus.loadtest.LoadTestMain.num;
import static dev.chorus.loadtest.LoadTestMain.percentile;
import static dev.chorus.loadtest.LoadTestMain.round;
import static dev.chorus.loadtest.LoadTestMain.sleepUntil;
import static dev.chorus.loadtest.LoadTestMain.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * {@code --duration}; then the browsers are quit and ended by PID, also on failure or Ctrl-C.
 */
final class ChromiumBots {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** How long to wait for pages to load and connect beyond --ramp-up before measuring anyway. */
    static final Duration OPEN_GRACE_BASE = Duration.ofSeconds(30);
    static final Duration OPEN_GRACE_PER_PAGE = Duration.ofSeconds(2);
    static final String LATENCY_FIGURE = "video_jitter_buffer_delay";
    static final String LATENCY_NOTE = "Browsers cannot measure one-way latency, so p99_latency_ms for Chromium bots"
            + " is the p99, over every remote video stream and second of the steady window, of the receiver's mean"
            + " jitter-buffer delay in that second (getStats jitterBufferDelay / jitterBufferEmittedCount): the time"
            + " frames waited in the receiving browser before decoding. It grows with network jitter and loss, and"
            + " also with the browser's audio/video synchronisation and with CPU starvation of the page; it is not"
            + " the time a packet spent in the SFU or on the wire. Loss is packetsLost / (packetsLost +"
            + " packetsReceived) over every remote stream; join to first frame is measured from the later of the"
            + " receiving and the publishing page's join.";

    /** One bot page. {@code latest} is written by its browser's thread, the rest by the sampling thread. */
    static final class Page {
        final int index;
        final String room;
        final String name;
        final boolean publisher;
        final int expectedVideos;
        final int browser;
        volatile String handle;
        volatile String failure;
        volatile boolean openDone;
        volatile PageSnapshot latest = PageSnapshot.EMPTY;
        PageSnapshot used = PageSnapshot.EMPTY;
        PageSnapshot steadyStart;
        PageSnapshot steadyEnd;

        Page(int index, String room, String name, boolean publisher, int expectedVideos, int browser) {
            this.index = index;
            this.room = room;
            this.name = name;
            this.publisher = publisher;
            this.expectedVideos = expectedVideos;
            this.browser = browser;
        }

        String role() {
            return publisher ? "publisher" : "subscriber";
        }

        boolean failed() {
            return failure != null || latest.mediaFailed();
        }
    }

    private final LoadTestConfig config;
    private final PrintStream progress;
    private final ServerProbe probe;
    private final List<Page> pages = new ArrayList<>();
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
        Thread hook = new Thread(() -> {
            bots.stopping = true;
            bots.closeBrowsers();
        }, "chorus-chromium-shutdown");
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
                pages.add(new Page(i, room(runId, r), "pub-" + r + "-" + p, true, config.publishers() - 1, i / ppb));
            }
        }
        for (int s = 0; s < config.subscribers(); s++) {
            for (int r = 0; r < config.rooms(); r++) {
                int i = pages.size();
                pages.add(new Page(i, room(runId, r), "sub-" + r + "-" + s, false, config.publishers(), i / ppb));
            }
        }
        int browserCount = (pages.size() + ppb - 1) / ppb;
        progress.printf(Locale.ROOT, "load test (chromium bots): %d room(s) x (%d publishers + %d subscribers) = %d"
                        + " pages in %d browser(s) of up to %d pages, ramp-up %s, duration %s, server %s%n",
                config.rooms(), config.publishers(), config.subscribers(), pages.size(), browserCount, ppb,
                human(config.rampUp()), human(config.duration()), config.server());
        ServerProbe.Counters first = probe.firstCounters(config.server());
        for (int b = 0; b < browserCount; b++) {
            long started = System.nanoTime();
            ChromiumBrowser browser = ChromiumBrowser.launch(b);
            browsers.add(browser);
            progress.printf(Locale.ROOT, "browser %d/%d started in %.1f s (pids %s)%n", b + 1, browserCount,
                    (System.nanoTime() - started) / 1e9, browser.pids());
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
        for (Page p : pages) {
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
                        throw new InterruptedException("stopped by a signal; the browsers were ended, no report"
                                + " written");
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
            Sample sample = sample((now - t0) / 1e9, phase, previous, current, jitterBuffer);
            samples.add(sample);
            if (phase.equals("steady")) {
                steadyJitterBufferMs.addAll(jitterBuffer);
            }
            printProgress(sample);
            previous = current;
            if (steadyStartNanos < 0) {
                boolean allIn = pages.stream().allMatch(p -> p.openDone
                        && (p.failed() || (p.latest.connected() && p.latest.inbound().stream()
                        .filter(PageSnapshot.Stream::video).count() >= p.expectedVideos)));
                if ((allIn && now - t0 >= rampNanos) || now >= openDeadline) {
                    if (!allIn) {
                        progress.println("not every page joined and connected in time; measuring anyway");
                    }
                    steadyStartNanos = now;
                    steadyEndNanos = now + config.duration().toNanos();
                    steadyStart = current;
                    for (Page p : pages) {
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
        for (Page p : pages) {
            p.steadyEnd = p.latest;
            if (p.steadyStart == null) {
                p.steadyStart = PageSnapshot.EMPTY;
            }
        }
        return writeReport(steadyStart, previous);
    }

    private Void open(Page p) {
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
        for (Page p : pages) {
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

    /** Rates over each page's own interval between its previous and latest reading, summed over pages. */
    private Sample sample(double t, String phase, ServerProbe.Mark a, ServerProbe.Mark b, List<Double> jitterBufferOut) {
        int started = 0;
        int connected = 0;
        int failed = 0;
        double sent = 0;
        double received = 0;
        long expected = 0;
        long lost = 0;
        double frames = 0;
        double minFps = Double.NaN;
        long freezes = 0;
        double freezeSeconds = 0;
        double jitterSum = 0;
        int jitterCount = 0;
        boolean anyRate = false;
        for (Page p : pages) {
            if (p.handle != null || p.failure != null) {
                started++;
            }
            PageSnapshot cur = p.latest;
            if (cur.connected()) {
                connected++;
            }
            if (p.failed()) {
                failed++;
            }
            PageSnapshot prev = p.used;
            if (!Double.isFinite(cur.at())) {
                continue; // not read yet, or its stats not polled yet
            }
            if (Double.isNaN(prev.at())) {
                p.used = cur; // its first reading: nothing to take a difference from
                continue;
            }
            if (!(cur.at() > prev.at())) {
                continue; // no new reading of this page this second
            }
            p.used = cur;
            double dt = (cur.at() - prev.at()) / 1000;
            anyRate = true;
            sent += Math.max(0, cur.packetsSent() - prev.packetsSent()) / dt;
            for (PageSnapshot.Stream s : cur.inbound()) {
                if (Double.isFinite(s.jitterSeconds())) {
                    jitterSum += s.jitterSeconds() * 1000;
                    jitterCount++;
                }
                PageSnapshot.Stream o = prev.stream(s.key());
                if (o == null) {
                    continue;
                }
                long dPackets = Math.max(0, s.packetsReceived() - o.packetsReceived());
                long dLost = Math.max(0, s.packetsLost() - o.packetsLost());
                received += dPackets / dt;
                expected += dPackets + dLost;
                lost += dLost;
                if (s.video()) {
                    double fps = Math.max(0, s.framesDecoded() - o.framesDecoded()) / dt;
                    frames += fps;
                    minFps = Double.isNaN(minFps) ? fps : Math.min(minFps, fps);
                    freezes += Math.max(0, s.freezeCount() - o.freezeCount());
                    freezeSeconds += Math.max(0, s.totalFreezesSeconds() - o.totalFreezesSeconds());
                    long emitted = s.jitterBufferEmitted() - o.jitterBufferEmitted();
                    if (emitted > 0) {
                        jitterBufferOut.add(Math.max(0, s.jitterBufferDelaySeconds() - o.jitterBufferDelaySeconds())
                                / emitted * 1000);
                    }
                }
            }
        }
        double cpu = b.cpuCoresSince(a);
        double forwarded = b.forwardedPpsSince(a);
        double processed = b.processedPpsSince(a);
        double[] jb = jitterBufferOut.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double nan = Double.NaN;
        return new Sample(round(t, 3), phase, started, connected, failed, anyRate ? sent : nan,
                anyRate ? received : nan, expected, lost, expected > 0 ? (double) lost / expected : 0.0, nan, nan, nan,
                jitterCount > 0 ? jitterSum / jitterCount : nan, cpu, probe.rssMib(),
                b.heapMib(), forwarded, processed,
                anyRate ? frames : nan, minFps, anyRate ? freezes : nan, anyRate ? freezeSeconds : nan,
                percentile(jb, 0.5), percentile(jb, 0.99));
    }

    private void printProgress(Sample s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%5.0fs %-6s] pages %d/%d connected%s | decoded %s fps (slowest stream %s) | freezes %s"
                        + " | recv %s pps | loss %.3f%% | jitter buffer p99 %s ms",
                s.t(), s.phase(), s.botsConnected(), pages.size(),
                s.botsFailed() > 0 ? " (" + s.botsFailed() + " failed)" : "", f0(s.framesDecodedPs()),
                f0(s.minStreamFps()), f0(s.freezes()), f0(s.receivedPps()), s.loss() * 100,
                f0(s.jitterBufferP99Ms())));
        if (!Double.isNaN(s.forwardedPps())) {
            line.append(String.format(Locale.ROOT, " | server fwd %.0f pps", s.forwardedPps()));
        }
        if (!Double.isNaN(s.serverCpuCores())) {
            line.append(String.format(Locale.ROOT, " cpu %.2f cores rss %.0f MiB heap %.0f MiB",
                    s.serverCpuCores(), s.serverRssMib(), s.serverHeapMib()));
        }
        progress.println(line);
    }

    /** Per remote stream of a page over the steady window, plus its join-to-first-frame. */
    private record StreamResult(Page page, String from, PageSnapshot.Stream last, double seconds, double fps,
                                long freezes, double freezeSeconds, long packets, long lost, double jitterBufferMs,
                                double joinToFirstFrameMs) {
    }

    private String writeReport(ServerProbe.Mark steadyStart, ServerProbe.Mark steadyEnd) throws IOException {
        Map<String, Page> bySelfId = new HashMap<>();
        for (Page p : pages) {
            if (p.latest.selfId() != null) {
                bySelfId.put(p.latest.selfId(), p);
            }
        }
        List<StreamResult> streams = new ArrayList<>();
        for (Page p : pages) {
            PageSnapshot a = p.steadyStart;
            PageSnapshot b = p.steadyEnd;
            double seconds = Double.isFinite(a.at()) && b.at() > a.at() ? (b.at() - a.at()) / 1000 : Double.NaN;
            for (PageSnapshot.Stream s : b.inbound()) {
                PageSnapshot.Stream o = a.stream(s.key());
                Page from = bySelfId.get(s.participantId());
                long packets = s.packetsReceived() - (o == null ? 0 : o.packetsReceived());
                long lost = Math.max(0, s.packetsLost() - (o == null ? 0 : o.packetsLost()));
                long frames = s.framesDecoded() - (o == null ? 0 : o.framesDecoded());
                long emitted = s.jitterBufferEmitted() - (o == null ? 0 : o.jitterBufferEmitted());
                double delay = s.jitterBufferDelaySeconds() - (o == null ? 0 : o.jitterBufferDelaySeconds());
                double joinToFrame = Double.NaN;
                if (s.video() && Double.isFinite(s.firstFrameAt()) && Double.isFinite(b.joinedAt())) {
                    double joined = b.joinedAt();
                    if (from != null && Double.isFinite(from.latest.joinedAt())) {
                        joined = Math.max(joined, from.latest.joinedAt());
                    }
                    joinToFrame = s.firstFrameAt() - joined;
                }
                streams.add(new StreamResult(p, from == null ? s.participantId() : from.name, s, seconds,
                        o == null || !Double.isFinite(seconds) ? Double.NaN : frames / seconds,
                        s.freezeCount() - (o == null ? 0 : o.freezeCount()),
                        s.totalFreezesSeconds() - (o == null ? 0 : o.totalFreezesSeconds()), packets, lost,
                        emitted > 0 ? delay / emitted * 1000 : Double.NaN, joinToFrame));
            }
        }

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "chorus-loadtest chromium bots");
        root.put("finishedAt", Instant.now().toString());
        ObjectNode c = root.putObject("config");
        c.put("bots", "chromium");
        c.put("server", config.server().toString());
        c.put("rooms", config.rooms());
        c.put("publishersPerRoom", config.publishers());
        c.put("subscribersPerRoom", config.subscribers());
        c.put("pages", pages.size());
        c.put("pagesPerBrowser", config.pagesPerBrowser());
        c.put("browsers", browsers.size());
        c.put("durationSeconds", config.duration().toMillis() / 1000.0);
        c.put("rampUpSeconds", config.rampUp().toMillis() / 1000.0);
        c.put("publisherUrl", "/r/<room>?name=<name> (fake camera and microphone)");
        c.put("subscriberUrl", "/r/<room>?name=<name>&publish=0 (receive-only)");
        c.put("chromium", ChromiumBrowser.BROWSER);
        c.put("chromedriver", ChromiumBrowser.DRIVER);
        c.put("latencyFigure", LATENCY_FIGURE);
        if (config.serverPid().isPresent()) {
            c.put("serverPid", config.serverPid().getAsLong());
        }
        root.put("latencyNote", LATENCY_NOTE);

        ArrayNode series = root.putArray("series");
        for (Sample s : samples) {
            ObjectNode o = series.addObject();
            o.put("t", s.t());
            o.put("phase", s.phase());
            o.put("pagesStarted", s.botsStarted());
            o.put("pagesConnected", s.botsConnected());
            o.put("pagesFailed", s.botsFailed());
            num(o, "sentPps", s.sentPps());
            num(o, "receivedPps", s.receivedPps());
            o.put("expectedPackets", s.expected());
            o.put("lostPackets", s.lost());
            num(o, "loss", s.loss());
            num(o, "framesDecodedPerSecond", s.framesDecodedPs());
            num(o, "slowestStreamFps", s.minStreamFps());
            num(o, "freezes", s.freezes());
            num(o, "freezeSeconds", s.freezeSeconds());
            num(o, "jitterMs", s.jitterMs());
            num(o, "jitterBufferP50Ms", s.jitterBufferP50Ms());
            num(o, "jitterBufferP99Ms", s.jitterBufferP99Ms());
            num(o, "serverCpuCores", s.serverCpuCores());
            num(o, "serverRssMib", s.serverRssMib());
            num(o, "serverHeapMib", s.serverHeapMib());
            num(o, "serverForwardedPps", s.forwardedPps());
            num(o, "serverProcessedPps", s.serverProcessedPps());
        }

        List<Sample> steadySamples = samples.stream().filter(s -> s.phase().equals("steady")).toList();
        double steadySeconds = Math.max(1e-3, (steadyEnd.nanos() - steadyStart.nanos()) / 1e9);
        double fwdPps = steadyEnd.forwardedPpsSince(steadyStart);
        double processedPps = steadyEnd.processedPpsSince(steadyStart);
        double cpuCores = steadyEnd.cpuCoresSince(steadyStart);
        long packets = streams.stream().mapToLong(StreamResult::packets).sum();
        long lost = streams.stream().mapToLong(StreamResult::lost).sum();
        double loss = packets + lost > 0 ? (double) lost / (packets + lost) : 0;
        List<StreamResult> videos = streams.stream().filter(s -> s.last.video()).toList();
        double[] fps = videos.stream().mapToDouble(StreamResult::fps).filter(Double::isFinite).sorted().toArray();
        long freezes = videos.stream().mapToLong(StreamResult::freezes).sum();
        double freezeSeconds = videos.stream().mapToDouble(StreamResult::freezeSeconds).sum();
        double[] jb = steadyJitterBufferMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] joinMs = videos.stream().mapToDouble(StreamResult::joinToFirstFrameMs).filter(Double::isFinite)
                .sorted().toArray();
        int expectedVideos = pages.stream().mapToInt(p -> p.expectedVideos).sum();
        double peakRss = samples.stream().mapToDouble(Sample::serverRssMib).filter(Double::isFinite).max()
                .orElse(Double.NaN);
        double meanJitter = steadySamples.stream().mapToDouble(Sample::jitterMs).filter(Double::isFinite).average()
                .orElse(Double.NaN);

        ObjectNode st = root.putObject("steady");
        st.put("seconds", round(steadySeconds, 3));
        num(st, "sentPps", steadySamples.stream().mapToDouble(Sample::sentPps).filter(Double::isFinite).average()
                .orElse(Double.NaN));
        num(st, "receivedPps", steadySamples.stream().mapToDouble(Sample::receivedPps).filter(Double::isFinite)
                .average().orElse(Double.NaN));
        st.put("packetsReceived", packets);
        st.put("packetsLost", lost);
        num(st, "loss", loss);
        st.put("lossDefinition", "packetsLost / (packetsLost + packetsReceived) over every remote stream (getStats)");
        num(st, "framesDecodedPerSecond", fps.length == 0 ? Double.NaN : java.util.Arrays.stream(fps).sum());
        ObjectNode fpsNode = st.putObject("streamFps");
        stats(fpsNode, fps);
        num(fpsNode, "min", fps.length == 0 ? Double.NaN : fps[0]);
        st.put("videoStreams", videos.size());
        st.put("expectedVideoStreams", expectedVideos);
        st.put("freezes", freezes);
        num(st, "freezeSeconds", freezeSeconds);
        num(st, "meanJitterMs", meanJitter);
        ObjectNode jbNode = st.putObject("jitterBufferDelayMs");
        jbNode.put("definition", "per remote video stream and second: jitterBufferDelay / jitterBufferEmittedCount");
        stats(jbNode, jb);
        num(st, "serverForwardedPps", fwdPps);
        num(st, "serverProcessedPps", processedPps);
        num(st, "serverCpuCores", cpuCores);
        num(st, "serverForwardedPpsPerCore", cpuCores > 0 ? fwdPps / cpuCores : Double.NaN);
        num(st, "serverPeakRssMib", peakRss);
        ObjectNode jt = root.putObject("joinToFirstFrameMs");
        jt.put("definition", "per remote video: first decoded frame (seen by a 100 ms getStats poll) minus the later"
                + " of the receiving page's and the publishing page's 'joined'");
        jt.put("expectedStreams", expectedVideos);
        stats(jt, joinMs);

        ArrayNode sj = root.putArray("streams");
        for (StreamResult s : streams) {
            ObjectNode o = sj.addObject();
            o.put("page", s.page.name);
            o.put("role", s.page.role());
            o.put("from", s.from);
            o.put("kind", s.last.kind());
            num(o, "steadySeconds", s.seconds);
            o.put("packetsReceived", s.packets);
            o.put("packetsLost", s.lost);
            num(o, "loss", s.packets + s.lost > 0 ? (double) s.lost / (s.packets + s.lost) : 0);
            num(o, "jitterMs", s.last.jitterSeconds() * 1000);
            if (s.last.video()) {
                num(o, "framesDecodedPerSecond", s.fps);
                o.put("framesDecodedTotal", s.last.framesDecoded());
                o.put("freezes", s.freezes);
                num(o, "freezeSeconds", s.freezeSeconds);
                num(o, "jitterBufferDelayMs", s.jitterBufferMs);
                num(o, "joinToFirstFrameMs", s.joinToFirstFrameMs);
            }
        }
        ArrayNode pj = root.putArray("pages");
        for (Page p : pages) {
            PageSnapshot s = p.latest;
            ObjectNode o = pj.addObject();
            o.put("name", p.name);
            o.put("room", p.room);
            o.put("role", p.role());
            o.put("browser", p.browser);
            o.put("state", s.state());
            o.put("connectionState", s.connectionState());
            o.put("serverMediaState", s.serverState());
            if (s.serverReason() != null) {
                o.put("serverMediaReason", s.serverReason());
            }
            o.put("expectedVideoStreams", p.expectedVideos);
            o.put("receivedVideoStreams", s.inbound().stream().filter(PageSnapshot.Stream::video).count());
            o.put("packetsSent", s.packetsSent());
            o.put("framesEncoded", s.framesEncoded());
            o.put("statsPolls", s.polls());
            o.put("statsErrors", s.errors());
            if (s.lastError() != null) {
                o.put("lastStatsError", s.lastError());
            }
            if (p.failure != null) {
                o.put("failure", p.failure);
            }
        }
        ArrayNode bj = root.putArray("browsers");
        for (ChromiumBrowser b : browsers) {
            ObjectNode o = bj.addObject();
            o.put("index", b.index);
            ArrayNode pids = o.putArray("pids");
            b.pids().forEach(pids::add);
        }

        long connected = pages.stream().filter(p -> p.latest.connected()).count();
        String summary = String.format(Locale.ROOT,
                "forwarded_pps=%s server_cpu_cores=%s forwarded_pps_per_core=%s loss=%s p99_latency_ms=%s"
                        + " latency_figure=%s frames_decoded_per_s=%s min_stream_fps=%s freezes=%d"
                        + " join_to_first_frame_p50_ms=%s pages=%d/%d",
                f0(fwdPps), f2(cpuCores), f0(cpuCores > 0 ? fwdPps / cpuCores : Double.NaN),
                String.format(Locale.ROOT, "%.4f%%", loss * 100), f2(percentile(jb, 0.99)), LATENCY_FIGURE,
                f0(fps.length == 0 ? Double.NaN : java.util.Arrays.stream(fps).sum()),
                f2(fps.length == 0 ? Double.NaN : fps[0]), freezes, f0(percentile(joinMs, 0.5)), connected,
                pages.size());
        root.put("summary", summary);

        Path json = config.reportDir().resolve("result.json");
        Files.writeString(json, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        for (StreamResult s : videos) {
            rows.add(new String[] {s.page.name, s.from, f2(s.fps), Long.toString(s.freezes), f2(s.freezeSeconds),
                String.format(Locale.ROOT, "%.3f%%", s.packets + s.lost > 0 ? 100.0 * s.lost / (s.packets + s.lost) : 0),
                f2(s.last.jitterSeconds() * 1000), f2(s.jitterBufferMs), f0(s.joinToFirstFrameMs)});
        }
        Path html = config.reportDir().resolve("index.html");
        Files.writeString(html, Html.chromiumPage("Chorus load test, Chromium bots: " + config.rooms() + " x ("
                        + config.publishers() + " + " + config.subscribers() + ")", summary,
                mapper.writeValueAsString(c), LATENCY_NOTE, samples, rows), StandardCharsets.UTF_8);
        progress.println("report: " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
        return summary;
    }
}
