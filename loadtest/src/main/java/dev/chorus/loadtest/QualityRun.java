package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.f0;
import static dev.chorus.loadtest.LoadTestMain.f2;
import static dev.chorus.loadtest.LoadTestMain.human;
import static dev.chorus.loadtest.QualityFigures.video;
import static dev.chorus.loadtest.QualityReport.hostPort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.loadtest.QualityFigures.Level;
import dev.chorus.loadtest.QualityFigures.Receiver;
import dev.chorus.loadtest.QualityFigures.Window;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * All as deltas over the window. This class drives the calls and reads; {@link QualityFigures} turns the two
 * readings into figures and {@link QualityReport} writes {@code quality.json} and {@code quality.md}.
 */
final class QualityRun {
    /** How long a call may take to connect and decode each other's video before the level fails. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** The two pages of every call. */
    static final String[] NAMES = {"a", "b"};

    private final LoadTestConfig config;
    private final LoadTestConfig.Quality quality;
    private final PrintStream progress;
    private final String collector;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
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

    private String run() throws Exception {
        Files.createDirectories(config.reportDir());
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        InetSocketAddress listen = new InetSocketAddress(quality.mediaTarget().getAddress(), quality.proxyPort());
        progress.printf(
                Locale.ROOT,
                "quality: two-party Chromium calls at loss %s %% (random, each direction) +"
                        + " %s delay, %s each, through a proxy on %s in front of the SFU at %s, server %s%n",
                levelsText(),
                human(quality.delay()),
                human(config.duration()),
                hostPort(listen),
                hostPort(quality.mediaTarget()),
                config.server());
        List<Level> levels = new ArrayList<>();
        try (UdpImpairmentProxy proxy = UdpImpairmentProxy.start(listen, quality.mediaTarget(), quality.seed())) {
            for (double loss : quality.lossPercents()) {
                for (boolean red : quality.redModes()) {
                    try {
                        String room = "quality-" + runId + "-" + f0(loss * 10) + (red ? "-red" : "");
                        levels.add(runLevel(proxy, room, loss, red));
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        // One failed call (say, it never connected) must not cost the other levels' figures.
                        progress.println("level " + f2(loss) + " %" + (red ? " with RED" : "") + " failed: " + e);
                        levels.add(QualityFigures.failedLevel(loss, red, e.toString()));
                    }
                }
            }
        }
        return new QualityReport(config, progress).write(levels);
    }

    /** One call at {@code lossPercent}; {@code red}: the pages offer Opus RED (else they join with ?red=0). */
    private Level runLevel(UdpImpairmentProxy proxy, String room, double lossPercent, boolean red) throws Exception {
        Impairment link = Impairment.NONE
                .withLoss(lossPercent / 100)
                .withDelay(quality.delay().toMillis());
        proxy.clearRules();
        proxy.setDefault(link, link);
        progress.printf(
                Locale.ROOT,
                "level %s %%%s: %s each way, room %s%n",
                f2(lossPercent),
                red ? " with RED" : "",
                link.toSpec(),
                room);
        String[] handles = new String[NAMES.length];
        try {
            for (int i = 0; i < NAMES.length; i++) {
                ChromiumBrowser b = ChromiumBrowser.launch(i);
                synchronized (this) {
                    browsers.add(b);
                }
                String url = config.server() + "/r/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "?name="
                        + NAMES[i] + (red ? "" : "&red=0");
                handles[i] = b.submit(() -> b.open(url, collector, 1)).get(60, TimeUnit.SECONDS);
            }
            PageSnapshot[] ready = awaitCall(handles);
            String[] ufrags = new String[NAMES.length];
            for (int i = 0; i < NAMES.length; i++) {
                int page = i;
                ufrags[i] = (String) browsers.get(i)
                        .submit(() -> browsers.get(page)
                                .execute(
                                        handles[page],
                                        "const pc = window.chorus.pc; const sdp = pc && pc.remoteDescription"
                                                + " ? pc.remoteDescription.sdp : ''; const m = /^a=ice-ufrag:(\\S+)/m.exec(sdp);"
                                                + " return m ? m[1] : null;"))
                        .get(15, TimeUnit.SECONDS);
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
            Level level = QualityFigures.level(lossPercent, red, ready, start, end, proxy);
            for (Receiver r : level.receivers()) {
                progress.printf(
                        Locale.ROOT,
                        "  %s <- %s: %s fps, %d freezes (%s s), video lost %d (%.2f %%), nack"
                                + " %d, audio concealed %.2f %% | SFU nacks in %d, retransmitted %d, nacks to publisher %d | proxy dropped"
                                + " %d to %s, %d from %s%n",
                        r.name(),
                        r.from(),
                        f2(r.fps()),
                        r.freezeCount(),
                        f2(r.freezeSeconds()),
                        r.videoPacketsLost(),
                        r.videoLossPercent(),
                        r.nackCount(),
                        r.audioConcealedPercent(),
                        r.sfuNacksReceived(),
                        r.sfuRetransmitted(),
                        r.sfuNacksToSender(),
                        r.proxyDroppedToReceiver(),
                        r.name(),
                        r.proxyDroppedFromSender(),
                        r.from());
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
                boolean decoding =
                        s[i].connected() && s[i].inbound().stream().anyMatch(x -> x.video() && x.framesDecoded() > 0);
                if (s[i].mediaFailed()) {
                    throw new IllegalStateException(
                            "page " + NAMES[i] + ": media failed (" + s[i].serverReason() + ")");
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
                    line.append(String.format(
                            Locale.ROOT,
                            "%s: %.1f fps, %d freezes, nack %d  ",
                            NAMES[i],
                            (v.framesDecoded() - v0.framesDecoded()) / seconds,
                            v.freezeCount() - v0.freezeCount(),
                            v.nackCount() - v0.nackCount()));
                }
            } catch (Exception e) {
                line.append(NAMES[i]).append(": ").append(e.getMessage()).append("  ");
            }
        }
        progress.println(line.toString().stripTrailing());
    }

    private JsonNode debug() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(config.server().resolve("/debug"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
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
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private String levelsText() {
        return String.join(
                ", ",
                quality.lossPercents().stream()
                        .map(LoadTestMain::f2)
                        .map(QualityReport::trim)
                        .toList());
    }
}
