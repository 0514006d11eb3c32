package dev.chorus.web.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Debian package the build makes (web/deb/build-deb.sh, target/chorus_*_all.deb), installed on this machine
 * with dpkg (as root, or through sudo, as conf/test.sh installs its tools), started the way its systemd unit starts
 * it (its user, environment, working directory and ExecStart, read from the installed unit; the machine need not run
 * systemd), asked for /health, stopped with SIGTERM, and purged: files, data directory and user gone. Prints the
 * transcript. Refuses to run where a chorus package is installed already: it never touches a real installation.
 */
class DebianPackageIT {

    private final List<String> transcript = new ArrayList<>();
    private final boolean root = "0".equals(System.getProperty("chorus.test.uid", uid()));

    @Test
    void installsStartsAsItsServiceStopsAndPurges() throws Exception {
        Path deb;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> debs = files.filter(p -> p.getFileName().toString().matches("chorus_.*_all\\.deb"))
                    .toList();
            assertEquals(1, debs.size(), "one package in target/: " + debs);
            deb = debs.get(0).toAbsolutePath();
        }
        String fields = run(List.of("dpkg-deb", "--field", deb.toString(), "Package", "Depends", "Suggests"), 0);
        assertTrue(fields.contains("Depends: java17-runtime-headless"), fields);
        assertTrue(fields.contains("Suggests: coturn"), fields);
        String contents = run(List.of("dpkg-deb", "--contents", deb.toString()), 0);
        for (String path : List.of(
                "./usr/share/chorus/chorus-server.jar",
                "./usr/bin/chorus",
                "./etc/chorus/chorus.conf",
                "./lib/systemd/system/chorus.service")) {
            assertTrue(contents.contains(path), path + " in\n" + contents);
        }
        assertFalse(
                run(List.of("dpkg-query", "-W", "-f=${Status}", "chorus"), -1).contains("installed"),
                "a chorus package is installed on this machine already: not touching it");

        try {
            run(asRoot("dpkg", "-i", deb.toString()), 0);
            assertTrue(run(List.of("getent", "passwd", "chorus"), 0).startsWith("chorus:"));
            assertEquals(
                    "chorus chorus",
                    run(List.of("stat", "-c", "%U %G", "/var/lib/chorus"), 0).trim());
            Unit unit = Unit.read(Path.of("/lib/systemd/system/chorus.service"));
            assertEquals("chorus", unit.user);
            assertTrue(Files.isExecutable(Path.of(unit.execStart)), unit.execStart);
            startAsTheServiceDoes(unit);
        } finally {
            run(asRoot("dpkg", "--purge", "chorus"), 0);
            System.out.println(String.join("\n", transcript));
        }
        assertFalse(Files.exists(Path.of("/usr/share/chorus")), "package files left");
        assertFalse(Files.exists(Path.of("/var/lib/chorus")), "data directory left after purge");
        assertTrue(run(List.of("getent", "passwd", "chorus"), -1).isBlank(), "user left after purge");
    }

    private void startAsTheServiceDoes(Unit unit) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(asRoot("env"));
        command.addAll(unit.environment);
        command.addAll(List.of(
                "CHORUS_HTTP_HOST=127.0.0.1",
                "CHORUS_HTTP_PORT=" + port,
                "CHORUS_MEDIA_ADDRESS=127.0.0.1",
                "CHORUS_MEDIA_PORT=0",
                "setpriv",
                "--reuid=" + unit.user,
                "--regid=" + unit.group,
                "--init-groups",
                unit.execStart));
        transcript.add("$ (cd " + unit.workingDirectory + " && " + String.join(" ", command) + ")");
        Path log = Files.createTempFile("chorus-deb", ".log");
        Process server = new ProcessBuilder(command)
                .directory(Path.of(unit.workingDirectory).toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            String health = awaitHealth(port, server, log);
            transcript.add("$ curl http://127.0.0.1:" + port + "/health\n" + health);
            String user = run(List.of("ps", "-o", "user=", "--ppid", Long.toString(server.pid())), -1)
                    + run(List.of("ps", "-o", "user=", "-p", Long.toString(server.pid())), -1);
            assertTrue(user.contains("chorus"), "runs as chorus: " + user);
            server.toHandle().descendants().forEach(ProcessHandle::destroy);
            server.destroy(); // SIGTERM: the drain, then exit 0
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            transcript.add(out.lines()
                    .filter(l -> l.contains("configuration:") || l.contains("ready:") || l.contains("shutdown:"))
                    .reduce((a, b) -> a + "\n" + b)
                    .orElse(""));
            assertTrue(out.contains("configuration: /etc/chorus/chorus.conf"), out);
            assertTrue(out.contains("shutdown: stopped"), out);
        } finally {
            if (server.isAlive()) {
                server.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    private static String awaitHealth(int port, Process server, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(server.isAlive(), "the server exited: " + Files.readString(log));
            try {
                String body = http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                if (body.contains("\"UP\"")) {
                    return body;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no /health within 90 s: " + Files.readString(log));
    }

    /** What systemd would use to start the service: user, group, environment, working directory, command. */
    private record Unit(
            String user, String group, List<String> environment, String workingDirectory, String execStart) {
        static Unit read(Path file) throws IOException {
            String user = null;
            String group = null;
            String dir = "/";
            String exec = null;
            List<String> env = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq < 0 || line.startsWith("#")) {
                    continue;
                }
                String key = line.substring(0, eq).trim();
                String value = line.substring(eq + 1).trim();
                switch (key) {
                    case "User" -> user = value;
                    case "Group" -> group = value;
                    case "Environment" -> env.add(value);
                    case "WorkingDirectory" -> dir = value;
                    case "ExecStart" -> exec = value;
                    default -> {}
                }
            }
            return new Unit(user, group == null ? user : group, env, dir, exec);
        }
    }

    private List<String> asRoot(String... command) {
        List<String> c = new ArrayList<>();
        if (!root) {
            c.addAll(List.of("sudo", "-n"));
        }
        c.addAll(List.of(command));
        return c;
    }

    /** Runs {@code command}; asserts its exit status unless {@code expect} is negative. Returns its output. */
    private String run(List<String> command, int expect) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        transcript.add("$ " + String.join(" ", command) + "\n" + out.strip());
        if (expect >= 0) {
            assertEquals(expect, p.exitValue(), String.join(" ", command) + ":\n" + out);
        }
        return out;
    }

    private static String uid() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
