package dev.chorus.web.browser;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private coturn on 127.0.0.1 for one test, started and stopped through the project's own
 * conf/coturn-loopback.sh (which tracks its pid, so stopping ends exactly that process).
 */
public final class Coturn implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final long pid;

    private Coturn(Path dir, int port, long pid) {
        this.dir = dir;
        this.port = port;
        this.pid = pid;
    }

    /** Starts coturn with TURN REST auth under {@code secret} on a free port. */
    public static Coturn start(String secret) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("chorus-coturn-");
        int port = freeUdpAndTcpPort();
        // Relay ports below Linux's ephemeral range, at a random offset so parallel runs rarely
        // meet; coturn skips any port of the range it cannot bind.
        int relayMin = 20000 + ThreadLocalRandom.current().nextInt(0, 50) * 200;
        String out = run(List.of(
                "start",
                dir.toString(),
                secret,
                String.valueOf(port),
                String.valueOf(relayMin),
                String.valueOf(relayMin + 199)));
        return new Coturn(dir, port, Long.parseLong(out.trim()));
    }

    /** The TURN URL for clients (UDP to coturn). */
    public String url() {
        return "turn:127.0.0.1:" + port + "?transport=udp";
    }

    public int port() {
        return port;
    }

    public long pid() {
        return pid;
    }

    /** coturn's log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("turnserver.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            run(List.of("stop", dir.toString()));
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        } catch (Exception e) {
            System.err.println("coturn stop failed: " + e);
        }
    }

    static Path script() {
        for (Path p : List.of(Path.of("..", "conf", "coturn-loopback.sh"), Path.of("conf", "coturn-loopback.sh"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException(
                "conf/coturn-loopback.sh not found from " + Path.of("").toAbsolutePath());
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script().toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroy();
            throw new IllegalStateException("coturn-loopback.sh " + args.get(0) + " did not finish in 30 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("coturn-loopback.sh " + args.get(0) + " failed (" + process.exitValue()
                    + "); is coturn installed? (apt-get install -y coturn; conf/test.sh does this)\n" + out);
        }
        return out;
    }

    private static int freeUdpAndTcpPort() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(lo, 0));
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, port))) {
                    return port;
                } catch (IOException taken) {
                    // UDP side in use: try another.
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }
}
