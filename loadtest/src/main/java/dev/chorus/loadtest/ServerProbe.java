package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Samples the server: its forwarding counters, preferably from {@code GET /metrics} (Prometheus text:
 * {@code chorus_rtp_forwarded_packets_total}, RTP and RTCP received, rooms and consumers), which costs the
 * server little; if that is switched off or refused, from {@code GET /debug} (sum over routers of every
 * consumer's {@code packetsSent}; sum over workers of {@code packetsProcessed}), which serialises every
 * router and so costs the server CPU of its own at high load. With a process id, also its CPU time and RSS
 * from {@code /proc}. Called from one thread.
 */
final class ServerProbe {
    /** Linux USER_HZ; /proc/PID/stat reports CPU time in these ticks. 100 on every mainstream kernel build. */
    private static final double TICKS_PER_SECOND = 100.0;

    /**
     * Forwarding counters: RTP packets forwarded to subscribers, packets the forwarding layer handled,
     * rooms (routers) and consumers now, the JVM heap in use (-1 when unknown: /debug does not say);
     * {@code source} says which endpoint they came from.
     */
    record Counters(long forwarded, long processed, int routers, int consumers, long heapUsedBytes, String source) {

        /** Heap in use in MiB, NaN when unknown. */
        double heapMib() {
            return heapUsedBytes < 0 ? Double.NaN : heapUsedBytes / (1024.0 * 1024.0);
        }
    }

    /**
     * The server at one moment: its counters (null if it did not answer), when they were read, and its CPU
     * seconds (NaN without a pid). Rates between two marks use each reading's own time.
     */
    record Mark(long nanos, Counters counters, long countersNanos, double cpuSeconds) {

        double forwardedPpsSince(Mark a) {
            // the same reading at both ends (reads in between failed): no rate, rather than a made-up 0
            if (a.counters == null || counters == null || a.countersNanos == countersNanos) {
                return Double.NaN;
            }
            return Math.max(0, counters.forwarded() - a.counters.forwarded()) / seconds(a.countersNanos, countersNanos);
        }

        double processedPpsSince(Mark a) {
            if (a.counters == null || counters == null || a.countersNanos == countersNanos) {
                return Double.NaN;
            }
            return Math.max(0, counters.processed() - a.counters.processed()) / seconds(a.countersNanos, countersNanos);
        }

        double cpuCoresSince(Mark a) {
            return (cpuSeconds - a.cpuSeconds) / seconds(a.nanos, nanos);
        }

        /** The server's heap in use in MiB, NaN when unknown. */
        double heapMib() {
            return counters == null ? Double.NaN : counters.heapMib();
        }

        private static double seconds(long from, long to) {
            return Math.max(1e-3, (to - from) / 1e9);
        }
    }

    private final URI metricsUri;
    private final URI debugUri;
    private final OptionalLong pid;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean metricsUnavailable;
    private volatile String lastError;
    /** The last counters read, and when (sampler thread only). */
    private Counters lastCounters;

    private long lastCountersNanos;

    /** {@code server}: the base URL (http://host:port), or null to read /proc only. */
    ServerProbe(URI server, OptionalLong pid) {
        this.metricsUri = server == null ? null : server.resolve("/metrics");
        this.debugUri = server == null ? null : server.resolve("/debug");
        this.pid = pid;
    }

    /** The forwarding counters, or null if the server did not answer in time (why: {@link #lastError()}). */
    Counters counters(Duration timeout) {
        try {
            if (!metricsUnavailable) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(metricsUri)
                                .timeout(timeout)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    Counters c = parseMetrics(r.body());
                    if (c != null) {
                        return c;
                    }
                }
                metricsUnavailable = true; // off (404), refused (403) or without our counters: use /debug
            }
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(debugUri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                lastError = "/debug answered HTTP " + r.statusCode();
                return null;
            }
            return parse(json.readTree(r.body()));
        } catch (IOException e) {
            lastError = e.toString();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A {@link Mark} of {@code counters} read at {@code countersNanos}, with the CPU time read now. When this
     * read failed (null: a busy server missed the sample's deadline), the mark carries the last counters that
     * were read, with their own time, so a rate over a window whose end sample failed is still a rate.
     */
    Mark mark(long nanos, Counters counters, long countersNanos) {
        if (counters != null) {
            lastCounters = counters;
            lastCountersNanos = countersNanos;
        }
        return counters == null && lastCounters != null
                ? new Mark(nanos, lastCounters, lastCountersNanos, cpuSeconds())
                : new Mark(nanos, counters, countersNanos, cpuSeconds());
    }

    /**
     * The counters at the start of a run: up to three tries of 5 s each, since a busy machine (or a server
     * whose first scrape warms up) may be slow to answer.
     *
     * @throws IOException naming the server and the last error when it never answered
     */
    Counters firstCounters(URI server) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            Counters c = counters(Duration.ofSeconds(5));
            if (c != null) {
                return c;
            }
        }
        throw new IOException("the server does not answer at " + server + ": " + lastError);
    }

    /** Our counters from a Prometheus text page, or null if it lacks the forwarded-packets counter. */
    static Counters parseMetrics(String text) {
        Map<String, Double> m = PrometheusText.parse(text);
        Double forwarded = m.get("chorus_rtp_forwarded_packets_total");
        if (forwarded == null) {
            return null;
        }
        double rtpIn = m.getOrDefault("chorus_rtp_received_packets_total", 0.0);
        double rtcpIn = m.getOrDefault("chorus_rtcp_received_packets_total", 0.0);
        return new Counters(
                forwarded.longValue(),
                (long) (rtpIn + rtcpIn),
                m.getOrDefault("chorus_media_rooms", 0.0).intValue(),
                m.getOrDefault("chorus_media_consumers", 0.0).intValue(),
                m.get("heap").longValue(),
                "/metrics");
    }

    static Counters parse(JsonNode root) {
        JsonNode forwarding = root.path("media").path("forwarding");
        long processed = 0;
        for (JsonNode w : forwarding.path("workers")) {
            processed += w.path("packetsProcessed").asLong();
        }
        long forwarded = 0;
        int consumers = 0;
        int routers = 0;
        for (JsonNode r : forwarding.path("routers")) {
            routers++;
            for (JsonNode c : r.path("consumers")) {
                consumers++;
                forwarded += c.path("packetsSent").asLong();
            }
        }
        return new Counters(forwarded, processed, routers, consumers, -1, "/debug");
    }

    boolean hasPid() {
        return pid.isPresent();
    }

    /** User + system CPU seconds of the server process, or NaN. */
    double cpuSeconds() {
        return cpuTimes().total();
    }

    /** User and system CPU seconds of the server process, or {@link CpuTimes#UNKNOWN}. */
    CpuTimes cpuTimes() {
        if (pid.isEmpty()) {
            return CpuTimes.UNKNOWN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid.getAsLong()), "stat"));
            // fields after the command name (which may hold spaces) start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state); utime is field 14, stime field 15
            return new CpuTimes(Long.parseLong(f[11]) / TICKS_PER_SECOND, Long.parseLong(f[12]) / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            lastError = "/proc/" + pid.getAsLong() + "/stat: " + e;
            return CpuTimes.UNKNOWN;
        }
    }

    /** Resident set size of the server in MiB, or NaN. */
    double rssMib() {
        if (pid.isEmpty()) {
            return Double.NaN;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid.getAsLong()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            return Double.NaN;
        } catch (IOException | RuntimeException e) {
            lastError = "/proc/" + pid.getAsLong() + "/status: " + e;
            return Double.NaN;
        }
    }

    String lastError() {
        return lastError;
    }
}
