package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load-test CLI: starts native bots (or, with {@code --bots chromium}, {@link ChromiumBots}) against a running server, samples once a second, prints a progress
 * line on stderr, writes {@code result.json} and {@code index.html} to the report directory and one summary
 * line on stdout. Exit code 0 after a completed run (whatever the numbers), 2 on bad arguments, 1 on a
 * failure of the tool itself.
 */
public final class LoadTestMain {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** The generator's CPU time and skipped sends when a snapshot was taken. */
    private record GeneratorMark(double cpuSeconds, long pacerSkipped) {}

    private final LoadTestConfig config;
    private final PrintStream progress;
    private final Fleet fleet;
    private final List<Bot> bots;
    private final List<Sample> samples = new ArrayList<>();
    private final ServerProbe probe;
    private final LargeRoomFigures largeRoom = new LargeRoomFigures();
    /** Who speaks when ({@code --speech}); null: nobody. */
    private final Speech speech;
    /** When the bots stopped sending (nanoTime). */
    private long sendingEndNanos;
    /** This process: the load generator's own CPU time, to tell when it, not the server, is the limit. */
    private final ServerProbe self =
            new ServerProbe(null, OptionalLong.of(ProcessHandle.current().pid()));

    private LoadTestMain(LoadTestConfig config, PrintStream progress) {
        this.config = config;
        this.progress = progress;
        this.probe = new ServerProbe(config.server(), config.serverPid());
        this.fleet = new Fleet(probe);
        this.bots = fleet.bots();
        this.speech =
                config.largeRoom().speech() ? new Speech(config.largeRoom().speechTurn()) : null;
    }

    public static void main(String[] args) {
        LoadTestConfig config;
        try {
            config = LoadTestConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("run with --help for the options");
            System.exit(2);
            return;
        }
        if (config.help()) {
            LoadTestCommandLine.usage(System.out);
            return;
        }
        quietJulLogging();
        int code;
        try {
            String summary = execute(config, System.err);
            System.out.println(summary);
            code = 0;
        } catch (InterruptedException e) {
            System.err.println("load test stopped: " + e.getMessage());
            code = 130;
        } catch (Exception | Error e) {
            System.err.println("load test failed: " + e);
            e.printStackTrace(System.err);
            code = 1;
        }
        System.exit(code); // ice4j and Vert.x leave non-daemon threads behind
    }

    /** Runs the configured load test (native or Chromium bots); returns the summary line. */
    static String execute(LoadTestConfig config, PrintStream progress) throws Exception {
        if (config.capacity() != null) {
            return new CapacityRun(config, progress).run();
        }
        if (config.quality() != null) {
            return QualityRun.run(config, progress);
        }
        return config.bots() == LoadTestConfig.BotKind.CHROMIUM
                ? ChromiumBots.run(config, progress)
                : new LoadTestMain(config, progress).run();
    }

