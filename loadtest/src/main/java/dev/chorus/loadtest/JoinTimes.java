package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How long joining takes, stage by stage: {@code rounds} times, {@code pages} windows of one headless Chromium
 * open {@code /r/<fresh room>?name=...} at once (publishing camera and microphone, as a user following a link
 * does), and each page notes when it got through each stage of its join (join-timeline.js, installed before
 * the page's own scripts: camera, WebSocket, join, offer, answer, ICE, DTLS, first remote video frame), in
 * milliseconds since its navigation started. Writes {@code join.json} (every page's marks, and p50 / max per
 * stage) and prints the table.
 *
 * <pre>java -cp chorus-loadtest.jar dev.chorus.loadtest.JoinTimes [--server URL] [--rounds N] [--pages N]
 *     [--report DIR]</pre>
 */
public final class JoinTimes {
    /** The stages, in the order a join goes through them, as join-timeline.js names them. */
    static final List<String> STAGES = List.of(
            "domContentLoaded",
            "cameraAsked",
            "camera",
            "wsCreated",
            "wsOpen",
            "joinSent",
            "joined",
            "peerConnection",
            "offerSent",
            "answer",
            "firstLocalCandidate",
            "iceConnected",
            "dtlsConnected",
            "remoteVideoTrack",
            "firstRemoteFrame",
            "allRemoteFrames");

    private static final long ROUND_TIMEOUT_MILLIS = 30_000;
    private static final long POLL_MILLIS = 100;

    private JoinTimes() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of(
                "--server",
                "http://127.0.0.1:8080",
                "--rounds",
                "10",
                "--pages",
                "3",
                "--report",
                "loadtest/target/join"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                System.err.println("unknown option " + args[i] + "; options: " + o.keySet());
                System.exit(2);
            }
            o.put(args[i], args[i + 1]);
        }
        URI server = new OptionConverters.LoopbackServer().convert(o.get("--server"));
        int rounds = Integer.parseInt(o.get("--rounds"));
        int pages = Integer.parseInt(o.get("--pages"));
        Path report = Path.of(o.get("--report"));
        System.out.println(run(server, rounds, pages, report, System.err));
        System.exit(0); // Selenium leaves non-daemon threads
    }

    /** Runs the rounds; returns the table. */
    static String run(URI server, int rounds, int pages, Path report, PrintStream progress) throws Exception {
        String script;
        try (InputStream in = JoinTimes.class.getResourceAsStream("join-timeline.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("server", server.toString());
        root.put("pages", pages);
        ArrayNode roundsJson = root.putArray("rounds");
        Map<String, List<Double>> byStage = new LinkedHashMap<>();
        List<Double> slowestFirstFrame = new ArrayList<>();
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        try (ChromiumBrowser browser = ChromiumBrowser.launch(0)) {
            for (int r = 0; r < rounds; r++) {
                String room = "join-" + runId + "-" + r;
                List<String> windows = new ArrayList<>();
                for (int p = 0; p < pages; p++) {
                    windows.add(browser.submit(() -> browser.openBlank(script)).get(30, TimeUnit.SECONDS));
                }
                for (int p = 0; p < pages; p++) {
                    String handle = windows.get(p);
                    String url = server.resolve("/r/" + room + "?name=p" + p).toString();
                    browser.submit(() -> {
                                browser.navigate(handle, url);
                                return null;
                            })
                            .get(30, TimeUnit.SECONDS);
                }
                List<JsonNode> timelines = await(browser, windows, pages - 1, json);
                ArrayNode pagesJson = roundsJson.addObject().put("room", room).putArray("pages");
                double slowest = 0;
                for (JsonNode t : timelines) {
                    ObjectNode marks = stageMarks(t, pages - 1);
                    pagesJson.add(marks);
                    marks.fields()
                            .forEachRemaining(e -> byStage.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                    .add(e.getValue().asDouble()));
                    slowest = Math.max(slowest, marks.path("firstRemoteFrame").asDouble(ROUND_TIMEOUT_MILLIS));
                    // After the stages are counted: what explains them, for reading one join.
                    marks.set("remoteFrames", t.path("remoteFrames"));
                    marks.set("detail", t.path("detail"));
                    marks.set("timeOrigin", t.path("timeOrigin"));
                }
                slowestFirstFrame.add(slowest);
                progress.printf(
                        Locale.ROOT,
                        "round %d/%d: slowest page's first remote frame %.0f ms%n",
                        r + 1,
                        rounds,
                        slowest);
                for (String handle : windows) {
                    browser.submit(() -> {
                                browser.closeWindow(handle);
                                return null;
                            })
                            .get(30, TimeUnit.SECONDS);
                }
                Thread.sleep(1000); // the server notices the pages left
            }
        }
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT, "%-20s %8s %8s %6s%n", "stage (ms since navigation)", "p50", "max", "pages"));
        ObjectNode stages = root.putObject("stages");
        for (String stage : STAGES) {
            double[] v = byStage.getOrDefault(stage, List.of()).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            ObjectNode s = stages.putObject(stage);
            s.put("pages", v.length);
            LoadTestMain.num(s, "p50", LoadTestMain.percentile(v, 0.5));
            LoadTestMain.num(s, "max", v.length == 0 ? Double.NaN : v[v.length - 1]);
            table.append(String.format(
                    Locale.ROOT,
                    "%-27s %8s %8s %6d%n",
                    stage,
                    LoadTestMain.f0(LoadTestMain.percentile(v, 0.5)),
                    LoadTestMain.f0(v.length == 0 ? Double.NaN : v[v.length - 1]),
                    v.length));
        }
        double[] slow = slowestFirstFrame.stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        ObjectNode sl = root.putObject("slowestPageFirstRemoteFrame");
        LoadTestMain.num(sl, "p50", LoadTestMain.percentile(slow, 0.5));
        LoadTestMain.num(sl, "max", slow.length == 0 ? Double.NaN : slow[slow.length - 1]);
        table.append(String.format(
                Locale.ROOT,
                "%-27s %8s %8s %6d%n",
                "slowest page per room",
                LoadTestMain.f0(LoadTestMain.percentile(slow, 0.5)),
                LoadTestMain.f0(slow.length == 0 ? Double.NaN : slow[slow.length - 1]),
                slow.length));
        root.put("table", table.toString());
        Files.createDirectories(report);
        Files.writeString(report.resolve("join.json"), json.writeValueAsString(root) + "\n");
        return table.toString();
    }

    /** Polls the pages until each has seen {@code remoteVideos} remote frames, or the round times out. */
    private static List<JsonNode> await(
            ChromiumBrowser browser, List<String> windows, int remoteVideos, ObjectMapper json) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_TIMEOUT_MILLIS);
        while (true) {
            List<JsonNode> timelines = new ArrayList<>();
            boolean done = true;
            for (String handle : windows) {
                Object o = browser.submit(() -> browser.execute(
                                handle,
                                "const j = window.__chorusJoin; if (!j) return null;"
                                        + " const n = performance.getEntriesByType('navigation')[0];"
                                        + " return JSON.stringify(Object.assign({}, j,"
                                        + " {domContentLoaded: n ? n.domContentLoadedEventEnd : null,"
                                        + " timeOrigin: performance.timeOrigin}));"))
                        .get(30, TimeUnit.SECONDS);
                JsonNode t = o == null ? json.createObjectNode() : json.readTree((String) o);
                timelines.add(t);
                done &= t.path("remoteFrames").size() >= remoteVideos;
            }
            if (done || System.nanoTime() > deadline) {
                return timelines;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** One page's stages in milliseconds since its navigation; a stage it never reached is left out. */
    static ObjectNode stageMarks(JsonNode timeline, int remoteVideos) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        JsonNode marks = timeline.path("marks");
        for (String stage : STAGES) {
            JsonNode v = stage.equals("domContentLoaded") ? timeline.path(stage) : marks.path(stage);
            if (v.isNumber()) {
                out.put(stage, v.asDouble());
            }
        }
        JsonNode frames = timeline.path("remoteFrames");
        if (remoteVideos > 0 && frames.size() >= remoteVideos) {
            double[] sorted = new double[frames.size()];
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = frames.get(i).asDouble();
            }
            java.util.Arrays.sort(sorted);
            out.put("allRemoteFrames", sorted[remoteVideos - 1]);
        }
        return out;
    }
}
