package dev.chorus.sfu.transport;

import java.util.concurrent.ArrayBlockingQueue;
import kotlin.Unit;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferPool;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Process-wide ice4j switches, applied once before the first harvester is created.
 *
 * <p>Receive path choice: we use ice4j's <em>push</em> API. With {@link AbstractUdpListener#USE_PUSH_API} on,
 * the single reader thread of each {@code SinglePortUdpHarvester} hands every non-STUN datagram of a known
 * remote address straight to {@code Component.setBufferCallback}, i.e. to {@link WebRtcTransport}, on that
 * reader thread. The alternative (pull from {@code Component.getSocket()}) needs one blocking reader thread
 * per participant plus an extra queue hop and copy; push costs no thread per participant, which is what an
 * SFU with many participants on one port wants. The cost: the callback runs on the port's only reader
 * thread, so it must never block (DTLS is queued to another thread; SRTP decrypt is ~1 µs).
 *
 * <p>ice4j allocates a {@link Buffer} per datagram through {@link BufferPool}; we plug in a bounded pool so
 * the steady-state receive path reuses byte arrays (ice4j still allocates a small address/time per packet).
 *
 * <p>ice4j and jitsi-srtp log through java.util.logging; we send that through SLF4J so their lines get the
 * same format, destination and levels as ours. The logback configuration runs logback's
 * {@code LevelChangePropagator}, which copies its levels onto java.util.logging, so a level that logback
 * drops (ice4j's per-check INFO lines, at the default levels) is never even built as a log record.
 */
final class Ice4jSetup {
    /** Capacity of pooled receive buffers: a full Ethernet-MTU datagram. Larger ones get a one-off array. */
    static final int BUFFER_CAPACITY = 1500;

    private static final ArrayBlockingQueue<Buffer> POOL = new ArrayBlockingQueue<>(2048);
    private static boolean installed;

    private Ice4jSetup() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        // Load the logging configuration now, so its java.util.logging levels are set before ice4j's first line.
        LoggerFactory.getILoggerFactory();
        if (!SLF4JBridgeHandler.isInstalled()) {
            // Replace the JUL console handler, or every line would be printed twice.
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        AbstractUdpListener.USE_PUSH_API = true;
        BufferPool.getBuffer = size -> {
            if (size <= BUFFER_CAPACITY) {
                Buffer b = POOL.poll();
                if (b != null) {
                    b.setOffset(0);
                    b.setLength(0);
                    return b;
                }
                return new Buffer(new byte[BUFFER_CAPACITY], 0, 0);
            }
            return new Buffer(new byte[size], 0, 0);
        };
        BufferPool.returnBuffer = b -> {
            if (b.getBuffer().length == BUFFER_CAPACITY) {
                POOL.offer(b);
            }
            return Unit.INSTANCE;
        };
        installed = true;
    }
}
