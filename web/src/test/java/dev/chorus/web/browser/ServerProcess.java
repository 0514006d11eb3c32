package dev.chorus.web.browser;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server jar ({@code target/chorus-server.jar}, as a user runs it) in a process of its own on 127.0.0.1: for tests
 * that need the real process (its CPU and memory, a {@code kill -9}). The HTTP port is fixed when started, so a
 * process started again on it is the same server to the pages; the media port is any free one. Its output goes to
 * {@code log}, appended to by every start.
 */
final class ServerProcess implements AutoCloseable {
    private final int httpPort;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private boolean quickStart = true;

    private ServerProcess(int httpPort, Map<String, String> env, Path log) {
        this.httpPort = httpPort;
        this.env = env;
        this.log = log;
    }

    /** Starts the jar on a free HTTP port with {@code env} added to the defaults, and waits for /health. */
    static ServerProcess start(Map<String, String> env, Path log) throws Exception {
        ServerProcess s = launch(env, log);
        s.awaitHealthy();
        return s;
    }

    /** As {@link #start} without waiting: call {@link #awaitHealthy} before using it. */
    static ServerProcess launch(Map<String, String> env, Path log) throws IOException {
        return launch(env, log, true);
    }

    /**
     * @param quickStart run the JVM with the client compiler and the serial collector (starts faster); false: the
     *                   JVM's own defaults, as in production, for a test that reports the server's CPU
     */
    static ServerProcess launch(Map<String, String> env, Path log, boolean quickStart) throws IOException {
        ServerProcess s = new ServerProcess(freePort(), env, log);
        s.quickStart = quickStart;
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
        s.spawn();
        return s;
    }

    /** Starts the jar again on the same HTTP port and waits for /health. */
    void startAgain() throws Exception {
        spawn();
        awaitHealthy();
    }

    private void spawn() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // For a look inside a test's server (a flight recording, GC logs): -Dchorus.serverJvmArgs="-X... -X...".
        String extra = System.getProperty("chorus.serverJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        } else if (quickStart) {
            // Quick to start on a busy 2-core machine, as the signaling tests' server processes: a few browser
            // pages' packets need no optimising compiler, and clustered nodes start several at once.
            command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        command.add("-jar");
        command.add(Path.of("target", "chorus-server.jar").toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CHORUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("CHORUS_HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("CHORUS_MEDIA_ADDRESS", "127.0.0.1");
        pb.environment().put("CHORUS_MEDIA_PORT", "0");
        // Signaling at the process's own priority (see TestServer: the browsers share the machine).
        pb.environment().put("CHORUS_MEDIA_SETUP_THREAD_NICE", "0");
        pb.environment().putAll(env);
        process = pb.start();
    }

    String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    Process process() {
        return process;
    }

    /** SIGKILL: no drain, no goodbye to anyone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
    }

    /** Waits until the server answers /health with UP (90 s at most); fails if it exits. */
    void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (get(base() + "/health", Duration.ofSeconds(10)).contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not healthy within 90 s; see " + log);
    }

    static String get(String url, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM (the graceful drain), SIGKILL after 15 s. */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
