package dev.chorus.signaling;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT handling for the server process. The first signal starts
 * {@link ChorusServer#shutdownGracefully}: new joins are refused, clients are told, the server waits
 * up to the drain timeout for its rooms to empty, then closes everything and the process exits with
 * status 0 (1 if stopping failed). A second signal ends the drain at once.
 *
 * <p>The handlers replace the JVM's default ones (which would exit with 143 right after the shutdown
 * hooks), through {@code sun.misc.Signal} from the {@code jdk.unsupported} module. When a JVM refuses
 * them (e.g. {@code -Xrs}) the shutdown hook drains instead, and the exit status is the JVM's.
 */
public final class GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    /** Beyond the drain: closing sockets, media and Vert.x. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final ChorusServer server;
    private final Duration drainTimeout;
    private final IntConsumer exit;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean signalsInstalled;

    /** @param exit called with the exit status once stopped ({@code System::exit} in the server) */
    public GracefulShutdown(ChorusServer server, Duration drainTimeout, IntConsumer exit) {
        this.server = server;
        this.drainTimeout = drainTimeout;
        this.exit = exit;
    }

    /** Installs the TERM and INT handlers and a shutdown hook for every other way the JVM may exit. */
    public void install() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> onSignal("SIGTERM"));
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> onSignal("SIGINT"));
            signalsInstalled = true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.warn(
                    "shutdown: cannot handle SIGTERM/SIGINT ({}); draining in the JVM shutdown hook instead",
                    e.toString());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::onJvmExit, "chorus-shutdown-hook"));
    }

    /** The first call starts the graceful shutdown on its own thread; later calls end the drain now. */
    public void onSignal(String name) {
        if (!started.compareAndSet(false, true)) {
            log.warn("shutdown: {} received again, ending the drain now", name);
            server.endDrain("second " + name);
            return;
        }
        log.info("shutdown: {} received, draining for up to {} s", name, drainTimeout.toSeconds());
        Thread t = new Thread(() -> exit.accept(drainAndStop()), "chorus-shutdown");
        t.start();
    }

    /** Runs the graceful shutdown and returns the exit status. */
    private int drainAndStop() {
        int status = 0;
        try {
            server.shutdownGracefully(drainTimeout)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(drainTimeout.plus(STOP_GRACE).toMillis(), TimeUnit.MILLISECONDS);
            log.info("shutdown: stopped");
        } catch (Exception e) {
            log.error("shutdown: did not stop cleanly", e);
            status = 1;
        } finally {
            stopped.countDown();
        }
        return status;
    }

    private void onJvmExit() {
        if (started.compareAndSet(false, true)) {
            if (signalsInstalled) {
                // System.exit from elsewhere, or a signal we do not handle (e.g. SIGHUP): stop, no drain.
                log.info("shutdown: JVM exiting, stopping now");
                try {
                    server.stopAndWait(Duration.ofSeconds(10));
                } catch (RuntimeException e) {
                    log.error("shutdown: did not stop cleanly", e);
                }
            } else {
                drainAndStop();
            }
            return;
        }
        // A graceful shutdown is under way (its thread calls exit when done): let it finish.
        try {
            if (!stopped.await(drainTimeout.plus(STOP_GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("shutdown: still stopping when the JVM exits");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
