package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpSeq;

/**
 * What the SFU has sent one subscriber on one consumer's SSRCs (media and RTX) and what the
 * subscriber said back about it: the counts a sender report carries, the last SRs (so a report
 * block naming one yields a round-trip time), the RTX stream's sequence numbers, and when each
 * packet was last resent (one resend per packet per round trip). The per-stream send state that
 * mediasoup keeps in RtpStreamSend; the forwarding decisions stay in {@link Consumer}.
 * Worker-thread only.
 */
final class RtpSendStream {
    /** SRs remembered to match report blocks against: one per report interval, so a few suffice. */
    private static final int SR_HISTORY = 4;

    private final long ssrc;
    private long packetsSent;
    /** Payload octets, as the SR's sender octet count defines them. */
    private long payloadOctetsSent;

    private long bytesSent;
    private long senderReportsSent;
    private int rtxSequence;
    /** Per-packet resend times (video): slot = producer sequence & mask, tagged by the sequence. */
    private final long[] resentSeq;

    private final long[] resentAt;
    private final int resentMask;
    private final long[] srNtpMiddle = new long[SR_HISTORY];
    private final long[] srSentNanos = new long[SR_HISTORY];
    private int srNext;
    private long lastRttNanos = -1;

    /**
     * @param resendSlots a power of two (the producer's retransmission buffer size), 0 without one
     */
    RtpSendStream(long ssrc, int initialSequence, int resendSlots) {
        this.ssrc = ssrc;
        this.rtxSequence = initialSequence ^ 0x8000;
        this.resentSeq = new long[resendSlots];
        this.resentAt = new long[resendSlots];
        this.resentMask = resendSlots - 1;
        java.util.Arrays.fill(resentSeq, -1);
    }

    /** A media packet went out on the media SSRC. */
    void onSent(RtpPacket out) {
        packetsSent++;
        bytesSent += out.length();
        payloadOctetsSent += out.payloadLength();
    }

    long packetsSent() {
        return packetsSent;
    }

    long payloadOctetsSent() {
        return payloadOctetsSent;
    }

    /** The RTX stream's next sequence number; {@link #advanceRtxSequence()} once it is used. */
    int rtxSequence() {
        return rtxSequence;
    }

    void advanceRtxSequence() {
        rtxSequence = (rtxSequence + 1) & 0xFFFF;
    }

    /** True when producer packet {@code extSeq} was resent less than {@code rttNanos} ago. */
    boolean resentWithin(long extSeq, long nowNanos, long rttNanos) {
        int r = (int) (extSeq & resentMask);
        return resentSeq[r] == extSeq && nowNanos - resentAt[r] < rttNanos;
    }

    void markResent(long extSeq, long nowNanos) {
        int r = (int) (extSeq & resentMask);
        resentSeq[r] = extSeq;
        resentAt[r] = nowNanos;
    }

    /**
     * Writes this stream's SR at {@code dst[off]}: the publisher's NTP/RTP mapping carried forward
     * to now (RTP translated by the consumer's timestamp offset), with our own counts. Returns 0
     * when there is nothing truthful to say yet (nothing sent, or no SR from the publisher).
     */
    int writeSenderReport(
            byte[] dst,
            int off,
            int limit,
            long nowNanos,
            SenderClockMapping clock,
            int clockRate,
            long timestampOffset) {
        if (packetsSent == 0 || !clock.known()) {
            return 0;
        }
        long ntp = clock.ntpAt(nowNanos);
        long rtp = RtpSeq.addTimestamp(clock.rtpAt(nowNanos, clockRate), timestampOffset);
        int n = SenderReportWriter.write(
                dst,
                off,
                limit,
                ssrc,
                ntp,
                rtp,
                packetsSent & 0xFFFF_FFFFL,
                payloadOctetsSent & 0xFFFF_FFFFL,
                (ReportBlock[]) null,
                0);
        if (n > 0) {
            senderReportsSent++;
            srNtpMiddle[srNext] = (ntp >>> 16) & 0xFFFF_FFFFL;
            srSentNanos[srNext] = nowNanos == 0 ? 1 : nowNanos;
            srNext = (srNext + 1) % SR_HISTORY;
        }
        return Math.max(n, 0);
    }

    /**
     * A report block from the subscriber about this stream: with LSR naming one of our recent SRs,
     * RTT = now - (when that SR left) - DLSR. Returns the RTT in nanoseconds, or -1.
     */
    long onReportBlock(long lastSr, long delaySinceLastSr, long nowNanos) {
        if (lastSr == 0) {
            return -1;
        }
        for (int i = 0; i < SR_HISTORY; i++) {
            if (srSentNanos[i] != 0 && srNtpMiddle[i] == lastSr) {
                long dlsrNanos = delaySinceLastSr * 1_000_000_000L / 65536;
                long rtt = nowNanos - srSentNanos[i] - dlsrNanos;
                if (rtt < 0) {
                    return -1;
                }
                lastRttNanos = rtt;
                return rtt;
            }
        }
        return -1;
    }

    /** The counters /debug shows for the consumer, under their historical names. */
    void addJson(ObjectNode n) {
        n.put("packetsSent", packetsSent);
        n.put("bytesSent", bytesSent);
        n.put("payloadOctetsSent", payloadOctetsSent);
        n.put("senderReportsSent", senderReportsSent);
        n.put("rttMillis", lastRttNanos < 0 ? -1 : lastRttNanos / 1e6);
    }
}
