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
 * The capacity benchmark: adds rooms of native bots step by step to a running server and measures each step
 * once its bots have joined: forwarded packets/s (the server's own counters), the server's CPU (from
 * /proc), loss and one-way latency at the bots. The capacity figure is the highest forwarded packets/s per
 * server CPU core among the steps within the limits. The generator's own CPU is sampled too, so a reader can
 * tell when the machine, not the server, was the limit.
 */
final class CapacityRun {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** After a step's bots have joined: let subscribers' first key frames and consumers settle. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    /** How long a step's bots may take to join beyond the ramp-up before the step goes on without them. */
    private static final Duration JOIN_GRACE = Duration.ofSeconds(20);

    /** One measured step. Rates are over the step's measuring window. */
    record Step(
            int step,
            int rooms,
            int bots,
            int botsConnected,
            int botsFailed,
            double sentPps,
            double receivedPps,
            double forwardedPps,
            double serverCpuCores,
            double forwardedPpsPerCore,
            double generatorCpuCores,
            CpuTimes serverCores,
            CpuTimes generatorCores,
            double loss,
            double p50Ms,
            double p99Ms,
            double serverRssMib,
            long pacerSkipped,
            JoinPhase join,
            String verdict) {

        boolean withinLimits() {
            return verdict.equals("ok");
        }

        /** The generator's CPU per packet its bots received, in microseconds (= CPU ms/s per 1k received pps). */
        double generatorMicrosPerReceivedPacket() {
            return receivedPps > 0 ? generatorCpuCores * 1e6 / receivedPps : Double.NaN;
        }

        /** The server's CPU per packet it forwarded, in microseconds. */
        double serverMicrosPerForwardedPacket() {
            return forwardedPps > 0 ? serverCpuCores * 1e6 / forwardedPps : Double.NaN;
        }
    }

    private final LoadTestConfig config;
    private final LoadTestConfig.Capacity capacity;
    private final PrintStream progress;
    private final ServerProbe probe;
    private final ServerProbe self =
            new ServerProbe(null, OptionalLong.of(ProcessHandle.current().pid()));
    private final Fleet fleet;
    private final List<Sample> samples = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Integer> failureReasons = new LinkedHashMap<>();
    private long t0;
    /** What the runtime's receive-only bots decrypt: one RTP packet in this many. */
    private int decryptOneIn = 1;

    private Fleet.Totals previous;
    /** The worst one-second loss and p99 of the running rooms in the current join phase. */
    private double worstSecondLoss;

    private double worstSecondP99Ms;

    CapacityRun(LoadTestConfig config, PrintStream progress) {
        this.config = config;
        this.capacity = config.capacity();
        this.progress = progress;
        this.probe = new ServerProbe(config.server(), config.serverPid());
        this.fleet = new Fleet(probe);
    }

    String run() throws Exception {
        Files.createDirectories(config.reportDir());
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        ServerProbe.Counters first = probe.firstCounters(config.server());
        if (Double.isNaN(probe.cpuSeconds())) {
            throw new IOException("cannot read the server's CPU time: " + probe.lastError());
        }
        progress.printf(
                Locale.ROOT,
                "capacity benchmark: rooms of %d publishers + %d subscribers, profile %s;"
                        + " %d room(s) at step 1, +%d per step, %s per step, at most %d steps; limits loss %.2f%%,"
                        + " p99 %.1f ms; server %s pid %d%n",
                config.publishers(),
                config.subscribers(),
                config.profile().token(),
                config.rooms(),
                capacity.stepRooms(),
                LoadTestMain.human(capacity.stepDuration()),
                capacity.maxSteps(),
                capacity.maxLoss() * 100,
                capacity.maxP99Millis(),
                config.server(),
                config.serverPid().getAsLong());

        BotRuntime runtime = new BotRuntime(config, "chorus-capacity-ramp", progress);
        decryptOneIn = runtime.decryptOneIn;
        progress.printf(
                "receive-only bots decrypt one RTP packet in %d per stream (the rest: header only); their read loop"
                        + " pauses %d us between rounds%n",
                decryptOneIn, Long.getLong(BotRuntime.READ_PAUSE, 0));
        t0 = System.nanoTime();
        previous = fleet.totals(t0, first, t0);
        String stopReason = "all " + capacity.maxSteps() + " steps ran within the limits";
        int rooms = 0;
        try {
            for (int step = 1; step <= capacity.maxSteps(); step++) {
                int add = step == 1 ? config.rooms() : capacity.stepRooms();
                fleet.markRunning();
                List<Bot> added = addRooms(runId, rooms, add);
                rooms += add;
                previous = fleet.totals(System.nanoTime(), probe.counters(Duration.ofMillis(800)), System.nanoTime());
                Fleet.Totals joinStart = previous;
                worstSecondLoss = Double.NaN;
                worstSecondP99Ms = Double.NaN;
                startBots(added, runtime);
                waitForJoins(step, added);
                tick("settle " + step, SETTLE.toNanos());
                JoinPhase join = JoinPhase.of(joinStart, previous, added, worstSecondLoss, worstSecondP99Ms);
                Step result = measure(step, rooms, runtime.pacer, join);
                steps.add(result);
                printStep(result);
                if (!result.withinLimits()) {
                    stopReason = "step " + step + ": " + result.verdict();
                    break;
                }
            }
        } finally {
            runtime.stopSending();
            for (Bot b : fleet.bots()) {
                if (b.failure() != null) {
                    failureReasons.merge(b.failure(), 1, Integer::sum);
                }
                b.close();
            }
            runtime.close();
        }
        return writeReport(stopReason);
    }

    private List<Bot> addRooms(String runId, int existingRooms, int count) {
        List<Bot> added = new ArrayList<>();
        for (int r = existingRooms; r < existingRooms + count; r++) {
            String room = "capacity-" + runId + "-" + r;
            for (int p = 0; p < config.publishers(); p++) {
                added.add(new Bot(
                        fleet.size() + added.size(),
                        room,
                        "pub-" + r + "-" + p,
                        true,
                        config.profile(),
                        config.publishers()));
            }
            for (int s = 0; s < config.subscribers(); s++) {
                added.add(new Bot(
                        fleet.size() + added.size(),
                        room,
                        "sub-" + r + "-" + s,
                        false,
                        config.profile(),
                        config.publishers()));
            }
        }
        added.forEach(fleet::add);
        return added;
    }

    /** Publishers of each new room first, spread evenly over the ramp-up. */
    private void startBots(List<Bot> added, BotRuntime runtime) {
        long rampNanos = config.rampUp().toNanos();
        for (int i = 0; i < added.size(); i++) {
            runtime.startLater(added.get(i), added.size() <= 1 ? 0 : rampNanos * i / added.size(), () -> true);
        }
    }

    /** Samples once a second until every new bot connected or failed, bounded by ramp-up plus a grace period. */
    private void waitForJoins(int step, List<Bot> added) throws InterruptedException {
        long deadline = System.nanoTime() + config.rampUp().toNanos() + JOIN_GRACE.toNanos();
        while (System.nanoTime() < deadline) {
            tick("join " + step, SECOND);
            boolean settled = true;
            for (Bot b : added) {
                Bot.State s = b.state();
                if (s != Bot.State.CONNECTED && s != Bot.State.FAILED && s != Bot.State.CLOSED) {
                    settled = false;
                    break;
                }
            }
            if (settled) {
                return;
            }
        }
    }

    /** Samples once a second for {@code nanos}; returns the totals at the end. */
    private Fleet.Totals tick(String phase, long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        while (true) {
            long next = Math.min(end, previous.nanos() + SECOND);
            LoadTestMain.sleepUntil(next);
            ServerProbe.Counters debug = probe.counters(Duration.ofMillis(800));
            long now = System.nanoTime();
            Fleet.Totals current = fleet.totals(now, debug, System.nanoTime());
            Sample s = fleet.sample((now - t0) / 1e9, phase, previous, current);
            samples.add(s);
            noteRunningRooms(phase, previous.running(), current.running());
            printProgress(s);
            previous = current;
            if (now >= end) {
                return current;
            }
        }
    }

    /** In a join phase, keeps the running rooms' worst second. */
    private void noteRunningRooms(String phase, Fleet.Running a, Fleet.Running b) {
        if (phase.startsWith("step") || b.bots() == 0 || b.expected() == a.expected()) {
            return;
        }
        double loss = b.lossSince(a);
        double p99 = b.latencyMsSince(a, 0.99);
        if (!(loss <= worstSecondLoss)) {
            worstSecondLoss = loss;
        }
        if (!(p99 <= worstSecondP99Ms)) {
            worstSecondP99Ms = p99;
        }
    }

    private Step measure(int step, int rooms, Pacer pacer, JoinPhase join) throws InterruptedException {
        Fleet.Totals start = previous;
        CpuTimes genCpuStart = self.cpuTimes();
        CpuTimes serverCpuStart = probe.cpuTimes();
        long skippedStart = pacer.skipped();
        Fleet.Totals end = tick("step " + step, capacity.stepDuration().toNanos());
        double seconds = Math.max(1e-3, (end.nanos() - start.nanos()) / 1e9);
        CpuTimes genCores = self.cpuTimes().coresSince(genCpuStart, seconds);
        CpuTimes serverCores = probe.cpuTimes().coresSince(serverCpuStart, seconds);
        double genCpu = genCores.total();
        long skipped = pacer.skipped() - skippedStart;
        long expected = end.expected() - start.expected();
        long lost = Math.max(0, end.lost() - start.lost());
        double loss = expected > 0 ? (double) lost / expected : 0;
        long[] latency = LatencyHistogram.minus(end.latency(), start.latency());
        double p50 = LatencyHistogram.percentile(latency, 0.5) / 1000;
        double p99 = LatencyHistogram.percentile(latency, 0.99) / 1000;
        double fwd = end.forwardedPpsSince(start);
        double cpu = end.cpuCoresSince(start);
        int connected = 0;
        for (Bot b : fleet.bots()) {
            if (b.state() == Bot.State.CONNECTED) {
                connected++;
            }
        }
        String verdict = withGeneratorNote(
                verdict(capacity, expected, loss, p99, fleet.size() - connected, skipped, fwd, cpu),
                genCpu,
                Runtime.getRuntime().availableProcessors());
        return new Step(
                step,
                rooms,
                fleet.size(),
                connected,
                fleet.size() - connected,
                (end.sent() - start.sent()) / seconds,
                (end.received() - start.received()) / seconds,
                fwd,
                cpu,
                cpu > 0 ? fwd / cpu : Double.NaN,
                genCpu,
                serverCores,
                genCores,
                loss,
                p50,
                p99,
                probe.rssMib(),
                skipped,
                join,
                verdict);
    }

    /**
     * "ok" for a step within the limits, else why not, in order: no media, loss, p99 latency, bots not
     * connected, the generator fell behind, nothing measured at the server.
     */
    static String verdict(
            LoadTestConfig.Capacity limits,
            long expectedPackets,
            double loss,
            double p99Ms,
            int botsNotConnected,
            long pacerSkipped,
            double forwardedPps,
            double serverCpuCores) {
        if (expectedPackets == 0) {
            return "no media arrived at the bots";
        }
        if (loss > limits.maxLoss()) {
            return String.format(Locale.ROOT, "loss %.3f%% over the %.2f%% limit", loss * 100, limits.maxLoss() * 100);
        }
        if (!(p99Ms <= limits.maxP99Millis())) {
            return String.format(
                    Locale.ROOT, "p99 latency %.2f ms over the %.1f ms limit", p99Ms, limits.maxP99Millis());
        }
        if (botsNotConnected > 0) {
            return botsNotConnected + " bots not connected (failed to join or were removed)";
        }
        if (pacerSkipped > 0) {
            return "the load generator fell behind (" + pacerSkipped + " sends skipped): beyond what this machine"
                    + " can generate next to the server";
        }
        if (!(forwardedPps > 0) || !(serverCpuCores > 0)) {
            return "no forwarding measured at the server";
        }
        return "ok";
    }

    /**
     * A failed step while the generator itself used (nearly) all the CPUs it may run on: latency and loss
     * then say more about the generator than about the server, and the verdict says so.
     */
    static String withGeneratorNote(String verdict, double generatorCores, int generatorCpus) {
        if (verdict.equals("ok") || !(generatorCores >= 0.9 * generatorCpus)) {
            return verdict;
        }
        return verdict
                + String.format(
                        Locale.ROOT,
                        " (the load generator used %.2f of its %d CPU%s: it, not the"
                                + " server, is probably the limit)",
                        generatorCores,
                        generatorCpus,
                        generatorCpus == 1 ? "" : "s");
    }

    private void printProgress(Sample s) {
        progress.printf(
                Locale.ROOT,
                "[%5.0fs %-9s] bots %d/%d connected%s | recv %.0f pps | loss %.3f%% | p99 %s ms"
                        + " | server fwd %s pps cpu %s cores%n",
                s.t(),
                s.phase(),
                s.botsConnected(),
                fleet.size(),
                s.botsFailed() > 0 ? " (" + s.botsFailed() + " failed)" : "",
                s.receivedPps(),
                s.loss() * 100,
                LoadTestMain.f2(s.p99Ms()),
                LoadTestMain.f0(s.forwardedPps()),
                LoadTestMain.f2(s.serverCpuCores()));
    }

    private void printStep(Step s) {
        progress.printf(
                Locale.ROOT,
                "== step %d: %d rooms, %d bots: forwarded %s pps on %s server cores = %s pps/core,"
                        + " loss %.3f%%, p99 %s ms; server user %s + system %s cores, %s us per forwarded packet;"
                        + " generator user %s + system %s cores, %s us per received packet: %s%n",
                s.step(),
                s.rooms(),
                s.bots(),
                LoadTestMain.f0(s.forwardedPps()),
                LoadTestMain.f2(s.serverCpuCores()),
                LoadTestMain.f0(s.forwardedPpsPerCore()),
                s.loss() * 100,
                LoadTestMain.f2(s.p99Ms()),
                LoadTestMain.f2(s.serverCores().user()),
                LoadTestMain.f2(s.serverCores().system()),
                LoadTestMain.f2(s.serverMicrosPerForwardedPacket()),
                LoadTestMain.f2(s.generatorCores().user()),
                LoadTestMain.f2(s.generatorCores().system()),
                LoadTestMain.f2(s.generatorMicrosPerReceivedPacket()),
                s.verdict());
        JoinPhase j = s.join();
        if (j.runningBots() > 0) {
            progress.printf(
                    Locale.ROOT,
                    "   join phase %.0f s: the %d bots already running saw loss %.3f%%, p99 %s ms"
                            + " (worst second: loss %.3f%%, p99 %s ms); new bots connected in p50 %s s, max %s s%n",
                    j.seconds(),
                    j.runningBots(),
                    j.runningLoss() * 100,
                    LoadTestMain.f2(j.runningP99Ms()),
                    j.worstSecondLoss() * 100,
                    LoadTestMain.f2(j.worstSecondP99Ms()),
                    LoadTestMain.f2(j.joinP50Seconds()),
                    LoadTestMain.f2(j.joinMaxSeconds()));
        }
    }

    static final String[] TABLE_HEADER = {
        "step",
        "rooms",
        "bots",
        "connected",
        "forwarded pps",
        "server cores",
        "server user / system",
        "pps/core",
        "loss %",
        "p50 ms",
        "p99 ms",
        "received pps",
        "generator cores",
        "generator user / system",
        "generator us per received packet",
        "server RSS MiB",
        "join: running loss %",
        "join: running p99 ms",
        "join: worst-second p99 ms",
        "join p50 / max s",
        "verdict"
    };

    static String[] tableRow(Step s) {
        return new String[] {
            Integer.toString(s.step()),
            Integer.toString(s.rooms()),
            Integer.toString(s.bots()),
            Integer.toString(s.botsConnected()),
            LoadTestMain.f0(s.forwardedPps()),
            LoadTestMain.f2(s.serverCpuCores()),
            LoadTestMain.f2(s.serverCores().user()) + " / "
                    + LoadTestMain.f2(s.serverCores().system()),
            LoadTestMain.f0(s.forwardedPpsPerCore()),
            String.format(Locale.ROOT, "%.3f", s.loss() * 100),
            LoadTestMain.f2(s.p50Ms()),
            LoadTestMain.f2(s.p99Ms()),
            LoadTestMain.f0(s.receivedPps()),
            LoadTestMain.f2(s.generatorCpuCores()),
            LoadTestMain.f2(s.generatorCores().user()) + " / "
                    + LoadTestMain.f2(s.generatorCores().system()),
            LoadTestMain.f2(s.generatorMicrosPerReceivedPacket()),
            LoadTestMain.f0(s.serverRssMib()),
            s.join().runningBots() > 0
                    ? String.format(Locale.ROOT, "%.3f", s.join().runningLoss() * 100)
                    : "",
            s.join().runningBots() > 0 ? LoadTestMain.f2(s.join().runningP99Ms()) : "",
            s.join().runningBots() > 0 ? LoadTestMain.f2(s.join().worstSecondP99Ms()) : "",
            LoadTestMain.f2(s.join().joinP50Seconds()) + " / "
                    + LoadTestMain.f2(s.join().joinMaxSeconds()),
            s.verdict()
        };
    }

    private String writeReport(String stopReason) throws IOException {
        Step best = null;
        Step peak = null;
        for (Step s : steps) {
            if (!s.withinLimits()) {
                continue;
            }
            if (best == null || s.forwardedPpsPerCore() > best.forwardedPpsPerCore()) {
                best = s;
            }
            if (peak == null || s.forwardedPps() > peak.forwardedPps()) {
                peak = s;
            }
        }
        String summary = best == null
                ? "capacity: no step within the limits (" + stopReason + ")"
                : String.format(
                        Locale.ROOT,
                        "capacity_forwarded_pps_per_core=%s at_step=%d forwarded_pps=%s"
                                + " server_cpu_cores=%s loss=%.4f%% p99_latency_ms=%s max_forwarded_pps=%s"
                                + " steps=%d stop=\"%s\"",
                        LoadTestMain.f0(best.forwardedPpsPerCore()),
                        best.step(),
                        LoadTestMain.f0(best.forwardedPps()),
                        LoadTestMain.f2(best.serverCpuCores()),
                        best.loss() * 100,
                        LoadTestMain.f2(best.p99Ms()),
                        LoadTestMain.f0(peak.forwardedPps()),
                        steps.size(),
                        stopReason);

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "chorus-loadtest capacity benchmark");
        root.put("finishedAt", Instant.now().toString());
        ObjectNode c = root.putObject("config");
        c.put("server", config.server().toString());
        c.put("serverPid", config.serverPid().getAsLong());
        c.put("profile", config.profile().token());
        c.put("publishersPerRoom", config.publishers());
        c.put("subscribersPerRoom", config.subscribers());
        c.put("roomsAtFirstStep", config.rooms());
        c.put("roomsAddedPerStep", capacity.stepRooms());
        c.put("stepSeconds", capacity.stepDuration().toMillis() / 1000.0);
        c.put("rampUpSeconds", config.rampUp().toMillis() / 1000.0);
        c.put("maxSteps", capacity.maxSteps());
        c.put("maxLossPercent", capacity.maxLoss() * 100);
        c.put("maxP99LatencyMs", capacity.maxP99Millis());
        c.put("generatorPid", ProcessHandle.current().pid());
        c.put("subscriberDecryptOneIn", decryptOneIn);
        c.put("clientReadPauseMicros", Long.getLong(BotRuntime.READ_PAUSE, 0));
        c.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        root.put("stopReason", stopReason);
        root.put("summary", summary);
        if (best != null) {
            root.put("capacityStep", best.step());
        }
        ArrayNode st = root.putArray("steps");
        for (Step s : steps) {
            ObjectNode o = st.addObject();
            o.put("step", s.step());
            o.put("rooms", s.rooms());
            o.put("bots", s.bots());
            o.put("botsConnected", s.botsConnected());
            o.put("botsNotConnected", s.botsFailed());
            LoadTestMain.num(o, "sentPps", s.sentPps());
            LoadTestMain.num(o, "receivedPps", s.receivedPps());
            LoadTestMain.num(o, "serverForwardedPps", s.forwardedPps());
            LoadTestMain.num(o, "serverCpuCores", s.serverCpuCores());
            LoadTestMain.num(o, "serverForwardedPpsPerCore", s.forwardedPpsPerCore());
            LoadTestMain.num(o, "serverUserCores", s.serverCores().user());
            LoadTestMain.num(o, "serverSystemCores", s.serverCores().system());
            LoadTestMain.num(o, "serverMicrosPerForwardedPacket", s.serverMicrosPerForwardedPacket());
            LoadTestMain.num(o, "generatorCpuCores", s.generatorCpuCores());
            LoadTestMain.num(o, "generatorUserCores", s.generatorCores().user());
            LoadTestMain.num(o, "generatorSystemCores", s.generatorCores().system());
            LoadTestMain.num(o, "generatorMicrosPerReceivedPacket", s.generatorMicrosPerReceivedPacket());
            LoadTestMain.num(o, "loss", s.loss());
            LoadTestMain.num(o, "p50LatencyMs", s.p50Ms());
            LoadTestMain.num(o, "p99LatencyMs", s.p99Ms());
            LoadTestMain.num(o, "serverRssMib", s.serverRssMib());
            o.put("pacerSkippedSends", s.pacerSkipped());
            s.join().writeTo(o.putObject("joinPhase"));
            o.put("verdict", s.verdict());
        }
        ObjectNode rs = root.putObject("botFailureReasons");
        failureReasons.entrySet().stream().limit(20).forEach(e -> rs.put(e.getKey(), e.getValue()));
        ArrayNode series = root.putArray("series");
        for (Sample s : samples) {
            ObjectNode o = series.addObject();
            o.put("t", s.t());
            o.put("phase", s.phase());
            o.put("botsConnected", s.botsConnected());
            LoadTestMain.num(o, "receivedPps", s.receivedPps());
            LoadTestMain.num(o, "loss", s.loss());
            LoadTestMain.num(o, "p99LatencyMs", s.p99Ms());
            LoadTestMain.num(o, "serverCpuCores", s.serverCpuCores());
            LoadTestMain.num(o, "serverForwardedPps", s.forwardedPps());
        }

        Path json = config.reportDir().resolve("result.json");
        Files.writeString(json, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        steps.forEach(s -> rows.add(tableRow(s)));
        Path html = config.reportDir().resolve("index.html");
        Files.writeString(
                html,
                Html.capacityPage(
                        "Chorus capacity benchmark, rooms of " + config.publishers() + " + " + config.subscribers()
                                + " " + config.profile().token(),
                        summary,
                        mapper.writeValueAsString(c),
                        TABLE_HEADER,
                        rows,
                        samples),
                StandardCharsets.UTF_8);
        progress.println("report: " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
        return summary;
    }
}
