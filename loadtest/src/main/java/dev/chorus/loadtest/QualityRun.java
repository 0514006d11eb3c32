package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.f2;
import static dev.chorus.loadtest.LoadTestMain.human;
import static dev.chorus.loadtest.LoadTestMain.num;
import static dev.chorus.loadtest.LoadTestMain.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.testkit.netsim.FlowStats;
import dev.chorus.testkit.netsim.Impairment;
import dev.chorus.testkit.netsim.UdpImpairmentProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The quality table ({@code --quality}): media quality of a two-party Chromium call under packet loss. An
 * in-process {@link UdpImpairmentProxy} listens on the port the server announces as its candidate and
 * forwards to the SFU's own UDP port. For each loss level: the proxy's default impairment becomes that random
 * loss plus the configured delay in both directions (so every flow, from its first STUN check, is impaired),
 * two fresh browsers open {@code /r/<room>?name=a} and {@code ?name=b} (both publish the fake camera and mic),
 * and once each decodes the other's video the call is measured for {@code --duration}: per receiving page its
 * inbound video's frames decoded per second, freezes, packetsLost (what stayed lost after retransmission),
 * nackCount, and its audio's packetsLost; from the server's /debug, the NACKs its video consumer received and
 * the packets it retransmitted, and the NACKs the SFU sent to the other page as publisher; from /metrics the
 * server-wide NACK and retransmission counters; from the proxy, the packets it dropped on each page's flow.
 * All as deltas over the window. Writes {@code quality.json} and {@code quality.md} to the report directory.
 */
final class QualityRun {
    /** How long a call may take to connect and decode each other's video before the level fails. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final String[] NAMES = {"a", "b"};

    private final LoadTestConfig config;
    private final LoadTestConfig.Quality quality;
    private final PrintStream progress;
    private final String collector;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<ChromiumBrowser> browsers = new ArrayList<>();

    private QualityRun(LoadTestConfig config, PrintStream progress) throws IOException {
        this.config = config;
        this.quality = config.quality();
        this.progress = progress;
        try (InputStream in = QualityRun.class.getResourceAsStream("chromium-collector.js")) {
            if (in == null) {
                throw new IOException("chromium-collector.js is missing from the jar");
            }
            this.collector = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String run(LoadTestConfig config, PrintStream progress) throws Exception {
        QualityRun q = new QualityRun(config, progress);
        Thread hook = new Thread(q::closeBrowsers, "chorus-quality-shutdown");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: quit the browsers and end their processes
        try {
            return q.run();
        } finally {
            q.closeBrowsers();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private synchronized void closeBrowsers() {
        for (ChromiumBrowser b : browsers) {
            b.close();
        }
        browsers.clear();
    }

    /** One receiving page of one level, all figures over the measuring window. */
    record Receiver(String name, String from, double seconds, double fps, double senderFps, long framesDecoded,
                    long freezeCount,
                    double freezeSeconds, long videoPacketsReceived, long videoPacketsLost,
                    long videoRetransmittedReceived, long nackCount, long pliCount, long audioPacketsReceived,
                    long audioPacketsLost, long sfuNacksReceived,
                    long sfuNackedPackets, long sfuRetransmitted, long sfuRetransmittedRtx, long sfuNackMisses,
                    Map<String, Long> sfuNackMissesByReason, long sfuNacksToSender,
                    long proxyDroppedToReceiver, long proxyDroppedFromSender, String failure) {

        double videoLossPercent() {
            long total = videoPacketsReceived + videoPacketsLost;
            return total > 0 ? 100.0 * videoPacketsLost / total : 0;
        }


        double audioLossPercent() {
            long total = audioPacketsReceived + audioPacketsLost;
            return total > 0 ? 100.0 * audioPacketsLost / total : 0;
        }
    }

    /** One level: its receivers and the server-wide counter deltas (NaN when /metrics did not answer). */
    record Level(double lossPercent, List<Receiver> receivers, double metricsNacksReceived,
                 double metricsNacksSent, double metricsRetransmitted, ObjectNode proxy) {
    }

