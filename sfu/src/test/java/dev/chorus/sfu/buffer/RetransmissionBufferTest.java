package dev.chorus.sfu.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RetransmissionBufferTest {
    private static final long MS = 1_000_000L;

    private static byte[] packet(long seq) {
        byte[] b = new byte[20 + (int) (seq % 7)];
        Arrays.fill(b, (byte) seq);
        return b;
    }

    private static byte[] read(RetransmissionBuffer rb, int slot) {
        return Arrays.copyOf(rb.array(slot), rb.length(slot));
    }

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() {
        assertEquals(512, new RetransmissionBuffer(500, MS).capacity());
        assertEquals(512, new RetransmissionBuffer(512, MS).capacity());
        assertEquals(1, new RetransmissionBuffer(1, MS).capacity());
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionBuffer(0, MS));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionBuffer(40_000, MS));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionBuffer(8, 0));
    }

    @Test
    void storesAcrossThe16BitWrap() {
        // Extended numbers: 65534, 65535 are the last before the wrap, 65536 is RTP seq 0.
        RetransmissionBuffer rb = new RetransmissionBuffer(8, 1000 * MS);
        for (long s = 65534; s <= 65538; s++) {
            assertTrue(rb.store(s, packet(s), 0, packet(s).length, 0));
        }
        for (long s = 65534; s <= 65538; s++) {
            int slot = rb.find(s, 0);
            assertTrue(slot >= 0, "found " + s);
            assertArrayEquals(packet(s), read(rb, slot));
        }
        assertEquals(65538, rb.highest());
        assertEquals(RetransmissionBuffer.MISS_UNKNOWN, rb.find(65539, 0));
    }

    @Test
    void newerPacketsEvictByCount() {
        RetransmissionBuffer rb = new RetransmissionBuffer(4, 1000 * MS);
        for (long s = 100; s < 110; s++) {
            rb.store(s, packet(s), 0, packet(s).length, 0);
        }
        assertEquals(4, rb.size());
        assertEquals(6, rb.evictedByCount());
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(105, 0));
        assertArrayEquals(packet(106), read(rb, rb.find(106, 0)));
        assertFalse(rb.store(104, packet(104), 0, packet(104).length, 0), "older than the window");
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(104, 0));
    }

    @Test
    void aJumpClearsTheSlotsItSkipsSoStalePacketsAreNotReturned() {
        RetransmissionBuffer rb = new RetransmissionBuffer(8, 1000 * MS);
        for (long s = 0; s < 8; s++) {
            rb.store(s, packet(s), 0, packet(s).length, 0);
        }
        rb.store(12, packet(12), 0, packet(12).length, 0); // 8..11 lost upstream
        assertEquals(RetransmissionBuffer.MISS_NOT_STORED, rb.find(9, 0), "lost upstream, not slot reuse");
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(4, 0), "shares a slot with 12: gone");
        assertArrayEquals(packet(5), read(rb, rb.find(5, 0)));
        assertEquals(4, rb.size(), "5, 6, 7 and 12");
        rb.store(10, packet(10), 0, packet(10).length, 0); // recovered late
        assertArrayEquals(packet(10), read(rb, rb.find(10, 0)));
        rb.store(10_000, packet(10_000), 0, packet(10_000).length, 0);
        assertEquals(1, rb.size(), "a jump past the whole window empties it");
    }

    @Test
    void packetsExpireByAge() {
        RetransmissionBuffer rb = new RetransmissionBuffer(64, 100 * MS);
        rb.store(1, packet(1), 0, packet(1).length, 0);
        rb.store(2, packet(2), 0, packet(2).length, 50 * MS);
        assertTrue(rb.find(1, 100 * MS) >= 0, "exactly at the age limit: still there");
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(1, 101 * MS));
        assertTrue(rb.find(2, 101 * MS) >= 0);
        rb.store(3, packet(3), 0, packet(3).length, 120 * MS);
        assertEquals(1, rb.evictedByAge(), "the sweep on store drops the expired head");
        assertEquals(2, rb.size());
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(1, 120 * MS));
        assertEquals(RetransmissionBuffer.MISS_TOO_OLD, rb.find(2, 151 * MS));
    }

    @Test
    void duplicatesAndOversizedPacketsAreRefused() {
        RetransmissionBuffer rb = new RetransmissionBuffer(16, 1000 * MS);
        assertTrue(rb.store(7, packet(7), 0, packet(7).length, 0));
        assertTrue(rb.contains(7));
        assertFalse(rb.store(7, packet(7), 0, packet(7).length, 0));
        assertEquals(1, rb.duplicates());
        byte[] big = new byte[PacketBuffer.MAX_PACKET_LENGTH + 1];
        assertFalse(rb.store(8, big, 0, big.length, 0));
        assertFalse(rb.contains(8));
        assertFalse(rb.contains(6));
        assertEquals(1, rb.toJson().get("tooLarge").asLong());
    }

    @Test
    void slotsAreAllocatedOnceAndReused() {
        RetransmissionBuffer rb = new RetransmissionBuffer(16, 1000 * MS);
        for (long s = 0; s < 1000; s++) {
            rb.store(s, packet(s), 0, packet(s).length, s * MS);
        }
        assertEquals(16, rb.toJson().get("slotsAllocated").asInt(), "bounded memory: one array per slot");
        assertEquals(1000, rb.stored());
    }
}
