package dev.chorus.loadtest;

import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** A real server for the load test's ITs: HTTP and media on 127.0.0.1, free ports, the defaults otherwise. */
final class LoopbackTestServer {
    private LoopbackTestServer() {}

    /** Starts one with {@code extra} settings on top (e.g. the public port a proxy listens on). */
    static ChorusServer start(Map<String, String> extra) throws Exception {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.media.address", "127.0.0.1");
        p.setProperty("chorus.media.port", "0");
        extra.forEach(p::setProperty);
        ChorusServer server =
                new ChorusServer(ConfigLoader.load(null, Map.of(), p).config());
        // a busy machine (the suite's browsers just quit) can take a while to bind and warm up
        server.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return server;
    }

    static void stop(ChorusServer server) {
        if (server != null) {
            server.stopAndWait(Duration.ofSeconds(10));
        }
    }
}
