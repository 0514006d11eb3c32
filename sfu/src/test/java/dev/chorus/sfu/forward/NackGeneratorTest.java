package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.worker.TimerQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The publisher-side NACK logic alone, on a timer queue driven by a hand-moved clock. */
class NackGeneratorTest {
    private static final long MS = 1_000_000L;

    private final TimerQueue timers = new TimerQueue();
    private final List<int[]> nacks = new ArrayList<>();
    private final List<Long> giveUps = new ArrayList<>();
    private long rttNanos = 20 * MS;
    private long now;
    private final NackGenerator gen =
            new NackGenerator("t", timers, 3, 500 * MS, () -> rttNanos, new NackGenerator.Sink() {
                @Override
                public void sendNack(int[] seqs, int count) {
                    nacks.add(Arrays.copyOf(seqs, count));
                }

                @Override
                public void onGiveUp(long nowNanos) {
                    giveUps.add(nowNanos);
                }
            });

    private void advance(long millis) {
        for (long i = 0; i < millis; i++) {
            now += MS;
            timers.runDue(now);
        }
    }

    @Test
    void aGapIsNackedAtOnceAndRetriedEveryRttUntilItArrives() {
        gen.onPacket(100, now);
        gen.onPacket(101, now);
        gen.onPacket(104, now); // 102, 103 missing
        assertEquals(1, nacks.size());
        assertArrayEquals(new int[] {102, 103}, nacks.get(0));
        advance(19);
        assertEquals(1, nacks.size(), "not before one RTT");
        advance(1);
        assertEquals(2, nacks.size());
        assertArrayEquals(new int[] {102, 103}, nacks.get(1));
        assertTrue(gen.onPacket(102, now), "102 recovered");
        assertFalse(gen.onPacket(102, now), "a second copy is no recovery");
        rttNanos = 50 * MS; // the RTT estimate grew: retries slow down
        advance(20);
        assertEquals(2, nacks.size());
        advance(30);
        assertEquals(3, nacks.size());
        assertArrayEquals(new int[] {103}, nacks.get(2));
        gen.onPacket(103, now);
        advance(1000);
        assertEquals(3, nacks.size(), "nothing pending, nothing sent");
        assertEquals(0, timers.size(), "and no timer left armed");
        assertEquals(2, gen.recovered());
        assertEquals(0, gen.gaveUp());
        assertTrue(giveUps.isEmpty());
    }

    @Test
    void givesUpAfterMaxRetries() {
        gen.onPacket(1, now);
        gen.onPacket(3, now);
        advance(200);
        assertEquals(3, nacks.size(), "three retries at most");
        assertEquals(1, giveUps.size(), "then the owner is told once");
        assertEquals(0, gen.pending());
        assertEquals(1, gen.toJson().get("gaveUpRetries").asLong());
        assertFalse(gen.onPacket(2, now), "too late: no longer tracked");
    }

    @Test
    void givesUpAfterTheTimeLimitWhenTheRttIsLong() {
        rttNanos = 400 * MS;
        gen.onPacket(1, now);
        gen.onPacket(3, now);
        advance(400);
        assertEquals(2, nacks.size());
        advance(400); // the retry would be at 800 ms, but the packet has been missing for 500 ms
        assertEquals(2, nacks.size());
        assertEquals(1, giveUps.size());
        assertEquals(1, gen.toJson().get("gaveUpAge").asLong());
    }

    @Test
    void retriesAreFlooredOnAVeryShortRtt() {
        rttNanos = 0;
        gen.onPacket(1, now);
        gen.onPacket(3, now);
        advance(4);
        assertEquals(1, nacks.size());
        advance(1);
        assertEquals(2, nacks.size(), "5 ms floor");
    }

    @Test
    void sequenceNumbersWrapInTheNack() {
        gen.onPacket(65534, now);
        gen.onPacket(65536 + 1, now); // RTP seq 1 after the wrap: 65535 and 0 missing
        assertArrayEquals(new int[] {65535, 0}, nacks.get(0));
    }

    @Test
    void aGapWiderThanTheListGivesUpAtOnce() {
        gen.onPacket(10, now);
        gen.onPacket(12, now);
        gen.onPacket(12 + NackGenerator.MAX_PENDING + 2, now);
        assertEquals(1, giveUps.size());
        assertEquals(0, gen.pending(), "the list was cleared");
        assertEquals(1, nacks.size(), "only the first, small gap was NACKed");
        assertEquals(0, timers.size());
    }

    @Test
    void reorderedAndDuplicatePacketsWithoutAGapSendNothing() {
        gen.onPacket(5, now);
        gen.onPacket(6, now);
        gen.onPacket(6, now);
        gen.onPacket(4, now);
        gen.onPacket(7, now);
        assertTrue(nacks.isEmpty());
        assertEquals(0, gen.toJson().get("missingDetected").asLong());
    }
}
