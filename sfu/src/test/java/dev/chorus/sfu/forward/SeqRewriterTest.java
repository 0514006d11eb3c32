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

    @Test
    void reverseUndoesForwardAcrossDropRunsAndLosses() {
        SeqRewriter s = new SeqRewriter(0);
        assertEquals(0, s.forward(100));
        s.drop(101);
        s.drop(102);
        assertEquals(1, s.forward(103));
        assertEquals(3, s.forward(105)); // 104 lost upstream: out 2 is a hole a subscriber may NACK
        s.drop(106);
        s.drop(108); // 107 lost upstream inside the drop run: out 4
        assertEquals(5, s.forward(109));
        assertEquals(100, s.reverse(0));
        assertEquals(103, s.reverse(1));
        assertEquals(104, s.reverse(2), "the hole maps to the packet the publisher lost");
        assertEquals(105, s.reverse(3));
        assertEquals(107, s.reverse(4));
        assertEquals(109, s.reverse(5));
        assertEquals(SeqRewriter.REVERSE_UNKNOWN, s.reverse(6), "never sent");
        assertEquals(SeqRewriter.REVERSE_UNKNOWN, s.reverse(20_000), "ahead (by less than half the number space)");
        assertEquals(SeqRewriter.REVERSE_TOO_OLD, s.reverse(65535), "before the first forwarded packet");
    }

    @Test
    void reverseBeforeAnythingSentIsUnknown() {
        assertEquals(SeqRewriter.REVERSE_UNKNOWN, new SeqRewriter(5).reverse(5));
    }

    @Test
    void reverseWrapsBothWays() {
        SeqRewriter s = new SeqRewriter(65534);
        assertEquals(65534, s.forward(65_530));
        assertEquals(65535, s.forward(65_531));
        s.drop(65_532);
        assertEquals(0, s.forward(65_533));
        // The input wraps too (ext 65538 is RTP seq 2); 65534..65537 lost upstream: out 1..4 are holes.
        assertEquals(5, s.forward(65_536 + 2));
        assertEquals(65_530, s.reverse(65534));
        assertEquals(65_531, s.reverse(65535));
        assertEquals(65_533, s.reverse(0));
        assertEquals(65_534, s.reverse(1));
        assertEquals(65_538, s.reverse(5));
    }

    @Test
    void reverseMatchesForwardOnARandomDropPattern() {
        java.util.Random random = new java.util.Random(42);
        SeqRewriter s = new SeqRewriter(60_000);
        java.util.Map<Integer, Long> sent = new java.util.HashMap<>();
        long in = 1000;
        for (int i = 0; i < 2000; i++) {
            in += 1 + (random.nextInt(10) == 0 ? 1 : 0); // occasional upstream loss
            if (random.nextInt(4) == 0) {
                s.drop(in);
            } else {
                sent.put(s.forward(in), in);
            }
            if (i > 1500) {
                // The recent ones (within the drop history) must map back exactly.
                for (java.util.Map.Entry<Integer, Long> e : sent.entrySet()) {
                    if (in - e.getValue() < 20) {
                        assertEquals(e.getValue(), s.reverse(e.getKey()), "out " + e.getKey());
                    }
                }
            }
        }
    }
}
