package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class UnwrapperTest {

    @Test
    void sequenceCountsAcrossSeveralWraps() {
        SeqUnwrapper u = new SeqUnwrapper();
        assertFalse(u.hasStarted());
        long expected = 65000;
        for (int i = 0; i < 3 * 65536; i++) {
            assertEquals(expected, u.unwrap((int) (expected & 0xFFFF)));
            expected++;
        }
        assertTrue(u.hasStarted());
        assertEquals(expected - 1, u.last());
    }

    @Test
    void sequenceToleratesReorderingAroundTheWrap() {
        SeqUnwrapper u = new SeqUnwrapper();
        assertEquals(65534, u.unwrap(65534));
        assertEquals(65536, u.unwrap(0)); // 65535 skipped ahead of time
        assertEquals(65535, u.unwrap(65535)); // late arrival lands before, not 2^16 later
        assertEquals(65537, u.unwrap(1));
        assertEquals(65533, u.unwrap(65533)); // very late, still placed correctly
        assertEquals(65538, u.unwrap(2));
    }

    @Test
    void packetBeforeTheFirstCanGoNegative() {
        SeqUnwrapper u = new SeqUnwrapper();
        assertEquals(2, u.unwrap(2));
        assertEquals(-1, u.unwrap(65535));
        assertEquals(3, u.unwrap(3));
    }

    @Test
    void peekDoesNotMoveTheReference() {
        SeqUnwrapper u = new SeqUnwrapper();
        assertEquals(10, u.peek(10));
        u.unwrap(65535);
        assertEquals(65536 + 100, u.peek(100));
        assertEquals(65535, u.last());
        assertEquals(65535 - 100, u.peek(65435));
        u.reset();
        assertFalse(u.hasStarted());
        assertEquals(7, u.unwrap(7));
    }

    @Test
    void sequenceMatchesGroundTruthUnderRandomReordering() {
        Random random = new Random(42);
        SeqUnwrapper u = new SeqUnwrapper();
        long truth = 60_000;
        for (int i = 0; i < 200_000; i++) {
            long sent = truth + random.nextInt(2001) - 1000; // jitter +-1000 around the front
            assertEquals(sent, u.unwrap((int) (sent & 0xFFFF)));
            truth += random.nextInt(3);
        }
    }

    @Test
    void timestampCountsAcrossTheWrap() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        assertEquals(0xFFFF_FF00L, u.unwrap(0xFFFF_FF00L));
        assertEquals(0x1_0000_0010L, u.unwrap(0x10));
        assertEquals(0xFFFF_FFF0L, u.unwrap(0xFFFF_FFF0L)); // reordered back across the wrap
        assertEquals(0x1_0000_1000L, u.unwrap(0x1000));
        assertEquals(0x1_0000_2000L, u.peek(0x2000));
        assertEquals(0x1_0000_1000L, u.last());
    }

    @Test
    void timestampMatchesGroundTruthOverManyWraps() {
        Random random = new Random(7);
        TimestampUnwrapper u = new TimestampUnwrapper();
        long truth = 0xFFFF_0000L;
        for (int i = 0; i < 100_000; i++) {
            long ts = truth + random.nextInt(180_000) - 90_000;
            assertEquals(ts, u.unwrap(ts & 0xFFFF_FFFFL));
            truth += 90_000L * random.nextInt(1000); // up to ~1000 s steps, less than half the space
        }
        assertTrue(u.last() > 1L << 32);
    }

    @Test
    void timestampResetAndUnstartedPeek() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        assertEquals(0xFFFF_FFFFL, u.peek(-1L));
        u.unwrap(5);
        u.reset();
        assertFalse(u.hasStarted());
        assertEquals(9, u.unwrap(9));
    }
}
