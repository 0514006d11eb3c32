package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The churn soak's documented command, short: {@code bash loadtest/soak.sh} starts the server jar and runs
 * {@link SoakRun} for 12 s after a 6 s warm-up, with four native bots in rooms of two and the two Chromium pages,
 * each dropping its signaling socket and resuming once per visit, a step every second (a visit takes five or six
 * steps: about three visits each, as many as 20 s at a step every 2 s gave, in 8 s less). Checks that the script
 * exits 0 (every figure back to its baseline), that the report says so figure by figure, that the churn
 * really happened (several visits, every drop resumed, the server counted the resumes, participants and
 * transports rose during it), and that the charts were written.
 */
class SoakIT {
    @Test
    void churnLeavesTheServerAsItFoundIt() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("loadtest/soak.sh")), "run from the loadtest module: " + root);
        for (String jar : List.of("web/target/chorus-server.jar", "loadtest/target/chorus-loadtest.jar")) {
            assertTrue(Files.isRegularFile(root.resolve(jar)), jar + " missing: build with mvn package first");
        }
        Path report = root.resolve("loadtest/target/soak-it");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort(); // free now; the server binds it moments later
        }
        ProcessBuilder pb = new ProcessBuilder(
                        "bash",
                        "loadtest/soak.sh",
                        "--warmup",
                        "6s",
                        "--duration",
                        "12s",
                        "--bots",
                        "4",
                        "--room-size",
                        "2",
                        "--pages",
                        "2",
                        "--every",
                        "1s",
                        "--drops",
                        "1",
                        "--settle",
                        "30s")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(report.resolveSibling("soak-it.log").toFile());
        Files.createDirectories(report);
        pb.environment().put("SOAK_REPORT", report.toString());
        pb.environment().put("SOAK_HTTP_PORT", Integer.toString(port));
        Process p = pb.start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            endTree(p.toHandle());
        }
        String log = Files.readString(report.resolveSibling("soak-it.log"));
        System.out.println(log);
        assertTrue(done, "soak.sh did not end within 240 s");
        assertEquals(0, p.exitValue(), "soak.sh exit status; its output:\n" + log);

        JsonNode r = new ObjectMapper().readTree(report.resolve("result.json").toFile());
        assertTrue(r.path("passed").asBoolean(), "passed");
        List<String> figures = new ArrayList<>();
        for (JsonNode c : r.path("checks")) {
            assertTrue(c.path("ok").asBoolean(), c.toString());
            figures.add(c.path("figure").asText());
        }
        assertTrue(
                figures.containsAll(List.of(
                        "heap after GC (MiB)",
                        "live Java threads",
                        "open file descriptors",
                        "pooled buffers in use",
                        "media transports",
                        "media sessions",
                        "rooms",
                        "participants")),
                figures.toString());
        JsonNode base = r.path("baseline");
        JsonNode end = r.path("end");
        assertTrue(base.path("afterGc").asBoolean() && end.path("afterGc").asBoolean());
        assertTrue(
                base.path("heapMib").asDouble() > 1 && base.path("javaThreads").asLong() > 5, base.toString());
        assertTrue(base.path("fds").asLong() > 5, base.toString());
        assertEquals(0, end.path("participants").asLong());
        assertEquals(0, end.path("transports").asLong());
        assertEquals(0, end.path("buffersInUse").asLong());

        long resumes = 0;
        for (String kind : List.of("bots", "pages")) {
            JsonNode t = r.path(kind);
            assertEquals(0, t.path("failures").asInt(), kind + ": " + t);
            assertTrue(t.path("joins").asLong() >= 2L * (kind.equals("bots") ? 4 : 2), kind + " visits: " + t);
            assertEquals(t.path("joins").asLong(), t.path("leaves").asLong(), kind + ": everyone left: " + t);
            assertTrue(t.path("drops").asLong() >= (kind.equals("bots") ? 4 : 2), kind + " drops: " + t);
            assertEquals(t.path("drops").asLong(), t.path("resumes").asLong(), kind + ": every drop resumed: " + t);
            resumes += t.path("resumes").asLong();
        }
        assertTrue(end.path("serverResumes").asLong() >= resumes, "the server counted the resumes: " + end);

        long maxParticipants = 0;
        long maxTransports = 0;
        for (JsonNode s : r.path("readings")) {
            maxParticipants = Math.max(maxParticipants, s.path("participants").asLong());
            maxTransports = Math.max(maxTransports, s.path("transports").asLong());
        }
        assertTrue(maxParticipants >= 4 && maxTransports >= 4, "participants and transports rose during the churn");
        String html = Files.readString(report.resolve("index.html"));
        assertTrue(html.contains("Server memory") && html.contains("Server threads") && html.contains("<polyline"));
        assertTrue(html.contains("PASSED"));
    }

    /** Ends the script and what it started (server, load test, Chromium), by PID. */
    private static void endTree(ProcessHandle p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p);
        tree.forEach(ProcessHandle::destroy);
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
