package dev.chorus.sfu.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EarlySrtpPacketsTest {
    @Test
    void keepsPacketsInOrderUpToItsCapacityAndCountsTheRest() {
        EarlySrtpPackets early = new EarlySrtpPackets();
        assertFalse(early.pending());
        byte[] wire = new byte[40];
        for (int i = 0; i < EarlySrtpPackets.CAPACITY; i++) {
            Arrays.fill(wire, (byte) i);
            // From the middle of a larger buffer, as a datagram sits in a pooled one.
            assertTrue(early.park(wire, 4, 20 + i % 5, i % 2 == 1));
        }
        assertFalse(early.park(wire, 0, 20, false), "full: the caller drops it");
        assertFalse(early.park(new byte[2000], 0, 1600, false), "larger than any WebRTC packet");
        assertEquals(EarlySrtpPackets.CAPACITY, early.size());
        for (int i = 0; i < early.size(); i++) {
            byte[] expected = new byte[20 + i % 5];
            Arrays.fill(expected, (byte) i);
            assertArrayEquals(expected, Arrays.copyOf(early.buffer(i), early.length(i)));
            assertEquals(i % 2 == 1, early.isRtcp(i));
        }
        early.clear();
        assertFalse(early.pending());
        assertEquals(EarlySrtpPackets.CAPACITY, early.parked());
        assertEquals(2, early.overflowed());
        assertTrue(early.park(wire, 0, 12, false), "usable again after a replay");
    }
}
