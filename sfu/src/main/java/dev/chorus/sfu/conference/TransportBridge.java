package dev.chorus.sfu.conference;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.forward.Endpoint;
import dev.chorus.sfu.forward.RtpSender;
import dev.chorus.sfu.transport.WebRtcTransport;
import dev.chorus.sfu.worker.MediaWorker;
import java.util.concurrent.atomic.LongAdder;

/**
 * Joins one participant's transport to its endpoint: decrypted packets from the transport's packet
 * thread are copied into pooled buffers and queued to the room's worker; packets the endpoint sends
 * go out through the transport. State changes go to the session on the control thread.
 */
final class TransportBridge implements WebRtcTransport.Listener, RtpSender {
    private final MediaWorker worker;
    private final PacketBufferPool pool;
    private final MediaSession session;
    /** Set on the worker once the endpoint exists, cleared when it is removed. */
    private volatile Endpoint endpoint;
    private volatile WebRtcTransport transport;
    private final LongAdder beforeEndpoint = new LongAdder();
    private final LongAdder poolExhausted = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder queueFull = new LongAdder();
    /** The service-wide totals of the drops above, which outlive this bridge (metrics). */
    private final BridgeDrops totals;

    TransportBridge(MediaWorker worker, PacketBufferPool pool, MediaSession session, BridgeDrops totals) {
        this.worker = worker;
        this.pool = pool;
        this.session = session;
        this.totals = totals;
    }

    void attach(WebRtcTransport t) {
        this.transport = t;
    }

    void endpoint(Endpoint e) {
        this.endpoint = e;
    }

    @Override
    public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        session.transportEvent(t, event, reason);
    }

    @Override
    public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
        Endpoint e = endpoint;
        PacketBuffer b = copy(e, buf, off, len);
        if (b != null && !worker.submitRtp(e, b)) {
            queueFull.increment();
        }
    }

    @Override
    public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
        Endpoint e = endpoint;
        PacketBuffer b = copy(e, buf, off, len);
        if (b != null && !worker.submitRtcp(e, b)) {
            queueFull.increment();
        }
    }

    private PacketBuffer copy(Endpoint e, byte[] buf, int off, int len) {
        if (e == null) {
            beforeEndpoint.increment();
            totals.beforeEndpoint.increment();
            return null;
        }
        PacketBuffer b = pool.acquire();
        if (b == null) {
            poolExhausted.increment();
            totals.poolExhausted.increment();
            return null;
        }
        if (!b.copyFrom(buf, off, len)) {
            pool.release(b);
            tooLarge.increment();
            totals.tooLarge.increment();
            return null;
        }
        return b;
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        WebRtcTransport t = transport;
        if (t != null) {
            t.sendRtp(buf, off, len);
        }
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        WebRtcTransport t = transport;
        if (t != null) {
            t.sendRtcp(buf, off, len);
        }
    }

    /**
     * Packets a transport decrypted that never reached a worker queue, summed over every bridge a
     * service has had. Counted only when dropping, so the packet path pays nothing extra.
     */
    static final class BridgeDrops {
        final LongAdder beforeEndpoint = new LongAdder();
        final LongAdder poolExhausted = new LongAdder();
        final LongAdder tooLarge = new LongAdder();
    }

    long beforeEndpoint() {
        return beforeEndpoint.sum();
    }

    long poolExhausted() {
        return poolExhausted.sum();
    }

    long tooLarge() {
        return tooLarge.sum();
    }

    long queueFull() {
        return queueFull.sum();
    }
}
