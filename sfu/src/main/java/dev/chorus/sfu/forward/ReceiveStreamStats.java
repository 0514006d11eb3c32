package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtp.SeqUnwrapper;

/**
 * Reception statistics of one incoming RTP stream, per RFC 3550 appendix A: extended highest
 * sequence number, expected/lost counts, the fraction lost between reports, and interarrival
 * jitter (A.8, kept scaled by 16 in integers as the RFC suggests).
 */
final class ReceiveStreamStats {
    private final int clockRate;
    private final SeqUnwrapper unwrapper = new SeqUnwrapper();
    private long packets;
    private long bytes;
    private boolean started;
    private long baseExt;
    private long maxExt;
    private long expectedPrior;
    private long receivedPrior;
    private long firstArrivalNanos;
    private boolean haveTransit;
    private long lastTransit;
    private long jitterTimes16;
    private int lastFractionLost;

    ReceiveStreamStats(int clockRate) {
        this.clockRate = clockRate;
    }

    /** Accounts one packet and returns its extended (unwrapped) sequence number. */
    long onPacket(int seq, long timestamp, int length, long nowNanos) {
        long ext = unwrapper.unwrap(seq);
        packets++;
        bytes += length;
        if (!started) {
            started = true;
            baseExt = ext;
            maxExt = ext;
            firstArrivalNanos = nowNanos;
        } else if (ext > maxExt) {
            maxExt = ext;
        } else {
            // Reordered or duplicate: counts as received, but its transit time says nothing new.
            return ext;
        }
        long arrival = NtpTime.nanosToRtp(nowNanos - firstArrivalNanos, clockRate);
        long transit = arrival - timestamp;
        if (haveTransit) {
            long d = Math.abs((long) (int) (transit - lastTransit));
            jitterTimes16 += d - ((jitterTimes16 + 8) >> 4);
        }
        lastTransit = transit;
        haveTransit = true;
        return ext;
    }

    /** The extended number {@code seq} would get, without accounting it. */
    long peekExtended(int seq) {
        return unwrapper.peek(seq);
    }

    boolean started() {
        return started;
    }

    long expected() {
        return started ? maxExt - baseExt + 1 : 0;
    }

    long cumulativeLost() {
        return expected() - packets;
    }

    long jitter() {
        return jitterTimes16 >> 4;
    }

    long packets() {
        return packets;
    }

    long bytes() {
        return bytes;
    }

    long highestExtendedSeq() {
        return maxExt;
    }

    /** Fills {@code block} for a receiver report and starts the next fraction-lost interval. */
    void fillReportBlock(ReportBlock block, long ssrc, long lastSr, long delaySinceLastSr) {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = packets - receivedPrior;
        expectedPrior = expected;
        receivedPrior = packets;
        long lostInterval = expectedInterval - receivedInterval;
        lastFractionLost = expectedInterval <= 0 || lostInterval <= 0
                ? 0
                : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        long lost = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulativeLost()));
        block.set(ssrc, lastFractionLost, (int) lost, maxExt & 0xFFFF_FFFFL, jitter(), lastSr, delaySinceLastSr);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("packets", packets);
        n.put("bytes", bytes);
        n.put("highestExtendedSeq", maxExt);
        n.put("expected", expected());
        n.put("cumulativeLost", cumulativeLost());
        n.put("lastFractionLost", lastFractionLost);
        n.put("jitter", jitter());
        return n;
    }
}
