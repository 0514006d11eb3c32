package dev.chorus.signaling.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Chorus server as its own JVM ({@code java -cp <module classpath> dev.chorus.signaling.Main}) on loopback,
 * configured through the environment; its output is kept for assertion messages. Closing kills it if it still runs.
 */
final class ServerProcess implements AutoCloseable {

    final int httpPort;
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private ServerProcess(int httpPort, Process process) {
        this.httpPort = httpPort;
        this.process = process;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts one on a free HTTP port with {@code env} on top of loopback-only media settings. */
    static ServerProcess start(String name, Map<String, String> env) throws Exception {
        int httpPort = freePort();
        // Surefire runs tests through a manifest-only jar; it publishes the real classpath here.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        // Start-up, not throughput: the client JIT alone and the serial collector start a short-lived
                        // server on two busy cores in a fraction of the CPU.
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-cp",
                        classpath,
                        "-Dlogback.configurationFile="
                                + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
                        "dev.chorus.signaling.Main")
                .redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        e.put("CHORUS_HTTP_HOST", "127.0.0.1");
        e.put("CHORUS_HTTP_PORT", String.valueOf(httpPort));
        e.put("CHORUS_MEDIA_PORT", "0");
        e.put("CHORUS_MEDIA_WORKERS", "1");
        e.put("CHORUS_MEDIA_ALLOWED_REMOTES", "127.0.0.0/8");
        e.put("CHORUS_LOG_LEVEL", "INFO");
        e.remove("CHORUS_CONFIG");
        e.putAll(env);
        ServerProcess server = new ServerProcess(httpPort, pb.start());
        Thread reader = new Thread(server::readOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
        return server;
    }

    private void readOutput() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                output.add(line);
            }
        } catch (java.io.IOException ignored) {
            // the process ended
        }
    }

    /** Waits for its "ready" line (start-up takes seconds, many more on a busy machine). */
    ServerProcess awaitReady() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!outputContains("ready: open http")) {
            assertTrue(process.isAlive(), "server exited early:\n" + output());
            assertTrue(System.currentTimeMillis() < deadline, "server not ready:\n" + output());
            Thread.sleep(50);
        }
        return this;
    }

    boolean outputContains(String text) {
        synchronized (output) {
            return output.stream().anyMatch(l -> l.contains(text));
        }
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM to its PID. Through its {@link ProcessHandle}: {@code Process.destroy()} would also close our end of
     * its output pipe, losing what it logs while it shuts down.
     */
    void sigterm() {
        assertTrue(process.toHandle().destroy(), "SIGTERM not sent to " + process.pid());
    }

    /** Whether it exited within {@code seconds}. */
    boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL, as a crash: nothing of it says goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
