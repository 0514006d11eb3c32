package dev.chorus.sfu.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SentPacketHistoryTest {
    @Test
    void numbersAreGapFreeAndFoundAcrossTheWrap() {
        SentPacketHistory h = new SentPacketHistory();
        assertEquals(-1, h.find(0), "nothing sent yet");
        for (int i = 0; i < 65536 + 10; i++) {
            assertEquals(i & 0xFFFF, h.onSent(i, 100 + (i % 7), i % 3));
        }
        int newest = (65536 + 9) & 0xFFFF;
        int slot = h.find(newest);
        assertTrue(slot >= 0);
        assertEquals(65536 + 9, h.sentNanos(slot));
        assertEquals(100 + (65536 + 9) % 7, h.size(slot));
        int older = (newest - 5) & 0xFFFF;
        assertEquals(65536 + 4, h.sentNanos(h.find(older)), "across the 16-bit wrap");
        assertEquals(-1, h.find((newest + 1) & 0xFFFF), "not sent yet");
        assertEquals(-1, h.find((newest - SentPacketHistory.CAPACITY) & 0xFFFF), "fell out of the history");
    }

    @Test
    void aPacketIsReportedOnce() {
        SentPacketHistory h = new SentPacketHistory();
        h.onSent(0, 1200, 0);
        int slot = h.find(0);
        assertTrue(h.markReported(slot));
        assertFalse(h.markReported(slot));
    }
}
