package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.FirView;
import dev.chorus.sfu.rtcp.NackView;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.ReportBlocksView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * Ends the RTCP one participant sends us, hop by hop (nothing is forwarded as is): a sender report
 * updates its producer's clock mapping; report blocks about our SRs give the round-trip time to the
 * participant; PLI/FIR and NACK from it as a subscriber go to the consumer they name; transport-cc
 * feedback and REMB about what we sent it go to its bandwidth estimate. Malformed packets and
 * unknown SSRCs are counted. Worker-thread only.
 */
final class RtcpTermination {
    /** REMB values outside this range are not believed: no real path is that thin or that fat. */
    static final long REMB_MIN_BPS = 10_000;

    static final long REMB_MAX_BPS = 10_000_000_000L;

    private final Endpoint endpoint;
    private final RouterScratch scratch;
    private final DropCounters drops;
    private final WorkerStats stats;
    /** Null when congestion control is off. */
    private final SubscriberBandwidth bandwidth;

    private final long defaultRttNanos;
    /** Smoothed round-trip time (RFC 6298 style, 1/8 gain), or -1 until measured. */
    private long smoothedRttNanos = -1;

    private long senderReportsReceived;
    private long reportBlocksReceived;
    private long rttSamples;
    private long keyframeRequestsReceived;
    private long nacksReceived;
    private long feedbackNotHandled;
    private long rtcpOtherIgnored;
    private long transportCcReceived;
    private long transportCcMalformed;
    private long rembReceived;
    private long rembOutOfRange;

    RtcpTermination(Endpoint endpoint, Router router, DropCounters drops, SubscriberBandwidth bandwidth) {
        this.endpoint = endpoint;
        this.scratch = router.scratch();
        this.stats = router.worker().stats();
        this.drops = drops;
        this.bandwidth = bandwidth;
        this.defaultRttNanos = router.config().defaultRttMillis() * 1_000_000L;
    }

    /**
     * Round-trip time to this participant: measured from its receiver reports about our SRs,
     * else the configured default; never below {@link NackGenerator#MIN_RETRY_INTERVAL_NANOS}.
     */
    long rttNanos() {
        long rtt = smoothedRttNanos < 0 ? defaultRttNanos : smoothedRttNanos;
        return Math.max(rtt, NackGenerator.MIN_RETRY_INTERVAL_NANOS);
    }

    /** Walks one compound packet; a malformed compound is counted once, after its valid parts. */
    void onCompound(byte[] buf, int off, int len, long now) {
        RtcpCompoundReader reader = scratch.rtcpReader;
        reader.reset(buf, off, len);
        while (reader.next()) {
            onPacket(reader, now);
        }
        if (reader.error() != RtcpValidity.OK) {
            drops.increment(DropReason.MALFORMED_RTCP);
        }
    }

    private void onPacket(RtcpCompoundReader reader, long now) {
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
        RtpReceiveStream stream = endpoint.streamBySsrc(sr.senderSsrc());
        if (stream == null) {
            drops.increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        if (stream.ssrc() != sr.senderSsrc()) {
            stream.onRtxSenderReport();
            return;
        }
        stream.onSenderReport(sr.ntpTimestamp(), sr.rtpTimestamp(), now);
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
            Consumer consumer = endpoint.consumerBySsrc(report.reportSsrc(i));
            if (consumer == null) {
                continue;
            }
            long rtt =
                    consumer.onReportBlock(report.fractionLost(i), report.lastSr(i), report.delaySinceLastSr(i), now);
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
        Consumer consumer = endpoint.consumerBySsrc(nack.mediaSsrc());
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
        Consumer consumer = endpoint.consumerBySsrc(mediaSsrc);
        if (consumer == null) {
            drops.increment(DropReason.UNKNOWN_FEEDBACK_SSRC);
            return;
        }
        consumer.onKeyframeRequest(now, kind);
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

    /** The endpoint's counters about what it received, under their historical /debug names. */
    void addJson(ObjectNode n) {
        n.put("senderReportsReceived", senderReportsReceived);
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        n.put("feedbackNotHandled", feedbackNotHandled);
        n.put("rtcpOtherIgnored", rtcpOtherIgnored);
        n.put("nacksReceived", nacksReceived);
        n.put("reportBlocksReceived", reportBlocksReceived);
        n.put("rttSamples", rttSamples);
        n.put("rttMillis", smoothedRttNanos < 0 ? -1 : smoothedRttNanos / 1e6);
    }

    /** Its congestion-control counters, for the endpoint's "congestion" object. */
    void addCongestionJson(ObjectNode cc) {
        cc.put("transportCcReceived", transportCcReceived);
        cc.put("transportCcMalformed", transportCcMalformed);
        cc.put("rembReceived", rembReceived);
        cc.put("rembOutOfRange", rembOutOfRange);
    }
}
