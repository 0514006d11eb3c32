package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.f2;
import static dev.chorus.loadtest.LoadTestMain.num;
import static dev.chorus.loadtest.LoadTestMain.percentile;
import static dev.chorus.loadtest.LoadTestMain.round;
import static dev.chorus.loadtest.LoadTestMain.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Chromium bots' results: per remote stream over the steady window (frames/s, freezes, loss, jitter,
 * jitter-buffer delay, join to first frame), the steady figures and the summary line, written as
 * {@code result.json} and {@code index.html}.
 */
final class ChromiumReport {
    static final String LATENCY_FIGURE = "video_jitter_buffer_delay";
    static final String LATENCY_NOTE = "Browsers cannot measure one-way latency, so p99_latency_ms for Chromium bots"
            + " is the p99, over every remote video stream and second of the steady window, of the receiver's mean"
            + " jitter-buffer delay in that second (getStats jitterBufferDelay / jitterBufferEmittedCount): the time"
            + " frames waited in the receiving browser before decoding. It grows with network jitter and loss, and"
            + " also with the browser's audio/video synchronisation and with CPU starvation of the page; it is not"
            + " the time a packet spent in the SFU or on the wire. Loss is packetsLost / (packetsLost +"
            + " packetsReceived) over every remote stream; join to first frame is measured from the later of the"
            + " receiving and the publishing page's join.";

    private final LoadTestConfig config;
    private final PrintStream progress;
    private final List<ChromiumPage> pages;
    private final List<ChromiumBrowser> browsers;
    private final List<Sample> samples;
    private final List<Double> steadyJitterBufferMs;

    /**
     * @param samples              one per second of the whole run
     * @param steadyJitterBufferMs every remote video's jitter-buffer delay of every steady second
     */
    ChromiumReport(
            LoadTestConfig config,
            PrintStream progress,
            List<ChromiumPage> pages,
            List<ChromiumBrowser> browsers,
            List<Sample> samples,
            List<Double> steadyJitterBufferMs) {
        this.config = config;
        this.progress = progress;
        this.pages = pages;
        this.browsers = browsers;
        this.samples = samples;
        this.steadyJitterBufferMs = steadyJitterBufferMs;
    }

    /** Per remote stream of a page over the steady window, plus its join-to-first-frame. */
    private record StreamResult(
            ChromiumPage page,
            String from,
            PageSnapshot.Stream last,
            double seconds,
            double fps,
            long freezes,
            double freezeSeconds,
            long packets,
            long lost,
            double jitterBufferMs,
            double joinToFirstFrameMs) {}

