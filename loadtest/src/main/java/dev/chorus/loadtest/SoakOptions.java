package dev.chorus.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The churn soak's command line ({@link SoakRun}), checked. Every loop it drives is bounded by these: the run
 * lasts {@code duration}; native bots and Chromium pages act at most once per {@code every}; waits end after
 * {@code settle}.
 *
 * @param server         the server's base URL (loopback only)
 * @param serverPid      its process id: the soak reads its threads and file descriptors from /proc and triggers
 *                       its GC with jcmd, so it must run on the same machine
 * @param duration       how long the churn lasts, warm-up excluded
 * @param warmup         a first round of the same churn before the baseline, so the server's pools, thread
 *                       pools and classes are in place when the baseline is read
 * @param bots           native bots (all publish), in rooms of {@code roomSize}
 * @param pages          Chromium pages (0 to 2): the first publishes the fake camera and microphone, the
 *                       second joins receive-only; each reaches the server through its own TCP proxy, which drops
 *                       its socket
 * @param every          how often each bot and each page takes its next step (join, drop, resume, leave)
 * @param dropsPerVisit  socket drops (each followed by a resume) before a bot or page leaves
 * @param settle         how long to wait for the server to drop back to empty after everyone left
 * @param heapToleranceMib heap after GC may end this much above its baseline
 * @param threadTolerance live threads may end this many above the baseline: some of the server's pools are elastic
 *                       (ice4j's, the JDK's common pool start threads under load and end them after 60 s idle), and
 *                       a short soak's end catches a few more of them than its baseline did
 * @param fdTolerance    open file descriptors may end this many above the baseline
 */
record SoakOptions(
        URI server,
        long serverPid,
        Duration duration,
        Duration warmup,
        int bots,
        int roomSize,
        int pages,
        Duration every,
        int dropsPerVisit,
        Duration settle,
        Profile profile,
        double heapToleranceMib,
        int threadTolerance,
        int fdTolerance,
        Path report) {

    private static final class SoakDuration extends OptionConverters.BoundedDuration {
        SoakDuration() {
            super(Duration.ZERO, Duration.ofHours(2));
        }
    }

    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("--server", "http://127.0.0.1:8080");
        d.put("--server-pid", "");
        d.put("--duration", "30m");
        d.put("--warmup", "30s");
        d.put("--bots", "6");
        d.put("--room-size", "3");
        d.put("--pages", "2");
        d.put("--every", "3s");
        d.put("--drops", "2");
        d.put("--settle", "60s");
        d.put("--profile", "360p");
        d.put("--heap-tolerance-mib", "8");
        d.put("--thread-tolerance", "5");
        d.put("--fd-tolerance", "4");
        d.put("--report", "loadtest/target/soak");
        return d;
    }

    /** Parses {@code --name value} pairs over the defaults; throws IllegalArgumentException naming the option. */
    static SoakOptions parse(String... args) {
        Map<String, String> o = new LinkedHashMap<>(DEFAULTS);
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs (--name value); options: " + o.keySet());
        }
        for (int i = 0; i < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
            }
            o.put(args[i], args[i + 1]);
        }
        if (o.get("--server-pid").isBlank()) {
            throw new IllegalArgumentException("--server-pid is required (the soak reads the server's /proc entry)");
        }
        SoakDuration d = new SoakDuration();
        SoakOptions s = new SoakOptions(
                new OptionConverters.LoopbackServer().convert(o.get("--server")),
                Long.parseLong(o.get("--server-pid")),
                d.convert(o.get("--duration")),
                d.convert(o.get("--warmup")),
                Integer.parseInt(o.get("--bots")),
                Integer.parseInt(o.get("--room-size")),
                Integer.parseInt(o.get("--pages")),
                d.convert(o.get("--every")),
                Integer.parseInt(o.get("--drops")),
                d.convert(o.get("--settle")),
                new OptionConverters.ProfileName().convert(o.get("--profile")),
                Double.parseDouble(o.get("--heap-tolerance-mib")),
                Integer.parseInt(o.get("--thread-tolerance")),
                Integer.parseInt(o.get("--fd-tolerance")),
                Path.of(o.get("--report")));
        if (s.bots < 0 || s.bots > 60 || s.roomSize < 1 || s.pages < 0 || s.pages > 2 || s.dropsPerVisit < 0) {
            throw new IllegalArgumentException("need 0-60 bots, a room size of 1 or more, 0-2 pages, drops >= 0");
        }
        if (s.every.toMillis() < 500) {
            throw new IllegalArgumentException("--every must be 500ms or more");
        }
        return s;
    }
}
