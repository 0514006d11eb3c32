package dev.chorus.signaling;

import dev.chorus.signaling.config.ConfigLoader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: {@code java -jar chorus-server.jar [--config FILE]}. */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--help", "-h" -> {
                    usage(null);
                }
                default -> usage("unknown argument: " + args[i]);
            }
        }

        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(configFile, System.getenv(), System.getProperties());
        } catch (RuntimeException e) {
            System.err.println("chorus: " + e.getMessage());
            System.exit(2);
            return;
        }
        log.info("configuration: {}", loaded.file() == null ? "embedded defaults" : loaded.file());
        log.info("media settings: {}", loaded.config().media());
        log.info("join auth: {}", loaded.config().auth());
        logCollector();

        ChorusServer server = new ChorusServer(loaded.config());
        try {
            server.start().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            log.error("could not start: {}", e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            server.stopAndWait(Duration.ofSeconds(5));
            System.exit(1);
            return;
        }
        // SIGTERM/SIGINT: refuse joins, tell clients, drain, stop, exit 0 (see GracefulShutdown).
        // Installed before "ready" is logged, so whoever waits for that line can signal at once.
        new GracefulShutdown(server, loaded.config().shutdown().drainTimeout(), System::exit).install();
        String host = loaded.config().http().host();
        log.info(
                "Chorus {} ready: open {}://{}:{}/",
                ChorusServer.VERSION,
                server.scheme(),
                "0.0.0.0".equals(host) ? "localhost" : host,
                server.httpPort());
    }

    /**
     * Names the garbage collector, and says so when it stops the world for every young collection: with the
     * serial collector (what a JVM on one CPU picks) the capacity run saw 30-75 ms pauses every few seconds at
     * 50k forwarded packets/s, each one a latency spike for every stream (README: Garbage collector).
     */
    private static void logCollector() {
        List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .toList();
        Runtime rt = Runtime.getRuntime();
        log.info(
                "jvm: Java {}, {} CPUs, max heap {} MiB, garbage collectors {}",
                Runtime.version().feature(),
                rt.availableProcessors(),
                rt.maxMemory() >> 20,
                collectors);
        boolean stopTheWorld = collectors.stream().anyMatch(n -> n.equals("Copy") || n.equals("PS Scavenge"));
        if (stopTheWorld) {
            log.warn("this collector pauses media for tens of ms at each young collection under load: start the "
                    + "server with java -XX:+UseZGC -jar ... for low latency (README: Garbage collector)");
        }
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("chorus: " + error);
        }
        System.err.println("usage: java -jar chorus-server.jar [--config FILE]");
        System.err.println(
                "  Every key (see the README's Configuration table) can also be set as an environment variable,");
        System.err.println("  e.g. CHORUS_HTTP_PORT=9000 or CHORUS_ROOMS_MAX_PARTICIPANTS=10.");
        System.exit(error == null ? 0 : 2);
    }
}