    /** Writes result.json and index.html for the steady window from steadyStart to steadyEnd; returns the summary. */
    String write(ServerProbe.Mark steadyStart, ServerProbe.Mark steadyEnd) throws IOException {
        Map<String, ChromiumPage> bySelfId = new HashMap<>();
        for (ChromiumPage p : pages) {
            if (p.latest.selfId() != null) {
                bySelfId.put(p.latest.selfId(), p);
            }
        }
        List<StreamResult> streams = new ArrayList<>();
        for (ChromiumPage p : pages) {
            PageSnapshot a = p.steadyStart;
            PageSnapshot b = p.steadyEnd;
            double seconds = Double.isFinite(a.at()) && b.at() > a.at() ? (b.at() - a.at()) / 1000 : Double.NaN;
            for (PageSnapshot.Stream s : b.inbound()) {
                PageSnapshot.Stream o = a.stream(s.key());
                ChromiumPage from = bySelfId.get(s.participantId());
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
                streams.add(new StreamResult(
                        p,
                        from == null ? s.participantId() : from.name,
                        s,
                        seconds,
                        o == null || !Double.isFinite(seconds) ? Double.NaN : frames / seconds,
                        s.freezeCount() - (o == null ? 0 : o.freezeCount()),
                        s.totalFreezesSeconds() - (o == null ? 0 : o.totalFreezesSeconds()),
                        packets,
                        lost,
                        emitted > 0 ? delay / emitted * 1000 : Double.NaN,
                        joinToFrame));
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

        List<Sample> steadySamples =
                samples.stream().filter(s -> s.phase().equals("steady")).toList();
        double steadySeconds = Math.max(1e-3, (steadyEnd.nanos() - steadyStart.nanos()) / 1e9);
        double fwdPps = steadyEnd.forwardedPpsSince(steadyStart);
        double processedPps = steadyEnd.processedPpsSince(steadyStart);
        double cpuCores = steadyEnd.cpuCoresSince(steadyStart);
        long packets = streams.stream().mapToLong(StreamResult::packets).sum();
        long lost = streams.stream().mapToLong(StreamResult::lost).sum();
        double loss = packets + lost > 0 ? (double) lost / (packets + lost) : 0;
        List<StreamResult> videos = streams.stream().filter(s -> s.last.video()).toList();
        double[] fps = videos.stream()
                .mapToDouble(StreamResult::fps)
                .filter(Double::isFinite)
                .sorted()
                .toArray();
        long freezes = videos.stream().mapToLong(StreamResult::freezes).sum();
        double freezeSeconds =
                videos.stream().mapToDouble(StreamResult::freezeSeconds).sum();
        double[] jb = steadyJitterBufferMs.stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        double[] joinMs = videos.stream()
                .mapToDouble(StreamResult::joinToFirstFrameMs)
                .filter(Double::isFinite)
                .sorted()
                .toArray();
        int expectedVideos = pages.stream().mapToInt(p -> p.expectedVideos).sum();
        double peakRss = samples.stream()
                .mapToDouble(Sample::serverRssMib)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
        double meanJitter = steadySamples.stream()
                .mapToDouble(Sample::jitterMs)
                .filter(Double::isFinite)
                .average()
                .orElse(Double.NaN);

        double receivedPps = steadySamples.stream()
                .mapToDouble(Sample::receivedPps)
                .filter(Double::isFinite)
                .average()
                .orElse(Double.NaN);
        double cpuMicrosPerPacket = cpuMicrosPerReceivedPacket(cpuCores, receivedPps);

        ObjectNode st = root.putObject("steady");
        st.put("seconds", round(steadySeconds, 3));
        num(
                st,
                "sentPps",
                steadySamples.stream()
                        .mapToDouble(Sample::sentPps)
                        .filter(Double::isFinite)
                        .average()
                        .orElse(Double.NaN));
        num(st, "receivedPps", receivedPps);
        num(st, "serverCpuMicrosPerReceivedPacket", cpuMicrosPerPacket);
        st.put(
                "serverCpuMicrosPerReceivedPacketDefinition",
                "the server process's CPU time over the steady window divided by the packets every page's every"
                        + " inbound stream received in it (getStats packetsReceived), in microseconds");
        st.put("packetsReceived", packets);
        st.put("packetsLost", lost);
        num(st, "loss", loss);
        st.put("lossDefinition", "packetsLost / (packetsLost + packetsReceived) over every remote stream (getStats)");
        num(
                st,
                "framesDecodedPerSecond",
                fps.length == 0 ? Double.NaN : java.util.Arrays.stream(fps).sum());
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
        jt.put(
                "definition",
                "per remote video: first decoded frame (seen by a 100 ms getStats poll) minus the later"
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
        for (ChromiumPage p : pages) {
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
            o.put(
                    "receivedVideoStreams",
                    s.inbound().stream().filter(PageSnapshot.Stream::video).count());
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
        String summary = String.format(
                Locale.ROOT,
                "forwarded_pps=%s server_cpu_cores=%s forwarded_pps_per_core=%s loss=%s p99_latency_ms=%s"
                        + " latency_figure=%s frames_decoded_per_s=%s min_stream_fps=%s freezes=%d"
                        + " join_to_first_frame_p50_ms=%s server_cpu_us_per_received_packet=%s pages=%d/%d",
                f0(fwdPps),
                f2(cpuCores),
                f0(cpuCores > 0 ? fwdPps / cpuCores : Double.NaN),
                String.format(Locale.ROOT, "%.4f%%", loss * 100),
                f2(percentile(jb, 0.99)),
                LATENCY_FIGURE,
                f0(fps.length == 0 ? Double.NaN : java.util.Arrays.stream(fps).sum()),
                f2(fps.length == 0 ? Double.NaN : fps[0]),
                freezes,
                f0(percentile(joinMs, 0.5)),
                f2(cpuMicrosPerPacket),
                connected,
                pages.size());
        root.put("summary", summary);

        Path json = config.reportDir().resolve("result.json");
        Files.writeString(json, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        for (StreamResult s : videos) {
            rows.add(new String[] {
                s.page.name,
                s.from,
                f2(s.fps),
                Long.toString(s.freezes),
                f2(s.freezeSeconds),
                String.format(
                        Locale.ROOT, "%.3f%%", s.packets + s.lost > 0 ? 100.0 * s.lost / (s.packets + s.lost) : 0),
                f2(s.last.jitterSeconds() * 1000),
                f2(s.jitterBufferMs),
                f0(s.joinToFirstFrameMs)
            });
        }
        Path html = config.reportDir().resolve("index.html");
        Files.writeString(
                html,
                Html.chromiumPage(
                        "Chorus load test, Chromium bots: " + config.rooms() + " x (" + config.publishers() + " + "
                                + config.subscribers() + ")",
                        summary,
                        mapper.writeValueAsString(c),
                        LATENCY_NOTE,
                        samples,
                        rows),
                StandardCharsets.UTF_8);
        progress.println("report: " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
        return summary;
    }

    /**
     * The server's CPU per packet the pages received: CPU cores used over the steady window divided by the pages'
     * received packets per second over it. The figure people compare across SFUs (same pages, same method).
     */
    static double cpuMicrosPerReceivedPacket(double serverCpuCores, double receivedPps) {
        return serverCpuCores >= 0 && receivedPps > 0 ? serverCpuCores * 1e6 / receivedPps : Double.NaN;
    }
}
