package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SeqTrackerTest {

    @Test
    void inOrderHasNoLoss() {
        SeqTracker t = new SeqTracker();
        long expected = 0;
        for (int s = 100; s < 200; s++) {
            expected += t.record(s);
        }
        assertEquals(100, expected);
        assertEquals(100, t.expected());
        assertEquals(100, t.received());
        assertEquals(0, t.lost());
    }

    @Test
    void gapsCountAsLoss() {
        SeqTracker t = new SeqTracker();
        long expected = 0;
        for (int s : new int[] {10, 11, 14, 15, 20}) {
            expected += t.record(s);
        }
        assertEquals(11, expected);
        assertEquals(11, t.expected());
        assertEquals(6, t.lost());
    }

    @Test
    void wrapAroundIsNotLossAndGapsAcrossItAre() {
        SeqTracker t = new SeqTracker();
        for (int s = 65530; s <= 65535; s++) {
            t.record(s);
        }
        t.record(0);
        t.record(1);
        t.record(3); // 2 lost
        assertEquals(10, t.expected());
        assertEquals(1, t.lost());
        // many wraps, every 10th packet lost
        SeqTracker many = new SeqTracker();
        long sent = 0;
        long lost = 0;
        for (int i = 0; i < 300_000; i++) {
            sent++;
            if (i % 10 == 5) {
                lost++;
                continue;
            }
            many.record((60_000 + i) & 0xFFFF);
        }
        assertEquals(sent, many.expected());
        assertEquals(lost, many.lost());
    }

    @Test
    void reorderedAndDuplicatePacketsDoNotInflateLoss() {
        SeqTracker t = new SeqTracker();
        long expected = 0;
        for (int s : new int[] {65534, 0, 65535, 1, 1, 2}) {
            expected += t.record(s);
        }
        assertEquals(5, expected); // 65534, 65535, 0, 1, 2
        assertEquals(5, t.expected());
        assertEquals(0, t.lost()); // 6 received incl. a duplicate: clamped at 0
        assertEquals(2, t.duplicatesOrLate());
    }

    @Test
    void packetOlderThanTheFirstExtendsTheRangeBackwards() {
        SeqTracker t = new SeqTracker();
        assertEquals(1, t.record(5));
        assertEquals(1, t.record(6));
        assertEquals(3, t.record(2)); // 2, 3, 4 now expected; 3 and 4 missing
        assertEquals(5, t.expected());
        assertEquals(2, t.lost());
    }

    @Test
    void extendPicksTheClosestCycle() {
        assertEquals(65536, SeqTracker.extend(0, 65535));
        assertEquals(65535, SeqTracker.extend(65535, 65536));
        assertEquals(2 * 65536 + 5, SeqTracker.extend(5, 2 * 65536 + 3));
        assertEquals(100, SeqTracker.extend(100, 200));
    }
}
