package dev.chorus.signaling;

import dev.chorus.signaling.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
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
