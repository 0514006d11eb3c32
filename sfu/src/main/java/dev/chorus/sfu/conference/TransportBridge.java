package dev.chorus.sfu.conference;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.drop.DropStage;
import dev.chorus.sfu.drop.SharedDropCounters;
import dev.chorus.sfu.forward.Endpoint;
import dev.chorus.sfu.forward.RtpSender;
import dev.chorus.sfu.transport.WebRtcTransport;
import dev.chorus.sfu.worker.MediaWorker;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private final SharedDropCounters drops = new SharedDropCounters(DropStage.BRIDGE);
    /** Packets the worker's full queue refused (the worker counts them as QUEUE_FULL too). */
    private final LongAdder queueFull = new LongAdder();
    /** The service-wide totals of the drops above, which outlive this bridge (metrics). */
    private final SharedDropCounters totals;

    TransportBridge(MediaWorker worker, PacketBufferPool pool, MediaSession session, SharedDropCounters totals) {
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
            drop(DropReason.BEFORE_ENDPOINT);
            return null;
        }
        PacketBuffer b = pool.acquire();
        if (b == null) {
            drop(DropReason.POOL_EXHAUSTED);
            return null;
        }
        if (!b.copyFrom(buf, off, len)) {
            pool.release(b);
            drop(DropReason.PACKET_TOO_LARGE);
            return null;
        }
        return b;
    }

    private void drop(DropReason reason) {
        drops.increment(reason);
        totals.increment(reason);
    }

    @Override
    public boolean sendRtp(byte[] buf, int off, int len) {
        WebRtcTransport t = transport;
        return t != null && t.sendRtp(buf, off, len);
    }

    @Override
    public boolean sendRtcp(byte[] buf, int off, int len) {
        WebRtcTransport t = transport;
        return t != null && t.sendRtcp(buf, off, len);
    }

    /** Drops of this bridge by reason, and the packets the worker's queue refused, for /debug. */
    ObjectNode toJson() {
        ObjectNode n = drops.toJson();
        n.put("queueFull", queueFull.sum());
        return n;
    }
}
