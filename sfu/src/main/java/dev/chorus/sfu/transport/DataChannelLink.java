package dev.chorus.sfu.transport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.sctp.DataChannel;
import dev.chorus.sfu.sctp.DataChannels;
import dev.chorus.sfu.sctp.SctpConfig;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data channels of one transport (RFC 8261: SCTP as DTLS application data). Everything SCTP runs on the
 * runtime's DTLS drain thread, which already reads the connected DTLS records: received packets, the association's
 * timer and what other threads send (queued onto it), so the association needs no lock and BC's DTLS transport sees
 * one thread. The listener is called on that thread.
 *
 * <p>On the SFU (the DTLS server) the association is passive: the browser sends INIT once DTLS is up, as every
 * WebRTC peer does, and a server that also connected would only add an INIT collision. A CLIENT transport (tests,
 * bots) connects.
 */
public final class DataChannelLink {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannelLink.class);

    private final TransportRuntime runtime;
    private final Executor thread;
    private final SctpConfig config;
    private final DataChannels.Listener listener;
    private final String log;
    private final boolean dtlsServer;
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile DataChannels channels;
    private volatile DTLSTransport dtls;
    private ScheduledFuture<?> timer;
    private long timerDeadline = -1;
    private volatile boolean closed;

    DataChannelLink(
            TransportRuntime runtime,
            SctpConfig config,
            DataChannels.Listener listener,
            String log,
            boolean dtlsServer) {
        this.dtlsServer = dtlsServer;
        this.runtime = runtime;
        this.thread = runtime.dtlsDrains;
        this.config = config;
        this.listener = listener;
        this.log = log;
    }

    /** DTLS is connected: the association starts listening (before the first record is drained). */
    synchronized void attach(DTLSTransport connection) {
        if (channels != null) {
            return; // the handshake's end and enableDataChannels may both get here
        }
        dtls = connection;
        int limit;
        try {
            limit = connection.getSendLimit();
        } catch (IOException e) {
            limit = DtlsPacketQueue.SEND_LIMIT - 100; // conservative record overhead
        }
        SctpConfig c = config;
        if (limit < c.packetSize()) {
            c = new SctpConfig(
                    limit,
                    c.maxMessageSize(),
                    c.receiveWindow(),
                    c.rtoInitialMillis(),
                    c.rtoMinMillis(),
                    c.rtoMaxMillis(),
                    c.maxRetransmissionsInit(),
                    c.cookieLifeMillis());
        }
        channels = new DataChannels(
                c, dtlsServer, this::sendPacket, new SecureRandom(), this::nowMillis, listener, runtime.sctpTotals);
        if (!dtlsServer) {
            run(x -> x.association().connect(nowMillis()));
        }
    }

    /** Opens a channel of ours from any thread; {@code onOpen} reports it once the peer acknowledged it. */
    public void open(String label, boolean ordered, int maxRetransmits, long maxPacketLifeTimeMillis) {
        run(c -> c.open(label, ordered, maxRetransmits, maxPacketLifeTimeMillis));
    }

    private long nowMillis() {
        return runtime.nanoClock.getAsLong() / 1_000_000;
    }

    /** One SCTP packet, valid during the call only: DTLS encrypts it into a record of its own at once. */
    private void sendPacket(byte[] packet, int off, int len) {
        DTLSTransport t = dtls;
        if (t == null || closed) {
            return;
        }
        try {
            t.send(packet, off, len);
        } catch (IOException | RuntimeException e) {
            sendFailures.incrementAndGet(); // SCTP retransmits; a dead transport is reported by ICE/DTLS
            LOG.debug("{} SCTP packet not sent: {}", log, e.toString());
        }
    }

    /** One decrypted DTLS application record, on the drain thread. */
    void receive(byte[] buf, int off, int len) {
        DataChannels c = channels;
        if (c == null || closed) {
            return;
        }
        c.association().receive(buf, off, len, nowMillis());
        rearm(c);
    }

    /** Sends on {@code channel} from any thread; a refusal (too large, closed) reaches {@code onError}. */
    public void send(DataChannel channel, boolean binary, byte[] data) {
        run(c -> {
            String error = c.send(channel, binary, data);
            if (error != null) {
                listener.onError(channel, error);
            }
        });
    }

    /** Closes {@code channel} (stream reset) from any thread. */
    public void close(DataChannel channel) {
        run(c -> c.close(channel));
    }

    /** Runs {@code task} on the SCTP thread once the association exists; dropped when the transport is closed. */
    private void run(java.util.function.Consumer<DataChannels> task) {
        try {
            thread.execute(() -> {
                DataChannels c = channels;
                if (c != null && !closed) {
                    task.accept(c);
                    rearm(c);
                }
            });
        } catch (RejectedExecutionException e) {
            // the ports are closing
        }
    }

    private void rearm(DataChannels c) {
        long deadline = c.association().nextDeadline();
        if (deadline == timerDeadline) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerDeadline = deadline;
        if (deadline < 0 || closed) {
            return;
        }
        long delay = Math.max(0, deadline - nowMillis());
        try {
            timer = runtime.timer.schedule(
                    () -> run(x -> {
                        timerDeadline = -1;
                        x.association().handleTimeout(nowMillis());
                    }),
                    delay,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the ports are closing
        }
    }

    /** The transport is closing: the peer is told (ABORT) if the association is up; nothing runs afterwards. */
    void close() {
        run(c -> c.association().abort("transport closed"));
        try {
            thread.execute(() -> {
                closed = true;
                if (timer != null) {
                    timer.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            closed = true;
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        DataChannels c = channels;
        if (c == null) {
            o.put("state", "waiting for DTLS");
        } else {
            c.addJson(o);
        }
        o.put("sendFailures", sendFailures.get());
        return o;
    }
}
