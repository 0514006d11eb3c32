package dev.chorus.signaling.http;

import dev.chorus.signaling.ChorusServer;
import dev.chorus.signaling.config.ConfigLoader;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** A real server for the signaling tests: HTTP and media on free loopback ports, one media worker. */
final class LoopbackServers {
    private LoopbackServers() {}

    /** The settings every such server starts from; a test adds its own. */
    static Properties properties() {
        Properties p = new Properties();
        p.setProperty("chorus.http.host", "127.0.0.1");
        p.setProperty("chorus.http.port", "0");
        p.setProperty("chorus.media.port", "0");
        p.setProperty("chorus.media.workers", "1");
        // Joins unthrottled: tests that join by the hundred would otherwise wait in the join queue (10 a
        // second) for most of their time. JoinQueueSignalingTest sets a rate of its own.
        p.setProperty("chorus.signaling.joins-per-second", "0");
        return p;
    }

    /**
     * Starts a server on {@code p} and {@code env} (as environment variables). Up to 150 s: on a loaded machine a
     * start took about 25 s.
     */
    static ChorusServer start(Properties p, Map<String, String> env) throws Exception {
        ChorusServer server = new ChorusServer(ConfigLoader.load(null, env, p).config());
        server.start().toCompletionStage().toCompletableFuture().get(150, TimeUnit.SECONDS);
        return server;
    }
}
