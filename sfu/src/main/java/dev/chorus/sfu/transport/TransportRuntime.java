package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.worker.ThreadNice;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The threads the transports of one {@link MediaPorts} share, so the thread count does not grow with participants,
 * and {@link MediaPorts#close()} ends them:
 * <ul>
 *   <li>{@link #handshakes}: DTLS handshakes, bounded ({@link DtlsHandshakeExecutor}).</li>
 *   <li>{@link #dtlsDrains}: one thread for the short post-handshake DTLS drains. Kept apart from the handshakes so
 *       that a storm of long handshakes cannot delay a connected peer's retransmitted final flight or alert. Each
 *       transport has at most one drain pending, so its queue is bounded by the open transports.</li>
 *   <li>{@link #timer}: one thread for consent-freshness checks.</li>
 * </ul>
 * Every thread is a daemon. DTLS handshake threads exit after 2 s idle; the drain and timer threads live as long
 * as the runtime (two threads per set of ports), so thread names stay steady.
 *
 * <p>CLIENT transports ({@link WebRtcTransport#createClient}, used by tests, bots and, later, server-to-server
 * relays) have no ports: they share one process-wide runtime, {@link #forClients()}, that is never closed.
 */
final class TransportRuntime implements AutoCloseable {
    /** DTLS threads of the clients' runtime: a bot process may start hundreds of clients at once. */
    static final int CLIENT_DTLS_THREADS = 8;

    static final int CLIENT_DTLS_QUEUE = 1024;
    private static TransportRuntime clients;

    final DtlsHandshakeExecutor handshakes;
    final ExecutorService dtlsDrains;
    final ScheduledExecutorService timer;
    final LongSupplier nanoClock;
    /** Every data-channel association's counts, closed ones' included (all of them run on {@link #dtlsDrains}). */
    final dev.chorus.sfu.sctp.SctpCounters sctpTotals = new dev.chorus.sfu.sctp.SctpCounters();

    private TransportRuntime(String name, int dtlsThreads, int dtlsQueue, int dtlsNice, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.handshakes = new DtlsHandshakeExecutor(
                dtlsThreads, dtlsQueue, niceDaemons("chorus-dtls-" + name + "-", dtlsNice), nanoClock);
        // One drain thread and one timer thread for the runtime's life (close() ends them): steady threads, where
        // idle time-outs would start a new one after every quiet spell.
        this.dtlsDrains = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemons("chorus-dtls-drain-" + name + "-"));
        ScheduledThreadPoolExecutor t =
                new ScheduledThreadPoolExecutor(1, daemons("chorus-transport-timer-" + name + "-"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** The runtime of one set of ports, sized by {@code config}; {@code name} tells its threads apart. */
    static TransportRuntime open(String name, TransportConfig config) {
        return new TransportRuntime(
                name, config.dtlsThreads(), config.dtlsQueue(), config.setupThreadNice(), System::nanoTime);
    }

    /** The process-wide runtime of CLIENT transports, created on first use. */
    static synchronized TransportRuntime forClients() {
        if (clients == null) {
            clients = new TransportRuntime("client", CLIENT_DTLS_THREADS, CLIENT_DTLS_QUEUE, 0, System::nanoTime);
        }
        return clients;
    }

    private static ClientReadLoops clientReads;

    /**
     * The process-wide read loops of CLIENT transports with shared reads (one per available core unless
     * {@code chorus.transport.clientReadThreads} says otherwise), started on first use, never ended.
     */
    static synchronized ClientReadLoops clientReads() {
        if (clientReads == null) {
            clientReads = new ClientReadLoops(
                    "chorus-client-reads",
                    Integer.getInteger(
                            "chorus.transport.clientReadThreads",
                            Runtime.getRuntime().availableProcessors()),
                    1000L * Long.getLong("chorus.transport.clientReadPauseMicros", 0));
        }
        return clientReads;
    }

    /** Daemon threads that lower their own CPU priority to {@code nice} as they start (handshakes wait, media not). */
    private static ThreadFactory niceDaemons(String prefix, int nice) {
        ThreadFactory plain = daemons(prefix);
        return r -> plain.newThread(() -> {
            ThreadNice.lowerCurrentThread(nice);
            r.run();
        });
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread th = new Thread(r, prefix + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        };
    }

    ObjectNode dtlsJson() {
        return handshakes.toJson();
    }

    /** Ends every thread (close the transports first). */
    @Override
    public void close() {
        handshakes.close();
        dtlsDrains.shutdownNow();
        timer.shutdownNow();
    }
}
