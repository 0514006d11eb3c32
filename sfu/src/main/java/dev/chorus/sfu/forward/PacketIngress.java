package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.capture.PacketCapture;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.drop.DropStage;
import dev.chorus.sfu.drop.SharedDropCounters;
import dev.chorus.sfu.transport.WebRtcTransport;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.PacketHandler;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where one participant's decrypted packets enter the forwarding layer: the hand-off from its
 * transport's packet thread to the media worker that owns its room. One per transport; it is the
 * transport's listener, so state events pass through to the session.
 *
 * <h2>The packet path on one screen</h2>
 * Every hop of an RTP packet from a publisher to its subscribers, in order, with its thread:
 * <pre>
 *  #  hop                                                                        thread
 *  1  ice4j reads the shared UDP port (SharedUdpPort; STUN is answered there)  ice4j port reader
 *     and pushes the datagram to its transport; ICE-TCP frames arrive the same   (ICE-TCP: selector)
 *     way (IceTcpListener)
 *  2  SrtpPacketPath.receive: RFC 7983 demux; DTLS records go to DtlsSession    same
 *  3  SrtpPacketPath: SRTP unprotect in place (drops: stage TRANSPORT)          same
 *  4  PacketIngress.onRtp: copy into a pooled PacketBuffer, submit to the       same
 *     room's MediaWorker queue (drops: stage BRIDGE, QUEUE_FULL); a running
 *     PacketCapture (server API) gets its own copy first
 *  5  MediaWorker.dispatch: Endpoint.handleRtp, producer stream by SSRC        media worker
 *     (a simulcast layer's SSRC is learnt from its MID + rid: SsrcLearner)
 *  6  Producer.receiveRtp -> RtpReceiveStream.receive: RTX unwrap, duplicate    media worker
 *     check, stats, NACK generation, keyframe detection, retransmission buffer
 *     (a room recording's TrackTap gets a copy of the recorded layer's payload)
 *  7  Consumer.forward, for each subscriber: layer / pause / bandwidth /        media worker
 *     keyframe decision, copy, rewrite SSRC, PT, sequence, timestamp (and VP8
 *     picture ids across layer switches: StreamSplicer), extensions
 *  8  Endpoint.sendMedia: the subscriber transport's transport-cc number,       media worker
 *     then PacketEgress.sendRtp
 *  9  WebRtcTransport.sendRtp -> SrtpPacketPath: SRTP protect in place (under  media worker
 *     its send lock), IceSession.send on the selected ICE pair (drops: stage
 *     TRANSPORT); the buffer goes back to the pool
 * </pre>
 * RTCP takes hops 1-5 the same way, then {@link RtcpTermination} ends it (reports, PLI/FIR, NACK,
 * transport-cc, REMB); what the SFU sends back ({@link PublisherFeedback}, {@link RtcpReports},
 * {@link NackResponder} resends) leaves by hops 8-9. Drops at every hop are counted by
 * {@link DropReason}; the threads and what each may touch are in the {@code dev.chorus.sfu}
 * package documentation.
 */
public final class PacketIngress implements WebRtcTransport.Listener {
    /** Who hears the transport's state changes (ICE, DTLS, consent), on ICE, DTLS or timer threads. */
    @FunctionalInterface
    public interface StateListener {
        void onStateChanged(WebRtcTransport transport, WebRtcTransport.Event event, String reason);
    }

    private final MediaWorker worker;
    private final PacketBufferPool pool;
    private final StateListener events;
    /** Set on the worker once the endpoint (or a relay's sender) exists, cleared when it is removed. */
    private volatile PacketHandler endpoint;
    /** A running capture of what the participant sends (server API), or null: one volatile read per packet. */
    private volatile PacketCapture capture;

    private final SharedDropCounters drops = new SharedDropCounters(DropStage.BRIDGE);
    /** Packets the worker's full queue refused (the worker counts them as QUEUE_FULL too). */
    private final LongAdder queueFull = new LongAdder();
    /** The service-wide totals of this stage's drops, which outlive this ingress (metrics). */
    private final SharedDropCounters totals;

    /**
     * @param events receives the transport's state changes (on ICE, DTLS or timer threads)
     * @param totals service-wide BRIDGE drop totals this ingress adds to
     */
    public PacketIngress(MediaWorker worker, PacketBufferPool pool, StateListener events, SharedDropCounters totals) {
        this.worker = worker;
        this.pool = pool;
        this.events = events;
        this.totals = totals;
    }

    /** Sets (or, with null, clears) the endpoint packets go to. Call it on the worker, in order with packets. */
    public void attach(PacketHandler e) {
        this.endpoint = e;
    }

    /** Starts (or, with null, ends) copying every decrypted packet to {@code c}. Any thread. */
    public void capture(PacketCapture c) {
        this.capture = c;
    }

    @Override
    public void onStateChanged(WebRtcTransport t, WebRtcTransport.Event event, String reason) {
        events.onStateChanged(t, event, reason);
    }

    @Override
    public void onRtp(WebRtcTransport t, byte[] buf, int off, int len) {
        PacketHandler e = endpoint;
        PacketBuffer b = copy(e, buf, off, len);
        if (b != null && !worker.submitRtp(e, b)) {
            queueFull.increment();
        }
    }

    @Override
    public void onRtcp(WebRtcTransport t, byte[] buf, int off, int len) {
        PacketHandler e = endpoint;
        PacketBuffer b = copy(e, buf, off, len);
        if (b != null && !worker.submitRtcp(e, b)) {
            queueFull.increment();
        }
    }

    /** The worker's copy of a packet (a running capture gets its own first), or null when dropped (counted). */
    private PacketBuffer copy(PacketHandler e, byte[] buf, int off, int len) {
        PacketCapture c = capture;
        if (c != null) {
            c.offer(buf, off, len);
        }
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

    /** Drops of this ingress by reason, and the packets the worker's queue refused, for /debug. */
    public ObjectNode toJson() {
        ObjectNode n = drops.toJson();
        n.put("queueFull", queueFull.sum());
        return n;
    }
}
