package dev.chorus.sfu.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.TransportCcView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportCcFeedbackBuilderTest {
    private static final long MS = 1_000_000L;
    private final TransportCcFeedbackBuilder builder = new TransportCcFeedbackBuilder();
    private final byte[] buf = new byte[1500];

    /** seq, received, arrival (us, absolute) of every status in the feedbacks written now. */
    private List<long[]> drain() {
        List<long[]> out = new ArrayList<>();
        while (builder.hasPending()) {
            int n = builder.write(buf, 0, buf.length, 0xAAAA, 0xBBBB);
            assertTrue(n > 0);
            TransportCcView view = new TransportCcView();
            assertEquals(RtcpValidity.OK, view.wrap(buf, 0, n));
            long[] arrival = {view.referenceTimeUs()};
            view.forEachPacket((seq, received, deltaUs) -> {
                if (received) {
                    arrival[0] += deltaUs;
                }
                out.add(new long[] {seq, received ? 1 : 0, received ? arrival[0] : -1});
            });
        }
        return out;
    }

    @Test
    void reportsEveryNumberOnceWithGapsAsLostAcrossTheWrap() {
        long t = 1_000 * MS;
        int[] arriving = {65533, 65534, 0, 1, 3, 2, 6};
        for (int seq : arriving) {
            builder.onPacket(seq, t);
            t += 5 * MS;
        }
        List<long[]> statuses = drain();
        int[] expectSeq = {65533, 65534, 65535, 0, 1, 2, 3, 4, 5, 6};
        int[] expectReceived = {1, 1, 0, 1, 1, 1, 1, 0, 0, 1};
        assertEquals(expectSeq.length, statuses.size());
        for (int i = 0; i < expectSeq.length; i++) {
            assertEquals(expectSeq[i], statuses.get(i)[0], "status " + i);
            assertEquals(expectReceived[i], statuses.get(i)[1], "status " + i);
        }
        // Arrival times survive to 250 us: seq 3 arrived 5 ms before seq 2.
        assertEquals(statuses.get(6)[2] + 5_000, statuses.get(5)[2]);
        assertEquals(1, builder.feedbacksWritten());
        assertFalse(builder.hasPending());
    }

    @Test
    void aPacketArrivingAfterItsLossWasReportedIsLateNotReportedTwice() {
        builder.onPacket(10, 0);
        builder.onPacket(12, MS);
        assertEquals(3, drain().size());
        builder.onPacket(11, 2 * MS);
        assertFalse(builder.hasPending());
        builder.onPacket(13, 3 * MS);
        List<long[]> next = drain();
        assertEquals(1, next.size());
        assertEquals(13, next.get(0)[0]);
        assertEquals(1, builder.toJson().get("late").asLong());
    }

    @Test
    void aLongGapIsReportedFromItsNewestWindowOnly() {
        builder.onPacket(0, 0);
        drain();
        builder.onPacket(5000, MS);
        List<long[]> statuses = drain();
        assertTrue(statuses.size() <= TransportCcFeedbackBuilder.WINDOW);
        assertEquals(5000, statuses.get(statuses.size() - 1)[0]);
        assertTrue(builder.toJson().get("skipped").asLong() > 0);
    }

    @Test
    void manyPacketsSplitOverSeveralFeedbacksThatFitTheLimit() {
        for (int i = 0; i < 1000; i++) {
            builder.onPacket(i, i * 20 * MS / 10); // 2 ms apart, every one received
        }
        List<long[]> all = new ArrayList<>();
        int feedbacks = 0;
        while (builder.hasPending()) {
            int n = builder.write(buf, 0, 200, 1, 2);
            assertTrue(n > 0 && n <= 200);
            feedbacks++;
            TransportCcView view = new TransportCcView();
            assertEquals(RtcpValidity.OK, view.wrap(buf, 0, n));
            view.forEachPacket((seq, received, delta) -> all.add(new long[] {seq, received ? 1 : 0}));
        }
        assertTrue(feedbacks > 1);
        assertEquals(1000, all.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, all.get(i)[0]);
            assertEquals(1, all.get(i)[1]);
        }
    }
}