    private String run() throws Exception {
        Files.createDirectories(config.reportDir());
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        InetSocketAddress listen = new InetSocketAddress(quality.mediaTarget().getAddress(), quality.proxyPort());
        progress.printf(Locale.ROOT, "quality: two-party Chromium calls at loss %s %% (random, each direction) +"
                        + " %s delay, %s each, through a proxy on %s in front of the SFU at %s, server %s%n",
                levelsText(), human(quality.delay()), human(config.duration()), hostPort(listen),
                hostPort(quality.mediaTarget()), config.server());
        List<Level> levels = new ArrayList<>();
        try (UdpImpairmentProxy proxy = UdpImpairmentProxy.start(listen, quality.mediaTarget(), quality.seed())) {
            for (double loss : quality.lossPercents()) {
                try {
                    levels.add(runLevel(proxy, "quality-" + runId + "-" + f0(loss * 10), loss));
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // One failed call (say, it never connected) must not cost the other levels' figures.
                    progress.println("level " + f2(loss) + " % failed: " + e);
                    levels.add(failedLevel(loss, e.toString()));
                }
            }
        }
        return writeReport(levels);
    }

    private static Level failedLevel(double lossPercent, String why) {
        List<Receiver> receivers = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            receivers.add(new Receiver(NAMES[i], NAMES[1 - i], 0, Double.NaN, Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, Map.of(), 0, 0, 0, why));
        }
        return new Level(lossPercent, List.copyOf(receivers), Double.NaN, Double.NaN, Double.NaN,
                new ObjectMapper().createObjectNode());
    }

    private Level runLevel(UdpImpairmentProxy proxy, String room, double lossPercent) throws Exception {
        Impairment link = Impairment.NONE.withLoss(lossPercent / 100).withDelay(quality.delay().toMillis());
        proxy.clearRules();
        proxy.setDefault(link, link);
        progress.printf(Locale.ROOT, "level %s %%: %s each way, room %s%n", f2(lossPercent), link.toSpec(), room);
        String[] handles = new String[NAMES.length];
        try {
            for (int i = 0; i < NAMES.length; i++) {
                ChromiumBrowser b = ChromiumBrowser.launch(i);
                synchronized (this) {
                    browsers.add(b);
                }
                String url = config.server() + "/r/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "?name="
                        + NAMES[i];
                handles[i] = b.submit(() -> b.open(url, collector, 1)).get(60, TimeUnit.SECONDS);
            }
            PageSnapshot[] ready = awaitCall(handles);
            String[] ufrags = new String[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                int page = i;
                ufrags[i] = (String) browsers.get(i).submit(() -> browsers.get(page).execute(handles[page],
                        "const pc = window.chorus.pc; const sdp = pc && pc.remoteDescription"
                                + " ? pc.remoteDescription.sdp : ''; const m = /^a=ice-ufrag:(\\S+)/m.exec(sdp);"
                                + " return m ? m[1] : null;")).get(15, TimeUnit.SECONDS);
            }
            Window start = window(handles, ufrags, proxy);
            long endAt = System.nanoTime() + config.duration().toNanos();
            while (true) {
                long left = endAt - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 10_000));
                if (endAt - System.nanoTime() > 0) {
                    printProgress(handles, start);
                }
            }
            Window end = window(handles, ufrags, proxy);
            Level level = level(lossPercent, ready, start, end, proxy);
            for (Receiver r : level.receivers()) {
                progress.printf(Locale.ROOT, "  %s <- %s: %s fps, %d freezes (%s s), video lost %d (%.2f %%), nack"
                                + " %d | SFU nacks in %d, retransmitted %d, nacks to publisher %d | proxy dropped"
                                + " %d to %s, %d from %s%n", r.name(), r.from(), f2(r.fps()), r.freezeCount(),
                        f2(r.freezeSeconds()), r.videoPacketsLost(), r.videoLossPercent(), r.nackCount(),
                        r.sfuNacksReceived(), r.sfuRetransmitted(), r.sfuNacksToSender(),
                        r.proxyDroppedToReceiver(), r.name(), r.proxyDroppedFromSender(), r.from());
            }
            return level;
        } finally {
            closeBrowsers();
            proxy.clearRules();
            proxy.setDefault(Impairment.NONE, Impairment.NONE);
        }
    }

    /** Waits until both pages are connected and decode each other's video; returns their snapshots. */
    private PageSnapshot[] awaitCall(String[] handles) throws Exception {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        PageSnapshot[] s = new PageSnapshot[handles.length];
        while (true) {
            boolean all = true;
            for (int i = 0; i < handles.length; i++) {
                s[i] = snapshot(i, handles[i]);
                boolean decoding = s[i].connected() && s[i].inbound().stream()
                        .anyMatch(x -> x.video() && x.framesDecoded() > 0);
                if (s[i].mediaFailed()) {
                    throw new IllegalStateException("page " + NAMES[i] + ": media failed (" + s[i].serverReason()
                            + ")");
                }
                all &= decoding;
            }
            if (all) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the call did not connect and decode video within "
                        + human(CONNECT_TIMEOUT) + ": a " + describe(s[0]) + ", b " + describe(s[1]));
            }
            Thread.sleep(500);
        }
    }

    private static String describe(PageSnapshot s) {
        return s.state() + "/" + s.connectionState() + " inbound " + s.inbound();
    }

    private PageSnapshot snapshot(int i, String handle) throws Exception {
        ChromiumBrowser b = browsers.get(i);
        return b.submit(() -> b.snapshot(handle)).get(15, TimeUnit.SECONDS);
    }

    /** Everything read at one edge of the measuring window. */
    private record Window(long nanos, PageSnapshot[] pages, JsonNode debug, String metrics, List<FlowStats> flows,
                         String[] ufrags) {
    }

    private Window window(String[] handles, String[] ufrags, UdpImpairmentProxy proxy) throws Exception {
        // The collector refreshes its reading every 500 ms: wait that long so the reading is of now.
        Thread.sleep(600);
        PageSnapshot[] pages = new PageSnapshot[handles.length];
        for (int i = 0; i < handles.length; i++) {
            pages[i] = snapshot(i, handles[i]);
        }
        return new Window(System.nanoTime(), pages, debug(), metrics(), proxy.flows(), ufrags);
    }

    private void printProgress(String[] handles, Window start) {
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < handles.length; i++) {
            try {
                PageSnapshot now = snapshot(i, handles[i]);
                PageSnapshot.Stream v = video(now);
                PageSnapshot.Stream v0 = video(start.pages()[i]);
                if (v != null && v0 != null) {
                    double seconds = Math.max(1e-3, (now.at() - start.pages()[i].at()) / 1000);
                    line.append(String.format(Locale.ROOT, "%s: %.1f fps, %d freezes, nack %d  ", NAMES[i],
                            (v.framesDecoded() - v0.framesDecoded()) / seconds, v.freezeCount() - v0.freezeCount(),
                            v.nackCount() - v0.nackCount()));
                }
            } catch (Exception e) {
                line.append(NAMES[i]).append(": ").append(e.getMessage()).append("  ");
            }
        }
        progress.println(line.toString().stripTrailing());
    }

    private static PageSnapshot.Stream video(PageSnapshot s) {
        return s.inbound().stream().filter(PageSnapshot.Stream::video).findFirst().orElse(null);
    }

    private static PageSnapshot.Stream audio(PageSnapshot s) {
        return s.inbound().stream().filter(x -> "audio".equals(x.kind())).findFirst().orElse(null);
    }

    private Level level(double lossPercent, PageSnapshot[] ready, Window a, Window b, UdpImpairmentProxy proxy) {
        List<Receiver> receivers = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            int other = 1 - i;
            String selfId = ready[i].selfId();
            String otherId = ready[other].selfId();
            PageSnapshot pa = a.pages()[i];
            PageSnapshot pb = b.pages()[i];
            PageSnapshot.Stream v0 = video(pa);
            PageSnapshot.Stream v1 = video(pb);
            PageSnapshot.Stream a0 = audio(pa);
            PageSnapshot.Stream a1 = audio(pb);
            String failure = null;
            if (v0 == null || v1 == null || !v0.key().equals(v1.key())) {
                failure = "no steady inbound video (start " + pa.inbound() + ", end " + pb.inbound() + ")";
            }
            double seconds = (pb.at() - pa.at()) / 1000;
            long frames = v0 == null || v1 == null ? 0 : v1.framesDecoded() - v0.framesDecoded();
            JsonNode c0 = consumer(a.debug(), selfId, "VIDEO");
            JsonNode c1 = consumer(b.debug(), selfId, "VIDEO");
            JsonNode p0 = producer(a.debug(), otherId, "VIDEO");
            JsonNode p1 = producer(b.debug(), otherId, "VIDEO");
            PageSnapshot sa = a.pages()[other];
            PageSnapshot sb = b.pages()[other];
            double senderSeconds = (sb.at() - sa.at()) / 1000;
            receivers.add(new Receiver(NAMES[i], NAMES[other], round(seconds, 3),
                    seconds > 0 ? frames / seconds : Double.NaN,
                    senderSeconds > 0 ? (sb.framesEncoded() - sa.framesEncoded()) / senderSeconds : Double.NaN, frames,
                    delta(v0, v1, PageSnapshot.Stream::freezeCount),
                    v0 == null || v1 == null ? 0 : v1.totalFreezesSeconds() - v0.totalFreezesSeconds(),
                    delta(v0, v1, PageSnapshot.Stream::packetsReceived), delta(v0, v1, PageSnapshot.Stream::packetsLost),
                    delta(v0, v1, PageSnapshot.Stream::retransmittedPacketsReceived),
                    delta(v0, v1, PageSnapshot.Stream::nackCount), delta(v0, v1, PageSnapshot.Stream::pliCount),
                    delta(a0, a1, PageSnapshot.Stream::packetsReceived), delta(a0, a1, PageSnapshot.Stream::packetsLost),
                    delta(c0, c1, "nacksReceived"), delta(c0, c1, "nackedPackets"), delta(c0, c1, "retransmitted"),
                    delta(c0, c1, "retransmittedRtx"), misses(c0, c1), missesByReason(c0, c1), delta(p0 == null ? null : p0.path("nackToPublisher"),
                    p1 == null ? null : p1.path("nackToPublisher"), "nackRequests"),
                    dropped(a, b, i, false), dropped(a, b, other, true), failure));
        }
        return new Level(lossPercent, List.copyOf(receivers),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtcp_feedback_received_total{type=\"nack\"}"),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtcp_feedback_sent_total{type=\"nack\"}"),
                metricDelta(a.metrics(), b.metrics(), "chorus_rtp_retransmitted_packets_total"), proxy.toJson());
    }

    private static long delta(PageSnapshot.Stream a, PageSnapshot.Stream b,
                              java.util.function.ToLongFunction<PageSnapshot.Stream> f) {
        return a == null || b == null ? 0 : Math.max(0, f.applyAsLong(b) - f.applyAsLong(a));
    }

    private static long delta(JsonNode a, JsonNode b, String field) {
        return b == null || b.isMissingNode() ? 0
                : Math.max(0, b.path(field).asLong() - (a == null ? 0 : a.path(field).asLong()));
    }

    /** NACKed packets the consumer could not resend: unknown, too old, no longer buffered, send failed. */
    private static long misses(JsonNode a, JsonNode b) {
        long n = 0;
        for (String k : List.of("unknown", "tooOld", "notInBuffer", "sendFailed")) {
            n += delta(a == null ? null : a.path("nackMisses"), b == null ? null : b.path("nackMisses"), k);
        }
        return n;
    }

    /** The consumer's nackMisses deltas by reason (rateLimited: a repeat within a round trip, not a miss). */
    private static Map<String, Long> missesByReason(JsonNode a, JsonNode b) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (b != null) {
            b.path("nackMisses").fieldNames().forEachRemaining(k -> m.put(k, delta(a == null ? null
                    : a.path("nackMisses"), b.path("nackMisses"), k)));
        }
        return m;
    }

    /** Packets the proxy's loss model dropped on page i's flow towards the client (or the server). */
    private static long dropped(Window a, Window b, int page, boolean toServer) {
        String ufrag = b.ufrags()[page];
        long before = 0;
        long after = 0;
        for (FlowStats f : a.flows()) {
            if (ufrag != null && ufrag.equals(f.iceUfrag())) {
                before += toServer ? f.toServer().droppedLoss() : f.toClient().droppedLoss();
            }
        }
        for (FlowStats f : b.flows()) {
            if (ufrag != null && ufrag.equals(f.iceUfrag())) {
                after += toServer ? f.toServer().droppedLoss() : f.toClient().droppedLoss();
            }
        }
        return Math.max(0, after - before);
    }

    /** The consumer forwarding {@code kind} to that participant in /debug, or null. */
    static JsonNode consumer(JsonNode debug, String participantId, String kind) {
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode c : router.path("consumers")) {
                if (participantId != null && participantId.equals(c.path("endpoint").asText())) {
                    for (JsonNode p : router.path("producers")) {
                        if (p.path("id").asText().equals(c.path("producer").asText())
                                && kind.equalsIgnoreCase(p.path("kind").asText())) {
                            return c;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The producer of {@code kind} published by that participant in /debug, or null. */
    static JsonNode producer(JsonNode debug, String participantId, String kind) {
        for (JsonNode router : debug.path("media").path("forwarding").path("routers")) {
            for (JsonNode p : router.path("producers")) {
                if (participantId != null && participantId.equals(p.path("endpoint").asText())
                        && kind.equalsIgnoreCase(p.path("kind").asText())) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The value of one sample line (name with labels, exactly as exposed) of a Prometheus text page, or NaN. */
    static double metric(String text, String series) {
        if (text == null) {
            return Double.NaN;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                try {
                    return Double.parseDouble(line.substring(series.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    private static double metricDelta(String a, String b, String series) {
        return metric(b, series) - metric(a, series);
    }

    private JsonNode debug() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(config.server().resolve("/debug"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("/debug answered HTTP " + r.statusCode() + ": the quality run reads the SFU's"
                    + " per-stream NACK counters there (chorus.debug must allow this client)");
        }
        return json.readTree(r.body());
    }

    /** The /metrics page, or null when it is switched off or refused (the server-wide deltas are then NaN). */
    private String metrics() {
        try {
            URI uri = config.server().resolve("/metrics");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private String levelsText() {
        return String.join(", ", quality.lossPercents().stream().map(LoadTestMain::f2).map(QualityRun::trim)
                .toList());
    }

    private static String trim(String decimal) {
        return decimal.contains(".") ? decimal.replaceAll("0+$", "").replaceAll("\\.$", "") : decimal;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private String writeReport(List<Level> levels) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("tool", "chorus-loadtest quality table");
        root.put("finishedAt", Instant.now().toString());
        ObjectNode c = root.putObject("config");
        c.put("server", config.server().toString());
        c.put("call", "two headless Chromium pages in one room, each publishing the fake camera and microphone and"
                + " receiving the other; one browser process each");
        ArrayNode lv = c.putArray("lossPercents");
        quality.lossPercents().forEach(lv::add);
        c.put("lossModel", "independent random loss, the same rate in each direction of every flow");
        c.put("delayMillisEachWay", quality.delay().toMillis());
        c.put("durationSeconds", config.duration().toMillis() / 1000.0);
        c.put("proxy", hostPort(new InetSocketAddress(quality.mediaTarget().getAddress(), quality.proxyPort())));
        c.put("mediaTarget", hostPort(quality.mediaTarget()));
        c.put("seed", quality.seed());
        c.put("chromium", ChromiumBrowser.BROWSER);
        root.put("definitions", "Per receiving page, over the measuring window (after both pages decode each"
                + " other's video): framesDecodedPerSecond, freezeCount, totalFreezesDuration, packetsLost (packets"
                + " missing on the media stream; Chrome counts those that later came as RTX too),"
                + " videoRetransmittedPacketsReceived (retransmittedPacketsReceived), nackCount and pliCount of its"
                + " inbound video"
                + " (getStats inbound-rtp); audio packetsLost (audio is not retransmitted); sfuNacksReceived,"
                + " sfuNackedPackets, sfuRetransmitted(Rtx), sfuNackMisses (NACKed packets it could not resend):"
                + " the SFU's video consumer towards this page (/debug);"
                + " sfuNacksToSender: NACK requests the SFU sent to the other page for its video (uplink losses);"
                + " proxyDroppedToReceiver / proxyDroppedFromSender: packets the proxy dropped on this page's"
                + " downlink / the sender's uplink. server: /metrics deltas over the window, whole server.");
        ArrayNode out = root.putArray("levels");
        for (Level l : levels) {
            ObjectNode o = out.addObject();
            o.put("lossPercent", l.lossPercent());
            ObjectNode server = o.putObject("server");
            num(server, "nacksReceived", l.metricsNacksReceived());
            num(server, "nacksSent", l.metricsNacksSent());
            num(server, "retransmittedPackets", l.metricsRetransmitted());
            ArrayNode rs = o.putArray("receivers");
            for (Receiver r : l.receivers()) {
                ObjectNode n = rs.addObject();
                n.put("receiver", r.name());
                n.put("from", r.from());
                num(n, "seconds", r.seconds());
                num(n, "framesDecodedPerSecond", round(r.fps(), 2));
                num(n, "senderFramesEncodedPerSecond", round(r.senderFps(), 2));
                n.put("framesDecoded", r.framesDecoded());
                n.put("freezeCount", r.freezeCount());
                num(n, "totalFreezesDuration", round(r.freezeSeconds(), 3));
                n.put("videoPacketsReceived", r.videoPacketsReceived());
                n.put("videoPacketsLost", r.videoPacketsLost());
                n.put("videoRetransmittedPacketsReceived", r.videoRetransmittedReceived());
                num(n, "videoLossPercent", round(r.videoLossPercent(), 3));
                n.put("nackCount", r.nackCount());
                n.put("pliCount", r.pliCount());
                n.put("audioPacketsReceived", r.audioPacketsReceived());
                n.put("audioPacketsLost", r.audioPacketsLost());
                num(n, "audioLossPercent", round(r.audioLossPercent(), 3));
                n.put("sfuNacksReceived", r.sfuNacksReceived());
                n.put("sfuNackedPackets", r.sfuNackedPackets());
                n.put("sfuRetransmitted", r.sfuRetransmitted());
                n.put("sfuRetransmittedRtx", r.sfuRetransmittedRtx());
                n.put("sfuNackMisses", r.sfuNackMisses());
                ObjectNode byReason = n.putObject("sfuNackMissesByReason");
                r.sfuNackMissesByReason().forEach(byReason::put);
                n.put("sfuNacksToSender", r.sfuNacksToSender());
                n.put("proxyDroppedToReceiver", r.proxyDroppedToReceiver());
                n.put("proxyDroppedFromSender", r.proxyDroppedFromSender());
                if (r.failure() != null) {
                    n.put("failure", r.failure());
                }
            }
            o.set("proxyAtEnd", l.proxy());
        }
        String md = markdown(levels);
        String summary = summary(levels);
        root.put("summary", summary);
        Path jsonFile = config.reportDir().resolve("quality.json");
        Files.writeString(jsonFile, mapper.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Path mdFile = config.reportDir().resolve("quality.md");
        Files.writeString(mdFile, md, StandardCharsets.UTF_8);
        progress.print(md);
        progress.println("report: " + jsonFile.toAbsolutePath() + " and " + mdFile.toAbsolutePath());
        return summary;
    }

    String markdown(List<Level> levels) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Two-party Chromium call through the UDP impairment proxy: random loss"
                        + " in both directions of every flow, %d ms delay each way, %s measured per level.%n%n",
                quality.delay().toMillis(), human(config.duration())));
        b.append("| loss | receiver | fps (sent) | freezes | freeze s | video packetsLost | via RTX | nackCount | audio lost"
                + " | SFU NACKs in | SFU retransmitted | SFU could not resend | SFU NACKs to publisher"
                + " | proxy drops down / up |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Level l : levels) {
            for (Receiver r : l.receivers()) {
                b.append(String.format(Locale.ROOT, "| %s %% | %s ← %s | %s | %d | %s | %d (%.2f %%) | %d | %d"
                                + " | %d (%.2f %%) | %d | %d | %d | %d | %d / %d |%n", trim(f2(l.lossPercent())),
                        r.name(), r.from(), r.failure() != null ? "failed" : f2(r.fps()) + " (" + f0(r.senderFps())
                                + ")", r.freezeCount(),
                        f2(r.freezeSeconds()), r.videoPacketsLost(), r.videoLossPercent(),
                        r.videoRetransmittedReceived(), r.nackCount(), r.audioPacketsLost(), r.audioLossPercent(),
                        r.sfuNacksReceived(), r.sfuRetransmitted(), r.sfuNackMisses(), r.sfuNacksToSender(),
                        r.proxyDroppedToReceiver(), r.proxyDroppedFromSender()));
            }
        }
        for (Level l : levels) {
            for (Receiver r : l.receivers()) {
                if (r.failure() != null) {
                    b.append(String.format(Locale.ROOT, "%nAt %s %% the call failed for %s: %s%n",
                            trim(f2(l.lossPercent())), r.name(), r.failure()));
                }
            }
        }
        b.append("\nServer-wide over each window (/metrics): NACK messages received / sent, packets retransmitted: ");
        List<String> parts = new ArrayList<>();
        for (Level l : levels) {
            parts.add(String.format(Locale.ROOT, "%s %%: %s / %s / %s", trim(f2(l.lossPercent())),
                    f0(l.metricsNacksReceived()), f0(l.metricsNacksSent()), f0(l.metricsRetransmitted())));
        }
        b.append(String.join("; ", parts)).append(".\n");
        b.append("\nfps: frames decoded per second (sent: frames the sender encoded per second, what Chromium's"
                + " fake camera and encoder deliver on this machine). video packetsLost: inbound-rtp packetsLost of the video; in"
                + " these runs Chrome counted there also packets that later arrived as RTX, so it is the downlink"
                + " loss before repair, not after (uplink losses the SFU recovered from the publisher arrive on the"
                + " media stream and are not counted). via RTX: retransmittedPacketsReceived. audio lost: audio"
                + " packetsLost (audio is not retransmitted, and crosses two lossy hops). SFU columns: the SFU's"
                + " video consumer towards the receiver (/debug nacksReceived, retransmitted, and NACKed packets it"
                + " could not resend: nackMisses unknown + tooOld + notInBuffer + sendFailed) and NACK requests it"
                + " sent to the sender for uplink losses (nackToPublisher.nackRequests). What stays lost after"
                + " repair shows as freezes. proxy drops down / up: packets the proxy's loss"
                + " model dropped towards the receiver and from the sender towards the SFU (all kinds, RTCP"
                + " included).\n");
        return b.toString();
    }

    private static String summary(List<Level> levels) {
        List<String> parts = new ArrayList<>();
        for (Level l : levels) {
            Map<String, String> f = new LinkedHashMap<>();
            double fps = l.receivers().stream().mapToDouble(Receiver::fps).filter(Double::isFinite).min()
                    .orElse(Double.NaN);
            f.put("min_fps", f2(fps));
            f.put("freezes", Long.toString(l.receivers().stream().mapToLong(Receiver::freezeCount).sum()));
            f.put("video_lost", Long.toString(l.receivers().stream().mapToLong(Receiver::videoPacketsLost).sum()));
            f.put("nack", Long.toString(l.receivers().stream().mapToLong(Receiver::nackCount).sum()));
            f.put("sfu_retransmitted", Long.toString(l.receivers().stream().mapToLong(Receiver::sfuRetransmitted)
                    .sum()));
            StringBuilder s = new StringBuilder("loss=" + trim(f2(l.lossPercent())) + "%");
            f.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
            parts.add(s.toString());
        }
        return String.join(" | ", parts);
    }
}
