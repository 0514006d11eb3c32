package dev.chorus.sfu.forward;

import dev.chorus.sfu.codec.MediaKind;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.cc.TransportCcFeedbackBuilder;
import dev.chorus.sfu.collect.LongObjectMap;
import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.NackWriter;
import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.ReportBlocksView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.PliWriter;
import dev.chorus.sfu.rtcp.ReceiverReportWriter;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.RembWriter;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SdesWriter;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.worker.WorkerStats;
import dev.chorus.sfu.worker.PacketHandler;
import dev.chorus.sfu.worker.Timer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media-plane side of one participant's transport inside a router: the entry point for the
 * packets its transport receives ({@link PacketHandler}) and the exit through its
 * {@link RtpSender}. Looks up producers by incoming SSRC and consumers by the SSRC feedback
 * refers to, and terminates RTCP for both directions: PLI/FIR and NACK from the participant as
 * subscriber go to its consumers; report blocks about our SRs give the round-trip time to the
 * participant, which spaces NACK retries towards it (as publisher) and resends to it. Worker-thread only.
 */
public final class Endpoint implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);

    private final String id;
    private final Router router;
    private final RtpSender sender;
    private final long rtcpSsrc;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    /** Media and RTX SSRCs of this endpoint's producers. */
    private final LongObjectMap<Producer> producersBySsrc = new LongObjectMap<>();
    /** Outgoing SSRCs of this endpoint's consumers, which subscriber feedback refers to. */
    private final LongObjectMap<Consumer> consumersBySsrc = new LongObjectMap<>();
    private final List<Producer> producers = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final DropCounters drops;
    private boolean closed;
    private final WorkerStats stats;
    private long rtpReceived;
    private long rtcpReceived;
    private long senderReportsReceived;
    private long keyframeRequestsReceived;
    private long feedbackNotHandled;
    private long rtcpOtherIgnored;
    private long rtcpSent;
    private long plisSent;
    private long nacksReceived;
    private long nacksSent;
    private long reportBlocksReceived;
    private long rttSamples;
    /** Smoothed round-trip time (RFC 6298 style, 1/8 gain), or -1 until measured. */
    private long smoothedRttNanos = -1;
    private final long defaultRttNanos;
    private long sendErrors;
    /** Congestion control; null when disabled. Receiving side: feedback to this endpoint as publisher. */
    private final TransportCcFeedbackBuilder incomingTcc;
    private final Timer tccFeedbackTimer;
    private final long tccFeedbackIntervalNanos;
    private long tccMediaSsrc;
    /** Sending side: the estimate towards this endpoint as subscriber. */
    private final SubscriberBandwidth bandwidth;
    private final long publisherMaxBps;
    private long[] rembSsrcs = new long[4];
    private long tccFeedbackSent;
    private long rembSent;
    private long transportCcReceived;
    private long transportCcMalformed;
    private long rembReceived;
    private long rembOutOfRange;
    /** REMB values outside this range are not believed: no real path is that thin or that fat. */
    static final long REMB_MIN_BPS = 10_000;
    static final long REMB_MAX_BPS = 10_000_000_000L;

    Endpoint(String id, Router router, RtpSender sender, long rtcpSsrc) {
        this.id = id;
        this.router = router;
        this.sender = sender;
        this.rtcpSsrc = rtcpSsrc;
        this.scratch = router.scratch();
        this.pool = router.worker().pool();
        this.drops = new DropCounters(router.drops());
        this.stats = router.worker().stats();
        this.defaultRttNanos = router.config().defaultRttMillis() * 1_000_000L;
        CongestionConfig cc = router.config().congestion();
        this.incomingTcc = cc.enabled() ? new TransportCcFeedbackBuilder() : null;
        this.tccFeedbackTimer = new Timer("tcc:" + id, this::sendTransportCcFeedback);
        this.tccFeedbackIntervalNanos = cc.feedbackIntervalMillis() * 1_000_000L;
        this.bandwidth = cc.enabled() ? new SubscriberBandwidth(this, router) : null;
        this.publisherMaxBps = cc.enabled() ? cc.publisherMaxBps() : 0;
    }

    /**
     * Round-trip time to this participant: measured from its receiver reports about our SRs,
     * else the configured default; never below {@link NackGenerator#MIN_RETRY_INTERVAL_NANOS}.
     */
    public long rttNanos() {
        long rtt = smoothedRttNanos < 0 ? defaultRttNanos : smoothedRttNanos;
        return Math.max(rtt, NackGenerator.MIN_RETRY_INTERVAL_NANOS);
    }

    public String id() {
        return id;
    }

    public Router router() {
        return router;
    }

    /** The SSRC the SFU uses as sender of RTCP (RR, PLI) towards this endpoint. */
    public long rtcpSsrc() {
        return rtcpSsrc;
    }

    public DropCounters drops() {
        return drops;
    }

    // ------------------------------------------------------------------ incoming (worker thread)

    @Override
    public void handleRtp(PacketBuffer packet) {
        try {
            rtpReceived++;
            stats.rtpReceived(packet.length());
            if (closed) {
                drops.increment(DropReason.CLOSED);
                return;
            }
            RtpPacket rtp = scratch.incoming;
            if (rtp.wrap(packet.array(), packet.offset(), packet.length()) != RtpValidity.OK) {
                drops.increment(DropReason.MALFORMED_RTP);
                return;
            }
            Producer producer = producersBySsrc.get(rtp.ssrc());
            if (producer == null) {
                drops.increment(DropReason.UNKNOWN_SSRC);
                return;
            }
            long now = router.worker().clock().nowNanos();
            if (incomingTcc != null && producer.transportCcId() != 0) {
                recordTransportSequence(rtp, producer, now);
            }
            producer.receiveRtp(rtp, now);
        } finally {
            pool.release(packet);
        }
    }

    @Override
    public void handleRtcp(PacketBuffer packet) {
        try {
            rtcpReceived++;
            stats.rtcpReceived();
            if (closed) {
                drops.increment(DropReason.CLOSED);
                return;
            }
            long now = router.worker().clock().nowNanos();
            RtcpCompoundReader reader = scratch.rtcpReader;
            reader.reset(packet.array(), packet.offset(), packet.length());
            while (reader.next()) {
                handleRtcpPacket(reader, now);
            }
            if (reader.error() != RtcpValidity.OK) {
                drops.increment(DropReason.MALFORMED_RTCP);
            }
        } finally {
            pool.release(packet);
        }
    }

    private void handleRtcpPacket(RtcpCompoundReader reader, long now) {
        byte[] buf = reader.buffer();
        int off = reader.packetOffset();
        int len = reader.packetLength();
        switch (reader.packetType()) {
            case RtcpPacketType.SR -> onSenderReport(buf, off, len, now);
            case RtcpPacketType.RR -> onReceiverReport(buf, off, len, now);
            case RtcpPacketType.PSFB -> {
                if (reader.fmt() == RtcpPacketType.FMT_PLI) {
                    stats.pliReceived();
                    onPli(buf, off, len, now);
                } else if (reader.fmt() == RtcpPacketType.FMT_FIR) {
                    stats.firReceived();
                    onFir(buf, off, len, now);
                } else if (reader.fmt() == RtcpPacketType.FMT_AFB) {
                    onApplicationFeedback(buf, off, len);
                } else {
                    feedbackNotHandled++;
                }
            }
            case RtcpPacketType.RTPFB -> {
                if (reader.fmt() == RtcpPacketType.FMT_NACK) {
                    stats.nackReceived();
                    onNack(buf, off, len, now);
                } else if (reader.fmt() == RtcpPacketType.FMT_TRANSPORT_CC) {
                    onTransportCc(buf, off, len, now);
                } else {
                    feedbackNotHandled++;
                }
            }
            default -> rtcpOtherIgnored++;
        }
    }

    private void onSenderReport(byte[] buf, int off, int len, long now) {
        SenderReportView sr = scratch.senderReport;
        if (sr.wrap(buf, off, len) != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        senderReportsReceived++;
        onReportBlocks(sr, now);
        Producer producer = producersBySsrc.get(sr.senderSsrc());
        if (producer == null) {
            drops.increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        if (producer.params().ssrc() != sr.senderSsrc()) {
            producer.onRtxSenderReport();
            return;
        }
        producer.onSenderReport(sr.ntpTimestamp(), sr.rtpTimestamp(), now);
    }

    private void onReceiverReport(byte[] buf, int off, int len, long now) {
        ReceiverReportView rr = scratch.receiverReport;
        if (rr.wrap(buf, off, len) != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        onReportBlocks(rr, now);
    }

    /** Blocks about our consumers' SSRCs that echo one of our SRs yield an RTT sample. */
    private void onReportBlocks(ReportBlocksView report, long now) {
        for (int i = 0; i < report.reportCount(); i++) {
            reportBlocksReceived++;
            Consumer consumer = consumersBySsrc.get(report.reportSsrc(i));
            if (consumer == null) {
                continue;
            }
            long rtt = consumer.onReportBlock(report.lastSr(i), report.delaySinceLastSr(i), now);
            if (rtt >= 0) {
                rttSamples++;
                smoothedRttNanos = smoothedRttNanos < 0 ? rtt : smoothedRttNanos + (rtt - smoothedRttNanos) / 8;
            }
        }
    }

    /** Generic NACK from this participant as subscriber: each lost number goes to the consumer. */
    private void onNack(byte[] buf, int off, int len, long now) {
        NackView nack = scratch.nack;
        if (nack.wrap(buf, off, len) != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        nacksReceived++;
        Consumer consumer = consumersBySsrc.get(nack.mediaSsrc());
        if (consumer == null || consumer.params().ssrc() != nack.mediaSsrc()) {
            drops.increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        consumer.onNackPacket();
        // Items walked here rather than with NackView.forEachLost: no callback object to allocate.
        for (int i = 0; i < nack.itemCount(); i++) {
            int pid = nack.pid(i);
            int blp = nack.blp(i);
            consumer.onNack(pid, now);
            for (int bit = 0; bit < 16; bit++) {
                if ((blp & (1 << bit)) != 0) {
                    consumer.onNack((pid + bit + 1) & 0xFFFF, now);
                }
            }
        }
    }

    // ------------------------------------------------------------------ congestion control

    private void recordTransportSequence(RtpPacket rtp, Producer producer, long now) {
        long ref = rtp.findExtension(producer.transportCcId());
        if (ref == RtpHeaderExtensions.NOT_FOUND || RtpHeaderExtensions.lengthOf(ref) != 2) {
            return;
        }
        incomingTcc.onPacket(BigEndian.u16(rtp.buffer(), RtpHeaderExtensions.offsetOf(ref)), now);
        tccMediaSsrc = producer.params().ssrc();
        if (!tccFeedbackTimer.isScheduled()) {
            router.worker().timers().schedule(tccFeedbackTimer, now + tccFeedbackIntervalNanos);
        }
    }

    /** Most feedback packets per tick: bounds the work one tick can do after a long stall. */
    private static final int MAX_FEEDBACKS_PER_TICK = 8;

    private void sendTransportCcFeedback(long now) {
        if (closed || incomingTcc == null || !incomingTcc.hasPending()) {
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
            for (int i = 0; i < MAX_FEEDBACKS_PER_TICK && incomingTcc.hasPending(); i++) {
                int n = incomingTcc.write(b.array(), off, limit, rtcpSsrc, tccMediaSsrc);
                if (n > 0 && sendRtcp(b.array(), off, n)) {
                    tccFeedbackSent++;
                }
            }
        } finally {
            pool.release(b);
        }
    }

    /** transport-cc feedback from this participant as subscriber, about what we sent it. */
    private void onTransportCc(byte[] buf, int off, int len, long now) {
        TransportCcView tcc = scratch.transportCc;
        if (tcc.wrap(buf, off, len) != RtcpValidity.OK) {
            transportCcMalformed++;
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        transportCcReceived++;
        if (bandwidth != null) {
            bandwidth.onTransportCc(tcc, now);
        }
    }

    /** PSFB application feedback: REMB caps the estimate towards this subscriber; others are ignored. */
    private void onApplicationFeedback(byte[] buf, int off, int len) {
        RembView remb = scratch.remb;
        if (remb.wrap(buf, off, len) != RtcpValidity.OK) {
            feedbackNotHandled++;
            return;
        }
        rembReceived++;
        long bps = remb.bitrateBps();
        if (bps < REMB_MIN_BPS || bps > REMB_MAX_BPS) {
            rembOutOfRange++;
            return;
        }
        if (bandwidth != null) {
            bandwidth.onRemb(bps);
        }
    }

    /** The publisher-side cap: one REMB naming this endpoint's video streams; returns its length or 0. */
    private int writeRemb(byte[] dst, int off, int limit) {
        int count = 0;
        for (int i = 0; i < producers.size(); i++) {
            Producer p = producers.get(i);
            if (p.kind() == MediaKind.VIDEO) {
                if (count == rembSsrcs.length) {
                    rembSsrcs = java.util.Arrays.copyOf(rembSsrcs, count * 2);
                }
                rembSsrcs[count++] = p.params().ssrc();
            }
        }
        if (count == 0) {
            return 0;
        }
        int n = RembWriter.write(dst, off, limit, rtcpSsrc, publisherMaxBps, rembSsrcs,
                Math.min(count, RembWriter.MAX_SSRCS));
        if (n <= 0) {
            return 0;
        }
        rembSent++;
        return n;
    }

    /**
     * Sends a packet of one of this endpoint's consumers, first writing this transport's next
     * transport-wide sequence number at {@code tccOffset} (its 2-byte transport-cc value; -1 when
     * the packet carries none for this subscriber).
     */
    boolean sendMedia(RtpPacket out, int tccOffset, int probeCluster, long now) {
        if (bandwidth != null && tccOffset >= 0) {
            BigEndian.put16(out.buffer(), tccOffset, bandwidth.onSent(now, out.length(), probeCluster));
        }
        return sendRtp(out.buffer(), out.offset(), out.length());
    }

    private void onPli(byte[] buf, int off, int len, long now) {
        PliView pli = scratch.pli;
        if (pli.wrap(buf, off, len) != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        onKeyframeRequest(pli.mediaSsrc(), now, KeyframeRequestKind.SUBSCRIBER_PLI);
    }

    private void onFir(byte[] buf, int off, int len, long now) {
        FirView fir = scratch.fir;
        if (fir.wrap(buf, off, len) != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
            return;
        }
        for (int i = 0; i < fir.entryCount(); i++) {
            onKeyframeRequest(fir.entrySsrc(i), now, KeyframeRequestKind.SUBSCRIBER_FIR);
        }
    }

    private void onKeyframeRequest(long mediaSsrc, long now, KeyframeRequestKind kind) {
        keyframeRequestsReceived++;
        Consumer consumer = consumersBySsrc.get(mediaSsrc);
        if (consumer == null) {
            drops.increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        consumer.onKeyframeRequest(now, kind);
    }

    // ------------------------------------------------------------------ outgoing (worker thread)

    /** Sends through the transport; false when it did not go out (counted by the transport) or threw. */
    boolean sendRtp(byte[] buf, int off, int len) {
        try {
            return sender.sendRtp(buf, off, len);
        } catch (RuntimeException e) {
            sendFailed(e);
            return false;
        }
    }

    private boolean sendRtcp(byte[] buf, int off, int len) {
        try {
            if (!sender.sendRtcp(buf, off, len)) {
                return false;
            }
            rtcpSent++;
            stats.rtcpSent();
            return true;
        } catch (RuntimeException e) {
            sendFailed(e);
            return false;
        }
    }

    private void sendFailed(RuntimeException e) {
        if (sendErrors++ == 0) {
            LOG.warn("[router={} endpoint={}] transport send failed (further failures only counted)",
                    router.id(), id, e);
        }
    }

    /** A PLI asking this endpoint (as publisher) for a keyframe on {@code mediaSsrc}. */
    void sendPli(long mediaSsrc) {
        PacketBuffer b = pool.acquire();
        if (b == null) {
            drops.increment(DropReason.NO_BUFFER);
            return;
        }
        try {
            int off = b.offset();
            int n = PliWriter.write(b.array(), off, off + b.writableCapacity(), rtcpSsrc, mediaSsrc);
            if (n > 0 && sendRtcp(b.array(), off, n)) {
                plisSent++;
                stats.pliSent();
            }
        } finally {
            pool.release(b);
        }
    }

    /** Most sequence numbers per NACK packet we send (256 items at worst: fits any buffer). */
    private static final int NACK_CHUNK = 256;

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
                int n = NackWriter.write(b.array(), off, off + b.writableCapacity(), rtcpSsrc, mediaSsrc, seqs, from,
                        Math.min(NACK_CHUNK, count - from));
                if (n > 0 && sendRtcp(b.array(), off, n)) {
                    nacksSent++;
                    stats.nackSent();
                }
            } finally {
                pool.release(b);
            }
        }
    }

    /** Periodic reports: one RR+SDES about this endpoint's producers, one SR+SDES per consumer. */
    void sendReports(long now) {
        if (closed) {
            return;
        }
        sendReceiverReports(now);
        for (int i = 0; i < consumers.size(); i++) {
            sendSenderReport(consumers.get(i), now);
        }
    }

    private void sendReceiverReports(long now) {
        int from = 0;
        boolean first = true;
        while (from < producers.size()) {
            int blocks = 0;
            int i = from;
            for (; i < producers.size() && blocks < RouterScratch.MAX_REPORT_BLOCKS; i++) {
                Producer p = producers.get(i);
                if (p.hasReceptionStats()) {
                    p.fillReportBlock(scratch.reportBlocks[blocks++], now);
                }
            }
            from = i;
            if (blocks > 0) {
                writeAndSend(true, null, blocks, now, first && publisherMaxBps > 0);
                first = false;
            }
        }
    }

    private void sendSenderReport(Consumer consumer, long now) {
        writeAndSend(false, consumer, 0, now, false);
    }

    private void writeAndSend(boolean receiverReport, Consumer consumer, int blocks, long now, boolean remb) {
        PacketBuffer b = pool.acquire();
        if (b == null) {
            drops.increment(DropReason.NO_BUFFER);
            return;
        }
        try {
            byte[] a = b.array();
            int off = b.offset();
            int limit = off + b.writableCapacity();
            int n;
            long sdesSsrc;
            if (receiverReport) {
                n = ReceiverReportWriter.write(a, off, limit, rtcpSsrc, scratch.reportBlocks, blocks);
                sdesSsrc = rtcpSsrc;
            } else {
                n = consumer.writeSenderReport(a, off, limit, now);
                sdesSsrc = consumer.params().ssrc();
            }
            if (n <= 0) {
                return;
            }
            int sdes = SdesWriter.writeCname(a, off + n, limit, sdesSsrc, scratch.cname, 0, scratch.cname.length);
            if (sdes > 0) {
                n += sdes;
            }
            if (remb) {
                n += writeRemb(a, off + n, limit);
            }
            sendRtcp(a, off, n);
        } finally {
            pool.release(b);
        }
    }

    // ------------------------------------------------------------------ wiring (control commands)

    void addProducer(Producer producer) {
        register(producersBySsrc, producers, producer.params().ssrc(), producer.params().rtxSsrc(), producer,
                "receives");
    }

    void removeProducer(Producer producer) {
        unregister(producersBySsrc, producers, producer.params().ssrc(), producer.params().rtxSsrc(), producer);
    }

    void addConsumer(Consumer consumer) {
        register(consumersBySsrc, consumers, consumer.params().ssrc(), consumer.params().rtxSsrc(), consumer, "sends");
    }

    void removeConsumer(Consumer consumer) {
        unregister(consumersBySsrc, consumers, consumer.params().ssrc(), consumer.params().rtxSsrc(), consumer);
    }

    /** Files {@code item} under its media SSRC and, if it has one, its RTX SSRC; refuses SSRCs already in use. */
    private <T> void register(LongObjectMap<T> bySsrc, List<T> list, long ssrc, long rtx, T item, String verb) {
        if (bySsrc.containsKey(ssrc) || (rtx != ProducerParams.NONE && bySsrc.containsKey(rtx))) {
            throw new IllegalArgumentException("endpoint " + id + " already " + verb + " ssrc " + ssrc + "/" + rtx);
        }
        bySsrc.put(ssrc, item);
        if (rtx != ProducerParams.NONE) {
            bySsrc.put(rtx, item);
        }
        list.add(item);
    }

    private static <T> void unregister(LongObjectMap<T> bySsrc, List<T> list, long ssrc, long rtx, T item) {
        bySsrc.remove(ssrc);
        if (rtx != ProducerParams.NONE) {
            bySsrc.remove(rtx);
        }
        list.remove(item);
    }

    List<Producer> producers() {
        return producers;
    }

    List<Consumer> consumers() {
        return consumers;
    }

    void close() {
        closed = true;
        router.worker().timers().cancel(tccFeedbackTimer);
        if (bandwidth != null) {
            bandwidth.close();
        }
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", id);
        n.put("rtcpSsrc", rtcpSsrc);
        n.put("closed", closed);
        n.put("rtpReceived", rtpReceived);
        n.put("rtcpReceived", rtcpReceived);
        n.put("senderReportsReceived", senderReportsReceived);
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        n.put("feedbackNotHandled", feedbackNotHandled);
        n.put("rtcpOtherIgnored", rtcpOtherIgnored);
        n.put("rtcpSent", rtcpSent);
        n.put("plisSent", plisSent);
        n.put("nacksReceived", nacksReceived);
        n.put("nacksSent", nacksSent);
        n.put("reportBlocksReceived", reportBlocksReceived);
        n.put("rttSamples", rttSamples);
        n.put("rttMillis", smoothedRttNanos < 0 ? -1 : smoothedRttNanos / 1e6);
        n.put("sendErrors", sendErrors);
        ObjectNode cc = n.putObject("congestion");
        cc.put("enabled", bandwidth != null);
        cc.put("transportCcFeedbackSent", tccFeedbackSent);
        cc.put("rembSent", rembSent);
        cc.put("rembBps", publisherMaxBps);
        cc.put("transportCcReceived", transportCcReceived);
        cc.put("transportCcMalformed", transportCcMalformed);
        cc.put("rembReceived", rembReceived);
        cc.put("rembOutOfRange", rembOutOfRange);
        if (incomingTcc != null) {
            cc.set("fromPublisher", incomingTcc.toJson());
        }
        if (bandwidth != null) {
            cc.set("toSubscriber", bandwidth.toJson());
        }
        n.set("drops", drops.toJson());
        ArrayNode p = n.putArray("producers");
        producers.forEach(x -> p.add(x.id()));
        ArrayNode c = n.putArray("consumers");
        consumers.forEach(x -> c.add(x.id()));
        return n;
    }
}
