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
import java.util.OptionalLong;

/**
 * Samples the server: its forwarding counters from {@code GET /debug} (sum over routers of every consumer's
 * {@code packetsSent}: RTP packets forwarded to subscribers; sum over workers of {@code packetsProcessed}:
 * packets the media workers handled) and, with a process id, its CPU time and RSS from {@code /proc}.
 * Called from one thread.
 */
final class ServerProbe {
    /** Linux USER_HZ; /proc/PID/stat reports CPU time in these ticks. 100 on every mainstream kernel build. */
    private static final double TICKS_PER_SECOND = 100.0;

    record Debug(long forwarded, long processed, int routers, int consumers) {
    }

    private final URI debugUri;
    private final OptionalLong pid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private volatile String lastError;

    ServerProbe(URI debugUri, OptionalLong pid) {
        this.debugUri = debugUri;
        this.pid = pid;
    }

    /** The forwarding counters, or null if /debug did not answer in time (the reason goes to {@link #lastError()}). */
    Debug debug(Duration timeout) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(debugUri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                lastError = "/debug answered HTTP " + r.statusCode();
                return null;
            }
            return parse(json.readTree(r.body()));
        } catch (IOException e) {
            lastError = "/debug: " + e;
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static Debug parse(JsonNode root) {
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
        return new Debug(forwarded, processed, routers, consumers);
    }

    boolean hasPid() {
        return pid.isPresent();
    }

    /** User + system CPU seconds of the server process, or NaN. */
    double cpuSeconds() {
        if (pid.isEmpty()) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid.getAsLong()), "stat"));
            // fields after the command name (which may hold spaces) start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state); utime is field 14, stime field 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            lastError = "/proc/" + pid.getAsLong() + "/stat: " + e;
            return Double.NaN;
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
