package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.cc.TransportCcFeedbackBuilder;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.NackWriter;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.RembWriter;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.Timer;
import dev.chorus.sfu.worker.WorkerStats;
import java.util.Arrays;
import java.util.List;

/**
 * What the SFU tells one participant as a publisher: keyframe requests (PLI) and NACKs for its
 * uplink losses, transport-cc feedback about every packet it sent us (its browser's encoder adapts
 * to it), and the REMB cap that rides in the receiver reports. Worker-thread only.
 */
final class PublisherFeedback {
    /** Most feedback packets per tick: bounds the work one tick can do after a long stall. */
    private static final int MAX_FEEDBACKS_PER_TICK = 8;
    /** Most sequence numbers per NACK packet we send (256 items at worst: fits any buffer). */
    private static final int NACK_CHUNK = 256;

    private final Endpoint endpoint;
    private final MediaWorker worker;
    private final PacketBufferPool pool;
    private final DropCounters drops;
    private final WorkerStats stats;
    private final long rtcpSsrc;
    /** Null when congestion control is off. */
    private final TransportCcFeedbackBuilder transportCc;

    private final Timer transportCcTimer;
    private final long transportCcIntervalNanos;
    private final long maxBitrateBps;
    private long transportCcMediaSsrc;
    private long[] rembSsrcs = new long[4];
    private long plisSent;
    private long nacksSent;
    private long transportCcFeedbackSent;
    private long rembSent;

    PublisherFeedback(Endpoint endpoint, Router router, DropCounters drops) {
        this.endpoint = endpoint;
        this.worker = router.worker();
        this.pool = worker.pool();
        this.stats = worker.stats();
        this.drops = drops;
        this.rtcpSsrc = endpoint.rtcpSsrc();
        CongestionConfig cc = router.config().congestion();
        this.transportCc = cc.enabled() ? new TransportCcFeedbackBuilder() : null;
        this.transportCcTimer = new Timer("tcc:" + endpoint.id(), this::sendTransportCcFeedback);
        this.transportCcIntervalNanos = cc.feedbackIntervalMillis() * 1_000_000L;
        this.maxBitrateBps = cc.enabled() ? cc.publisherMaxBps() : 0;
    }

    /** True when receiver reports carry a REMB. */
    boolean sendsRemb() {
        return maxBitrateBps > 0;
    }

    // ------------------------------------------------------------------ transport-cc

    /** Notes the transport-wide sequence number of a packet the publisher sent (if it carries one). */
    void onMediaReceived(RtpPacket rtp, Producer producer, RtpReceiveStream stream, long now) {
        if (transportCc == null || producer.transportCcId() == 0) {
            return;
        }
        long ref = rtp.findExtension(producer.transportCcId());
        if (ref == RtpHeaderExtensions.NOT_FOUND || RtpHeaderExtensions.lengthOf(ref) != 2) {
            return;
        }
        transportCc.onPacket(BigEndian.u16(rtp.buffer(), RtpHeaderExtensions.offsetOf(ref)), now);
        transportCcMediaSsrc = stream.ssrc();
        if (!transportCcTimer.isScheduled()) {
            worker.timers().schedule(transportCcTimer, now + transportCcIntervalNanos);
        }
    }

    private void sendTransportCcFeedback(long now) {
        if (endpoint.isClosed() || transportCc == null || !transportCc.hasPending()) {
            return;
        }
        PacketBuffer b = pool.acquire();
        if (b == null) {
            drops.increment(DropReason.NO_BUFFER);
            return;
        }
        try {
            int off = b.offset();
            int limit = off + Math.min(b.writableCapacity(), 1200);
            for (int i = 0; i < MAX_FEEDBACKS_PER_TICK && transportCc.hasPending(); i++) {
                int n = transportCc.write(b.array(), off, limit, rtcpSsrc, transportCcMediaSsrc);
                if (n > 0 && endpoint.sendRtcp(b.array(), off, n)) {
                    transportCcFeedbackSent++;
                }
            }
        } finally {
            pool.release(b);
        }
    }

    // ------------------------------------------------------------------ keyframes and losses

    /** A PLI asking this endpoint (as publisher) for a keyframe on {@code mediaSsrc}; true when it went out. */
    boolean sendPli(long mediaSsrc) {
        PacketBuffer b = pool.acquire();
        if (b == null) {
            drops.increment(DropReason.NO_BUFFER);
            return false;
        }
        try {
            int off = b.offset();
            int n = PliWriter.write(b.array(), off, off + b.writableCapacity(), rtcpSsrc, mediaSsrc);
            if (n > 0 && endpoint.sendRtcp(b.array(), off, n)) {
                plisSent++;
                stats.pliSent();
                return true;
            }
            return false;
        } finally {
            pool.release(b);
        }
    }

    /** NACKs to this endpoint (as publisher) for {@code seqs[0, count)} of {@code mediaSsrc}, ascending. */
    void sendNack(long mediaSsrc, int[] seqs, int count) {
        for (int from = 0; from < count; from += NACK_CHUNK) {
            PacketBuffer b = pool.acquire();
            if (b == null) {
                drops.increment(DropReason.NO_BUFFER);
                return;
            }
            try {
                int off = b.offset();
                int n = NackWriter.write(
                        b.array(),
                        off,
                        off + b.writableCapacity(),
                        rtcpSsrc,
                        mediaSsrc,
                        seqs,
                        from,
                        Math.min(NACK_CHUNK, count - from));
                if (n > 0 && endpoint.sendRtcp(b.array(), off, n)) {
                    nacksSent++;
                    stats.nackSent();
                }
            } finally {
                pool.release(b);
            }
        }
    }

    // ------------------------------------------------------------------ REMB

    /** One REMB naming this endpoint's video streams at {@code dst[off]}; returns its length or 0. */
    int writeRemb(byte[] dst, int off, int limit) {
        List<Producer> producers = endpoint.producers();
        int count = 0;
        for (int i = 0; i < producers.size(); i++) {
            Producer p = producers.get(i);
            for (int layer = 0; p.kind() == MediaKind.VIDEO && layer < p.layerCount(); layer++) {
                long ssrc = p.stream(layer).ssrc();
                if (ssrc == ProducerParams.NONE) {
                    continue;
                }
                if (count == rembSsrcs.length) {
                    rembSsrcs = Arrays.copyOf(rembSsrcs, count * 2);
                }
                rembSsrcs[count++] = ssrc;
            }
        }
        if (count == 0) {
            return 0;
        }
        int n = RembWriter.write(
                dst, off, limit, rtcpSsrc, maxBitrateBps, rembSsrcs, Math.min(count, RembWriter.MAX_SSRCS));
        if (n <= 0) {
            return 0;
        }
        rembSent++;
        return n;
    }

    void close() {
        worker.timers().cancel(transportCcTimer);
    }

    /** Counters under their historical /debug names. */
    void addJson(ObjectNode n) {
        n.put("plisSent", plisSent);
        n.put("nacksSent", nacksSent);
    }

    /** Its congestion-control counters and state, for the endpoint's "congestion" object. */
    void addCongestionJson(ObjectNode cc) {
        cc.put("transportCcFeedbackSent", transportCcFeedbackSent);
        cc.put("rembSent", rembSent);
        cc.put("rembBps", maxBitrateBps);
    }

    /** The transport-cc feedback state towards the publisher, or null when congestion control is off. */
    ObjectNode transportCcJson() {
        return transportCc == null ? null : transportCc.toJson();
    }
}
