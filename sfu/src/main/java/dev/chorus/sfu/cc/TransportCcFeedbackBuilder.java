package dev.chorus.sfu.cc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtcp.TransportCcWriter;
import dev.chorus.sfu.rtp.SeqUnwrapper;

/**
 * The receiving side of transport-cc for one publisher's transport: remembers the arrival time
 * of each transport-wide sequence number and writes the feedback the publisher's congestion
 * controller needs. Every number from the first one seen is reported exactly once, as received
 * or lost; a packet arriving after its number was reported lost is counted late and not
 * reported again (the publisher has already acted on the loss). Worker-thread only; allocates
 * nothing after construction.
 */
public final class TransportCcFeedbackBuilder {
    /** Numbers kept between two feedbacks; a longer gap is reported from its newest part only. */
    public static final int WINDOW = 1 << 10;

    private static final int MASK = WINDOW - 1;

    private final SeqUnwrapper unwrapper = new SeqUnwrapper();
    private final long[] slotSeq = new long[WINDOW];
    private final long[] arrivalUs = new long[WINDOW];
    private final int[] seqs = new int[WINDOW];
    private final long[] arrivals = new long[WINDOW];
    private final TransportCcWriter writer = new TransportCcWriter();
    /** Extended number of the first packet not yet reported, or -1 before the first packet. */
    private long nextToReport = -1;
    /** Highest number received: only arrivals set it, so a pending one exists iff it is not yet reported. */
    private long highest = -1;

    private int feedbackCount;
    private long packets;
    private long late;
    private long skipped;
    private long feedbacksWritten;

    public TransportCcFeedbackBuilder() {
        java.util.Arrays.fill(slotSeq, -1);
    }

    /** A packet carrying transport-wide number {@code seq} arrived at {@code arrivalNanos}. */
    public void onPacket(int seq, long arrivalNanos) {
        long ext = unwrapper.unwrap(seq);
        packets++;
        if (nextToReport < 0) {
            nextToReport = ext;
            highest = ext;
        }
        if (ext < nextToReport) {
            late++;
            return;
        }
        int slot = (int) (ext & MASK);
        slotSeq[slot] = ext;
        arrivalUs[slot] = arrivalNanos / 1000;
        if (ext > highest) {
            highest = ext;
        }
        if (highest - nextToReport >= WINDOW) {
            long from = highest - WINDOW + 1;
            skipped += from - nextToReport;
            nextToReport = from;
        }
    }

    /** True when a received packet is waiting to be reported. */
    public boolean hasPending() {
        return nextToReport >= 0 && highest >= nextToReport;
    }

    /**
     * Writes one feedback packet at {@code dst[off]} covering the pending numbers from the oldest
     * on, as many as fit before {@code limit}. Returns its length, or 0 when nothing is pending.
     * Call again while {@link #hasPending()} to send the rest.
     */
    public int write(byte[] dst, int off, int limit, long senderSsrc, long mediaSsrc) {
        int count = 0;
        for (long e = nextToReport; e <= highest; e++) {
            int slot = (int) (e & MASK);
            if (slotSeq[slot] == e) {
                seqs[count] = (int) (e & 0xFFFF);
                arrivals[count] = arrivalUs[slot];
                count++;
            }
        }
        if (count == 0) {
            return 0;
        }
        int n = writer.write(
                dst,
                off,
                limit,
                senderSsrc,
                mediaSsrc,
                (int) (nextToReport & 0xFFFF),
                feedbackCount & 0xFF,
                seqs,
                arrivals,
                0,
                count);
        if (n <= 0) {
            // Not even one packet fits (arrival times too far apart for a delta): report it lost.
            skipped++;
            nextToReport = unwrapNear(seqs[0]) + 1;
            return 0;
        }
        feedbackCount++;
        feedbacksWritten++;
        nextToReport += (writer.nextBaseSequenceNumber() - (int) (nextToReport & 0xFFFF)) & 0xFFFF;
        return n;
    }

    private long unwrapNear(int seq) {
        return nextToReport + ((seq - (int) (nextToReport & 0xFFFF)) & 0xFFFF);
    }

    public long feedbacksWritten() {
        return feedbacksWritten;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("packets", packets);
        n.put("feedbacks", feedbacksWritten);
        n.put("late", late);
        n.put("skipped", skipped);
        return n;
    }
}
