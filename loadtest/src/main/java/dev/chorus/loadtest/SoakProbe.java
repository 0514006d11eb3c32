package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads a running server's resources for the soak: its gauges from {@code /metrics} (heap, live threads,
 * pooled buffers, transports, rooms, sessions), its resume state from {@code /debug}, its threads, RSS and
 * open file descriptors from /proc, and triggers a full GC in it with {@code jcmd PID GC.run} (the JDK tool next
 * to this JVM's java), so heap after GC needs no counter of the server's own.
 */
final class SoakProbe {
    private final URI metrics;
    private final URI debug;
    private final long pid;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    SoakProbe(URI server, long pid) {
        this.metrics = server.resolve("/metrics");
        this.debug = server.resolve("/debug");
        this.pid = pid;
    }

    /** One reading at {@code t} s; {@code afterGc} is only recorded. Throws when the server does not answer. */
    SoakReading read(double t, boolean afterGc) throws IOException, InterruptedException {
        Map<String, Double> m = PrometheusText.parse(get(metrics));
        JsonNode resume = json.readTree(get(debug)).path("signaling").path("resume");
        Map<String, Long> status = procStatus();
        return new SoakReading(
                t,
                afterGc,
                m.getOrDefault("heap", Double.NaN) / (1024.0 * 1024.0),
                status.getOrDefault("VmRSS", -1L) / 1024.0,
                count(m, "jvm_threads_live_threads"),
                status.getOrDefault("Threads", -1L),
                fds(),
                count(m, "chorus_media_buffers_in_use"),
                count(m, "chorus_media_transports"),
                count(m, "chorus_media_sessions"),
                count(m, "chorus_media_rooms"),
                count(m, "chorus_rooms"),
                count(m, "chorus_participants"),
                count(m, "chorus_connections"),
                count(m, "chorus_media_producers"),
                count(m, "chorus_media_consumers"),
                resume.path("liveTokens").asLong(-1),
                resume.path("detached").asLong(-1),
                resume.path("resumes").asLong(-1));
    }

    /** Runs a full GC in the server ({@code jcmd PID GC.run}, which returns once it is done). */
    void gc() throws IOException, InterruptedException {
        jcmd("GC.run");
    }

    /**
     * The server's Java threads by name, digits replaced by {@code #} so a pool's threads count together
     * ({@code jcmd PID Thread.print}): what to compare when the thread count does not come back.
     */
    Map<String, Integer> threadNames() throws IOException, InterruptedException {
        Map<String, Integer> names = new TreeMap<>();
        for (String line : jcmd("Thread.print").split("\n")) {
            if (line.startsWith("\"")) {
                String name = line.substring(1, Math.max(1, line.indexOf('"', 1)));
                names.merge(name.replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
        }
        return names;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
        }
        return out;
    }

    private static long count(Map<String, Double> m, String name) {
        Double v = m.get(name);
        return v == null ? -1 : Math.round(v);
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + r.statusCode());
        }
        return r.body();
    }

    /** VmRSS (KiB) and Threads from /proc/PID/status. */
    private Map<String, Long> procStatus() throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("Threads:")) {
                out.put(line.substring(0, line.indexOf(':')), Long.parseLong(line.replaceAll("[^0-9]", "")));
            }
        }
        return out;
    }

    private long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        }
    }
}
