package dev.chorus.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void rolloverCounterFollowsTheSequenceAcrossWrapsAndReordering() {
        ReplayWindow w = new ReplayWindow();
        assertEquals(65530, w.estimate(65530));
        w.accept(65530);
        assertEquals(1L << 16 | 3, w.estimate(3), "after the wrap: ROC 1");
        w.accept(1L << 16 | 3);
        assertEquals(65534, w.estimate(65534), "late packet from before the wrap keeps ROC 0");
        assertEquals(1L << 16 | 30000, w.estimate(30000));
        w.accept(1L << 16 | 30000);
        assertEquals(1L << 16 | 60000, w.estimate(60000));
        w.accept(1L << 16 | 60000);
        assertEquals(2L << 16 | 5, w.estimate(5));
        assertEquals(1L << 16 | 50000, w.estimate(50000), "less than half a cycle back: same ROC");
    }

    @Test
    void aPacketBeforeTheFirstAcrossAWrapHasNoIndex() {
        ReplayWindow w = new ReplayWindow();
        w.accept(10);
        assertEquals(-1, w.estimate(65000));
    }

    @Test
    void replaysAndTooOldPacketsAreToldApart() {
        ReplayWindow w = new ReplayWindow();
        w.accept(100);
        w.accept(102);
        assertEquals(ReplayWindow.REPLAYED, w.check(100));
        assertEquals(ReplayWindow.REPLAYED, w.check(102));
        assertEquals(ReplayWindow.FRESH, w.check(101), "reordered, not replayed");
        w.accept(101);
        assertEquals(ReplayWindow.REPLAYED, w.check(101));
        assertEquals(ReplayWindow.FRESH, w.check(102 - 63));
        assertEquals(ReplayWindow.TOO_OLD, w.check(102 - 64));
        w.accept(1000);
        assertEquals(ReplayWindow.TOO_OLD, w.check(102));
        assertEquals(ReplayWindow.FRESH, w.check(999));
    }
}
