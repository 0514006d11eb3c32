package dev.chorus.sfu.forward;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.ReceiverReportWriter;
import dev.chorus.sfu.rtcp.SdesWriter;
import java.util.List;

/**
 * The periodic reports to one participant: a receiver report (with SDES, and the REMB cap in the
 * first compound) about what it publishes, and a sender report (with SDES) per consumer it
 * receives. RR blocks carry LSR/DLSR so its browser measures the round trip; our SRs carry the
 * publisher's clock forward so it can sync audio and video. Worker-thread only.
 */
final class RtcpReports {
    private final Endpoint endpoint;
    private final PublisherFeedback feedback;
    private final RouterScratch scratch;
    private final PacketBufferPool pool;
    private final DropCounters drops;

    RtcpReports(Endpoint endpoint, PublisherFeedback feedback, Router router, DropCounters drops) {
        this.endpoint = endpoint;
        this.feedback = feedback;
        this.scratch = router.scratch();
        this.pool = router.worker().pool();
        this.drops = drops;
    }

    /** RR+SDES about the endpoint's producer streams (31 blocks a packet), one SR+SDES per consumer. */
    void send(long now) {
        sendReceiverReports(now);
        List<Consumer> consumers = endpoint.consumers();
        for (int i = 0; i < consumers.size(); i++) {
            writeAndSend(false, consumers.get(i), 0, now, false);
        }
    }

    private void sendReceiverReports(long now) {
        List<Producer> producers = endpoint.producers();
        int blocks = 0;
        boolean first = true;
        for (int i = 0; i < producers.size(); i++) {
            Producer p = producers.get(i);
            for (int layer = 0; layer < p.layerCount(); layer++) {
                RtpReceiveStream s = p.stream(layer);
                if (!s.hasReceptionStats()) {
                    continue;
                }
                s.fillReportBlock(scratch.reportBlocks[blocks++], now);
                if (blocks == RouterScratch.MAX_REPORT_BLOCKS) {
                    writeAndSend(true, null, blocks, now, first && feedback.sendsRemb());
                    first = false;
                    blocks = 0;
                }
            }
        }
        if (blocks > 0) {
            writeAndSend(true, null, blocks, now, first && feedback.sendsRemb());
        }
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
                n = ReceiverReportWriter.write(a, off, limit, endpoint.rtcpSsrc(), scratch.reportBlocks, blocks);
                sdesSsrc = endpoint.rtcpSsrc();
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
                n += feedback.writeRemb(a, off + n, limit);
            }
            endpoint.sendRtcp(a, off, n);
        } finally {
            pool.release(b);
        }
    }
}
