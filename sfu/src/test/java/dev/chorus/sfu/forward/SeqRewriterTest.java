package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SeqRewriterTest {
    @Test
    void firstForwardedPacketGetsTheInitialValue() {
        SeqRewriter s = new SeqRewriter(1000);
        s.drop(5); // before the start: nothing to hide
        assertEquals(1000, s.forward(7));
        assertEquals(1001, s.forward(8));
        assertEquals(-1, s.forward(6), "older than the start cannot be mapped");
    }

    @Test
    void dropsCloseUpAndLossesStay() {
        SeqRewriter s = new SeqRewriter(0);
        assertEquals(0, s.forward(100));
        s.drop(101);
        s.drop(102);
        assertEquals(1, s.forward(103));
        // 104 lost upstream
        assertEquals(3, s.forward(105));
        s.drop(106);
        // 107 lost upstream, during the drop run
        s.drop(108);
        assertEquals(5, s.forward(109), "the loss inside the drop run stays a hole (out 4)");
        assertEquals(2, s.forward(104), "late: mapped with the offset of its time");
        assertEquals(4, s.forward(107));
        assertEquals(-1, s.forward(106), "a packet the SFU skipped stays skipped");
        assertEquals(4, s.dropsHidden());
    }

    @Test
    void outputWrapsAt16Bits() {
        SeqRewriter s = new SeqRewriter(65535);
        assertEquals(65535, s.forward(70_000));
        assertEquals(0, s.forward(70_001));
        s.drop(70_002);
        assertEquals(1, s.forward(70_003));
    }

    @Test
    void historyIsBoundedAndOldPositionsBecomeUnmappable() {
        SeqRewriter s = new SeqRewriter(0);
        long in = 0;
        s.forward(in++);
        for (int i = 0; i < SeqRewriter.HISTORY + 5; i++) {
            s.drop(in++);
            s.forward(in++);
        }
        assertEquals(-1, s.forward(2), "its drop run was evicted from the history");
        long recentForwarded = in - 1;
        assertEquals((int) ((recentForwarded - s.offset()) & 0xFFFF), s.forward(recentForwarded));
    }
}
