package dev.chorus.loadtest;

import dev.chorus.sfu.transport.DtlsCertificate;
import dev.chorus.sfu.transport.TransportConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What every native bot of a run shares: the Vert.x instance and WebSocket client of their signaling, one
 * DTLS certificate, the transport settings, the {@link Pacer} that sends their media and the thread that
 * starts them on schedule.
 */
final class BotRuntime implements AutoCloseable {
    private final Vertx vertx =
            Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    /** Vert.x allows 50 WebSockets per server by default and queues the rest until they time out. */
    private final WebSocketClient webSockets = vertx.createWebSocketClient(new WebSocketClientOptions()
            .setMaxFrameSize(1 << 20)
            .setMaxMessageSize(1 << 20)
            .setConnectTimeout(10_000)
            .setMaxConnections(LoadTestConfig.MAX_BOTS));

    private final DtlsCertificate certificate = DtlsCertificate.generate();
    /** Shared reads: one selector thread reads every bot's socket (a thread each cost a wake-up per packet). */
    private final TransportConfig transport =
            TransportConfig.builder().port(0).sharedClientReads(true).build();

    private final URI webSocketUri;
    private final PrintStream progress;
    private final ScheduledExecutorService starter;
    final Pacer pacer;
    /**
     * Receive-only bots decrypt one RTP packet in this many per SSRC: 64 in the capacity benchmark, where decrypting
     * all would cost the generator more than the server's forwarding, 1 otherwise; the system property
     * {@code chorus.bots.decryptOneIn} overrides both.
     */
    final int decryptOneIn;

    /**
     * The bots' shared read loop sleeps this many microseconds between rounds, so one wake-up serves many packets:
     * 1000 in the capacity benchmark (it adds at most 1 ms to each packet's measured latency; 300 cost the generator
     * a quarter more CPU per packet), none otherwise.
     */
    static final String READ_PAUSE = "chorus.transport.clientReadPauseMicros";

    BotRuntime(LoadTestConfig config, String threadName, PrintStream progress) {
        if (config.capacity() != null && System.getProperty(READ_PAUSE) == null) {
            // Read before the first client transport starts the shared read loop.
            System.setProperty(READ_PAUSE, "1000");
        }
        this.webSocketUri = config.webSocketUri();
        this.progress = progress;
        this.pacer = new Pacer(config.profile());
        this.decryptOneIn =
                Math.max(1, Integer.getInteger("chorus.bots.decryptOneIn", config.capacity() != null ? 64 : 1));
        this.starter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        pacer.start();
    }

    /** Starts {@code bot} after {@code delayNanos}, if {@code stillWanted} says so then. */
    void startLater(Bot bot, long delayNanos, BooleanSupplier stillWanted) {
        starter.schedule(
                () -> {
                    if (stillWanted.getAsBoolean()) {
                        bot.decryptOneIn(decryptOneIn);
                        bot.start(webSockets, webSocketUri, transport, certificate, pacer);
                    }
                },
                delayNanos,
                TimeUnit.NANOSECONDS);
    }

    /** Resumes {@code bot} on a new signaling socket after {@link Bot#dropSignaling} (returns at once). */
    void resume(Bot bot) {
        bot.resume(webSockets, webSocketUri);
    }

    /** Stops sending media and starting bots (bots already started stay connected). */
    void stopSending() throws InterruptedException {
        pacer.stop(2000);
        starter.shutdownNow();
    }

    /** Stops sending, then closes Vert.x (waits at most 5 s). Close the bots first. */
    @Override
    public void close() throws InterruptedException {
        stopSending();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            progress.println("vert.x did not close in time: " + e);
        }
    }
}