    /**
     * ice4j logs through java.util.logging, at INFO/WARNING for every closed socket and stray connectivity check
     * of hundreds of bots; keep only SEVERE so the progress line stays readable.
     */
    private static void quietJulLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.SEVERE);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    private String run() throws Exception {
        Files.createDirectories(config.reportDir());
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        // Publishers of all rooms first (round-robin over rooms), then subscribers, so subscribers find media.
        for (int p = 0; p < config.publishers(); p++) {
            for (int r = 0; r < config.rooms(); r++) {
                fleet.add(new Bot(
                        bots.size(),
                        room(runId, r),
                        "pub-" + r + "-" + p,
                        true,
                        config.profile(),
                        config.publishers(),
                        config.simulcast(),
                        config.view(),
                        p,
                        speech,
                        config.largeRoom().lastN()));
            }
        }
        for (int s = 0; s < config.subscribers(); s++) {
            for (int r = 0; r < config.rooms(); r++) {
                fleet.add(new Bot(
                                bots.size(),
                                room(runId, r),
                                "sub-" + r + "-" + s,
                                false,
                                config.profile(),
                                config.publishers(),
                                config.simulcast(),
                                config.view(),
                                -1,
                                speech,
                                config.largeRoom().lastN())
                        .asViewer(config.largeRoom().broadcast()));
            }
        }
        progress.printf(
                Locale.ROOT,
                "load test: %d room(s) x (%d publishers + %d subscribers) = %d bots, profile %s%s%s,"
                        + " ramp-up %s, duration %s, server %s%n",
                config.rooms(),
                config.publishers(),
                config.subscribers(),
                bots.size(),
                config.profile().token(),
                config.simulcast() ? " simulcast " + VideoFigures.SIMULCAST_RIDS : "",
                config.view() == null ? "" : ", view " + config.view(),
                human(config.rampUp()),
                human(config.duration()),
                config.server());
        ServerProbe.Counters first = probe.firstCounters(config.server());

        BotRuntime runtime = new BotRuntime(config, "chorus-load-ramp", progress);
        Pacer pacer = runtime.pacer;
        long t0 = System.nanoTime();
        long rampNanos = config.rampUp().toNanos();
        long steadyEnd = t0 + rampNanos + config.duration().toNanos();
        long drainEnd = steadyEnd + LoadTestConfig.DRAIN.toNanos();
        for (Bot b : bots) {
            long at = bots.size() <= 1 ? 0 : rampNanos * b.index / bots.size();
            runtime.startLater(b, at, () -> System.nanoTime() < steadyEnd);
        }

        Fleet.Totals start = fleet.totals(t0, first, t0);
        Fleet.Totals previous = start;
        Fleet.Totals steadyStart = null;
        Fleet.Totals steadyLast = null;
        Fleet.Totals firstSteady = null;
        Fleet.Totals lastSteady = null;
        GeneratorMark genStart = new GeneratorMark(self.cpuSeconds(), 0);
        GeneratorMark genPrevious = genStart;
        GeneratorMark genSteadyStart = null;
        GeneratorMark genSteadyLast = null;
        GeneratorMark genFirstSteady = null;
        GeneratorMark genLastSteady = null;
        boolean sending = true;
        for (int second = 1; ; second++) {
            long target = t0 + second * SECOND;
            if (target > drainEnd + SECOND / 2) {
                break;
            }
            sleepUntil(target);
            long now = System.nanoTime();
            if (sending && now >= steadyEnd) {
                runtime.stopSending();
                sending = false;
            }
            ServerProbe.Counters debug = probe.counters(Duration.ofMillis(800));
            Fleet.Totals current = fleet.totals(now, debug, System.nanoTime());
            GeneratorMark gen = new GeneratorMark(self.cpuSeconds(), pacer.skipped());
            double t = (now - t0) / 1e9;
            String phase = t <= rampNanos / 1e9 + 0.001 ? "ramp" : now <= steadyEnd + SECOND / 10 ? "steady" : "drain";
            Sample sample = fleet.sample(t, phase, previous, current);
            samples.add(sample);
            printProgress(sample);
            // The steady window starts once ramp-up is over and every bot has connected or failed (a bot
            // started late in the ramp may take a second or two more), so it measures full load only.
            if (phase.equals("steady")) {
                largeRoom.settleWhen(steadyStart != null, sample, now, speech);
                largeRoom.sample(bots, now);
                if (firstSteady == null) {
                    firstSteady = previous;
                    genFirstSteady = genPrevious;
                }
                lastSteady = current;
                genLastSteady = gen;
                if (steadyStart == null && sample.botsConnected() + sample.botsFailed() == bots.size()) {
                    steadyStart = current;
                    genSteadyStart = gen;
                } else if (steadyStart != null) {
                    steadyLast = current;
                    genSteadyLast = gen;
                }
            }
            previous = current;
            genPrevious = gen;
        }
        Fleet.Totals end = previous;
        long[] layers = VideoFigures.receivedLayers(bots);
        for (Bot b : bots) {
            b.close();
        }
        runtime.close();
        if (steadyStart == null || steadyLast == null) {
            // never all connected, or too short: take the whole post-ramp window (or, failing that, the run)
            steadyStart = firstSteady != null ? firstSteady : start;
            steadyLast = lastSteady != null ? lastSteady : end;
            genSteadyStart = genFirstSteady != null ? genFirstSteady : genStart;
            genSteadyLast = genLastSteady != null ? genLastSteady : genPrevious;
        }
        double steadySeconds = Math.max(1e-3, (steadyLast.nanos() - steadyStart.nanos()) / 1e9);
        double generatorCores = (genSteadyLast.cpuSeconds() - genSteadyStart.cpuSeconds()) / steadySeconds;
        long skipped = genSteadyLast.pacerSkipped() - genSteadyStart.pacerSkipped();
        sendingEndNanos = steadyEnd;
        return writeReport(start, steadyStart, steadyLast, end, pacer, generatorCores, skipped, layers);
    }

    private static String room(String runId, int r) {
        return "load-" + runId + "-" + r;
    }

    private void printProgress(Sample s) {
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "[%5.0fs %-6s] bots %d/%d connected%s | sent %.0f pps | recv %.0f pps | loss %.3f%% | p99 %s ms",
                s.t(),
                s.phase(),
                s.botsConnected(),
                bots.size(),
                s.botsFailed() > 0 ? " (" + s.botsFailed() + " failed)" : "",
                s.sentPps(),
                s.receivedPps(),
                s.loss() * 100,
                Double.isNaN(s.p99Ms()) ? "-" : String.format(Locale.ROOT, "%.2f", s.p99Ms())));
        if (Double.isFinite(s.subscriberVideoKbps())) {
            line.append(String.format(Locale.ROOT, " | video/sub %.0f kbps", s.subscriberVideoKbps()));
        }
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

    private String writeReport(
            Fleet.Totals start,
            Fleet.Totals steadyStart,
            Fleet.Totals steadyEnd,
            Fleet.Totals end,
            Pacer pacer,
            double generatorCores,
            long pacerSkipped,
            long[] receivedLayers)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "chorus-loadtest native bots");
        root.put("finishedAt", Instant.now().toString());
        ObjectNode c = root.putObject("config");
        c.put("server", config.server().toString());
        c.put("rooms", config.rooms());
        c.put("publishersPerRoom", config.publishers());
        c.put("subscribersPerRoom", config.subscribers());
        c.put("bots", bots.size());
        c.put("durationSeconds", config.duration().toMillis() / 1000.0);
        c.put("rampUpSeconds", config.rampUp().toMillis() / 1000.0);
        c.put("drainSeconds", LoadTestConfig.DRAIN.toMillis() / 1000.0);
        c.put("profile", config.profile().token());
        c.put("videoBitsPerSecond", config.profile().videoBitsPerSecond());
        c.put("videoFps", config.profile().hasVideo() ? Profile.FPS : 0);
        c.put("keyframeIntervalFrames", Profile.KEYFRAME_INTERVAL_FRAMES);
        c.put(
                "meanDeltaFrameBytes",
                config.profile().hasVideo() ? config.profile().meanDeltaFrameBytes() : 0);
        c.put("keyframeBytes", config.profile().hasVideo() ? config.profile().keyframeBytes() : 0);
        c.put("audioPacketsPerSecond", Profile.AUDIO_PACKETS_PER_SECOND);
        c.put("simulcast", config.simulcast());
        if (config.simulcast()) {
            c.put("simulcastLayers", String.join(",", VideoFigures.SIMULCAST_RIDS));
            c.put(
                    "topLayerSize",
                    config.profile().frameWidth() + "x" + config.profile().frameHeight());
        }
        if (config.view() == null) {
            c.putNull("view");
        } else {
            c.put("view", config.view().toString());
        }
        if (config.serverPid().isPresent()) {
            c.put("serverPid", config.serverPid().getAsLong());
        }

        ArrayNode series = root.putArray("series");
        for (Sample s : samples) {
            ObjectNode o = series.addObject();
            o.put("t", s.t());
            o.put("phase", s.phase());
            o.put("botsStarted", s.botsStarted());
            o.put("botsConnected", s.botsConnected());
            o.put("botsFailed", s.botsFailed());
            num(o, "sentPps", s.sentPps());
            num(o, "receivedPps", s.receivedPps());
            o.put("expectedPackets", s.expected());
            o.put("lostPackets", s.lost());
            num(o, "loss", s.loss());
            num(o, "p50LatencyMs", s.p50Ms());
            num(o, "p99LatencyMs", s.p99Ms());
            num(o, "maxLatencyMs", s.maxMs());
            num(o, "jitterMs", s.jitterMs());
            num(o, "serverCpuCores", s.serverCpuCores());
            num(o, "serverRssMib", s.serverRssMib());
            num(o, "serverHeapMib", s.serverHeapMib());
            num(o, "serverForwardedPps", s.forwardedPps());
            num(o, "serverProcessedPps", s.serverProcessedPps());
            num(o, "subscriberVideoKbps", s.subscriberVideoKbps());
        }

        // steady state: full load, after ramp-up, before sending stopped
        double steadySeconds = Math.max(1e-3, (steadyEnd.nanos() - steadyStart.nanos()) / 1e9);
        double sentPps = (steadyEnd.sent() - steadyStart.sent()) / steadySeconds;
        double recvPps = (steadyEnd.received() - steadyStart.received()) / steadySeconds;
        long[] steadyLatency = LatencyHistogram.minus(steadyEnd.latency(), steadyStart.latency());
        double fwdPps = steadyEnd.forwardedPpsSince(steadyStart);
        double processedPps = steadyEnd.processedPpsSince(steadyStart);
        double cpuCores = steadyEnd.cpuCoresSince(steadyStart);
        double peakRss = samples.stream()
                .mapToDouble(Sample::serverRssMib)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
        long steadyExpected = steadyEnd.expected() - steadyStart.expected();
        long steadyLost = Math.max(0, steadyEnd.lost() - steadyStart.lost());
        double steadyLoss = steadyExpected > 0 ? (double) steadyLost / steadyExpected : 0;
        int fanout = config.botsPerRoom() - 1;
        ObjectNode st = root.putObject("steady");
        st.put("seconds", round(steadySeconds, 3));
        num(st, "sentPps", sentPps);
        num(st, "receivedPps", recvPps);
        // A simulcast publisher sends every layer and each receiver gets one, and last-N and DTX make the
        // server forward less than everything: sent x fanout says nothing then.
        boolean layered = config.simulcast() || config.largeRoom().selective();
        num(st, "expectedReceivedPps", layered ? Double.NaN : sentPps * fanout);
        num(st, "deliveryRatio", sentPps > 0 && !layered ? recvPps / (sentPps * fanout) : Double.NaN);
        st.put("expectedPackets", steadyExpected);
        st.put("lostPackets", steadyLost);
        num(st, "loss", steadyLoss);
        latency(st, steadyLatency);
        num(st, "serverForwardedPps", fwdPps);
        num(st, "serverProcessedPps", processedPps);
        num(st, "serverCpuCores", cpuCores);
        num(st, "serverForwardedPpsPerCore", cpuCores > 0 ? fwdPps / cpuCores : Double.NaN);
        num(st, "serverPeakRssMib", peakRss);
        double[] videoKbps = fleet.videoKbpsPerReceiver(steadyStart, steadyEnd);
        double meanVideoKbps = VideoFigures.perSubscriber(st, videoKbps);
        int withoutVideo = VideoFigures.withoutVideo(videoKbps);
        if (withoutVideo > 0) {
            progress.println("note: " + withoutVideo + " of " + videoKbps.length
                    + " bots that should receive video got none in the steady window");
        }
        RunLimit limit = new RunLimit(
                generatorCores,
                Runtime.getRuntime().availableProcessors(),
                pacerSkipped,
                cpuCores,
                LatencyHistogram.percentile(steadyLatency, 0.5) / 1000,
                LatencyHistogram.percentile(steadyLatency, 0.99) / 1000,
                steadyLoss,
                steadyExpected,
                (int) bots.stream()
                        .filter(b -> b.connectedAfterNanos() == 0 || b.failure() != null)
                        .count(),
                bots.size());
        VideoFigures.limit(st, limit);
        if (!limit.withinLimits()) {
            progress.println("note: " + limit.note());
        }

        ObjectNode tot = root.putObject("totals");
        tot.put("packetsSent", end.sent() - start.sent());
        tot.put("packetsReceived", end.received() - start.received());
        tot.put("expectedPackets", end.expected());
        tot.put("lostPackets", end.lost());
        num(tot, "loss", end.expected() > 0 ? (double) end.lost() / end.expected() : 0);
        latency(tot, end.latency());
        double[] jitter = new double[2];
        long unstamped = 0;
        for (Bot b : bots) {
            b.receiver.addJitterTo(jitter);
            unstamped += b.receiver.unstamped();
        }
        num(tot, "meanJitterMs", jitter[1] > 0 ? jitter[0] / jitter[1] : Double.NaN);
        tot.put("unstampedPacketsIgnored", unstamped);
        tot.put("pacerSkippedSends", pacer.skipped());
        long keyframeRequests = 0;
        long sendFailures = 0;
        for (Bot b : bots) {
            if (b.publisher && b.peer() != null) {
                keyframeRequests += b.peer().keyframeRequests();
                for (var s : b.peer().sendStreams()) {
                    sendFailures += s.sendFailures();
                }
            }
        }
        tot.put("keyframeRequestsReceived", keyframeRequests);
        tot.put("sendFailures", sendFailures);

        ObjectNode bj = root.putObject("bots");
        long connected = bots.stream().filter(b -> b.connectedAfterNanos() > 0).count();
        bj.put("total", bots.size());
        bj.put("mediaConnected", connected);
        bj.put("failed", bots.stream().filter(b -> b.failure() != null).count());
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (Bot b : bots) {
            if (b.failure() != null) {
                reasons.merge(b.failure(), 1, Integer::sum);
            }
        }
        ObjectNode rs = bj.putObject("failureReasons");
        reasons.entrySet().stream().limit(20).forEach(e -> rs.put(e.getKey(), e.getValue()));
        double[] connectMs = bots.stream()
                .filter(b -> b.connectedAfterNanos() > 0)
                .mapToDouble(b -> b.connectedAfterNanos() / 1e6)
                .sorted()
                .toArray();
        stats(bj.putObject("mediaConnectMs"), connectMs);
        double[] joinMs = bots.stream()
                .filter(b -> b.receiver.allTracksNanos() > 0)
                .mapToDouble(b -> b.receiver.allTracksNanos() / 1e6)
                .sorted()
                .toArray();
        long joinExpected =
                bots.stream().filter(b -> b.receiver.expectedTracks() > 0).count();
        ObjectNode jt = bj.putObject("joinToAllTracksMs");
        jt.put("botsExpectingTracks", joinExpected);
        jt.put("botsWithAllTracks", joinMs.length);
        stats(jt, joinMs);
        double[] subJoinMs = bots.stream()
                .filter(b -> !b.publisher && b.receiver.allTracksNanos() > 0)
                .mapToDouble(b -> b.receiver.allTracksNanos() / 1e6)
                .sorted()
                .toArray();
        stats(bj.putObject("subscriberJoinToAllTracksMs"), subJoinMs);
        VideoFigures.simulcast(bj, bots, receivedLayers, progress);
        String largeRoomSummary = largeRoom.write(root, bots, config.largeRoom(), speech, sendingEndNanos);

        String summary = String.format(
                        Locale.ROOT,
                        "forwarded_pps=%s server_cpu_cores=%s forwarded_pps_per_core=%s loss=%s p99_latency_ms=%s"
                                + " p50_latency_ms=%s received_pps=%s sent_pps=%s bots=%d/%d join_p50_ms=%s"
                                + " sub_video_kbps_mean=%s sub_video_kbps_p50=%s sub_video_kbps_max=%s"
                                + " generator_cpu_cores=%s generator_limited=%s within_limits=%s",
                        f0(fwdPps),
                        f2(cpuCores),
                        f0(cpuCores > 0 ? fwdPps / cpuCores : Double.NaN),
                        String.format(Locale.ROOT, "%.4f%%", steadyLoss * 100),
                        f2(LatencyHistogram.percentile(steadyLatency, 0.99) / 1000),
                        f2(LatencyHistogram.percentile(steadyLatency, 0.5) / 1000),
                        f0(recvPps),
                        f0(sentPps),
                        connected,
                        bots.size(),
                        f0(percentile(subJoinMs.length > 0 ? subJoinMs : joinMs, 0.5)),
                        f0(meanVideoKbps),
                        f0(percentile(videoKbps, 0.5)),
                        f0(videoKbps.length == 0 ? Double.NaN : videoKbps[videoKbps.length - 1]),
                        f2(generatorCores),
                        limit.generatorLimited() ? "yes" : "no",
                        limit.withinLimits() ? "yes" : "no")
                + largeRoomSummary;
        root.put("summary", summary);

        Path json = config.reportDir().resolve("result.json");
        Files.writeString(json, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Path html = config.reportDir().resolve("index.html");
        Files.writeString(
                html,
                Html.page(
                        "Chorus load test " + config.rooms() + " x (" + config.publishers() + " + "
                                + config.subscribers() + ") " + config.profile().token(),
                        summary,
                        mapper.writeValueAsString(c),
                        samples),
                StandardCharsets.UTF_8);
        progress.println("report: " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
        return summary;
    }

    static void latency(ObjectNode o, long[] counts) {
        num(o, "p50LatencyMs", LatencyHistogram.percentile(counts, 0.5) / 1000);
        num(o, "p90LatencyMs", LatencyHistogram.percentile(counts, 0.9) / 1000);
        num(o, "p99LatencyMs", LatencyHistogram.percentile(counts, 0.99) / 1000);
        num(o, "maxLatencyMs", LatencyHistogram.max(counts) / 1000);
        o.put("latencySamples", LatencyHistogram.total(counts));
    }

    static void stats(ObjectNode o, double[] sorted) {
        o.put("count", sorted.length);
        num(o, "p50", percentile(sorted, 0.5));
        num(o, "p99", percentile(sorted, 0.99));
        num(o, "max", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    /** Nearest-rank percentile of a sorted array; NaN when empty. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.max(1, Math.ceil(q * sorted.length));
        return sorted[Math.min(sorted.length, rank) - 1];
    }

    static void num(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, round(v, 4));
        } else {
            o.putNull(key);
        }
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static String f0(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f", v) : "n/a";
    }

    static String f2(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static void sleepUntil(long target) throws InterruptedException {
        for (long now = System.nanoTime(); now < target; now = System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(target - now, SECOND));
        }
    }
}
