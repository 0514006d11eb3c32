package dev.chorus.sfu.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide threads of the transport layer, shared by every transport so that the thread count does not
 * grow with participants:
 * <ul>
 *   <li>{@link #DTLS}: blocking DTLS handshakes (Bouncy Castle blocks in receive) and the short post-handshake
 *       DTLS drains. Grows with concurrent handshakes only; idle threads exit after 2 s.</li>
 *   <li>{@link #TIMER}: one thread for consent-freshness checks.</li>
 * </ul>
 */
final class TransportRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(TransportRuntime.class);

    static final ExecutorService DTLS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 2, TimeUnit.SECONDS,
            new SynchronousQueue<>(), daemonFactory("chorus-dtls-"));

    static final ScheduledExecutorService TIMER;

    static {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemonFactory("chorus-transport-timer-"));
        t.setRemoveOnCancelPolicy(true);
        TIMER = t;
    }

    private static volatile boolean warmed;

    private TransportRuntime() {
    }

    private static ThreadFactory daemonFactory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread th = new Thread(r, prefix + n.incrementAndGet());
            th.setDaemon(true);
            return th;
        };
    }

    /**
     * jitsi-srtp benchmarks its cipher back-ends on first use (~0.5 s): pay that once at start-up, not on the
     * first participant's first packet. Idempotent.
     */
    static synchronized void warmUp() {
        if (warmed) {
            return;
        }
        long t0 = System.nanoTime();
        for (SrtpProfile p : SrtpProfile.values()) {
            byte[] key = new byte[p.keyLength];
            byte[] salt = new byte[p.saltLength];
            SrtpSession a = new SrtpSession(p, key, salt, key, salt);
            try {
                byte[] pkt = new byte[200];
                pkt[0] = (byte) 0x80;
                pkt[1] = 96;
                SrtpBuffer b = new SrtpBuffer().wrap(pkt, 0, 100);
                a.protectRtp(b);
                a.unprotectRtp(b);
                byte[] rtcp = new byte[100];
                rtcp[0] = (byte) 0x80;
                rtcp[1] = (byte) 200;
                rtcp[3] = 6;
                b.wrap(rtcp, 0, 28);
                a.protectRtcp(b);
                a.unprotectRtcp(b);
            } catch (Exception e) {
                LOG.warn("SRTP warm-up failed for {}", p, e);
            } finally {
                a.close();
            }
        }
        warmed = true;
        LOG.info("SRTP warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
