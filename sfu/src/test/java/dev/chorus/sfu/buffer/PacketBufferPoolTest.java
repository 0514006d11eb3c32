package dev.chorus.sfu.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketBufferPoolTest {
    @Test
    void layoutLeavesHeadroomAndSrtpTailRoom() {
        PacketBufferPool pool = new PacketBufferPool(2, 2, true);
        PacketBuffer b = pool.acquire();
        assertEquals(PacketBuffer.HEADROOM, b.offset());
        assertTrue(b.copyFrom(new byte[PacketBuffer.MAX_PACKET_LENGTH], 0, PacketBuffer.MAX_PACKET_LENGTH));
        assertTrue(b.array().length - (b.offset() + b.length()) >= 16, "SRTP tag fits after the packet");
        assertFalse(b.copyFrom(new byte[2000], 0, PacketBuffer.MAX_PACKET_LENGTH + 1));
        pool.release(b);
    }

    @Test
    void countsAcquiresReleasesAndMisses() {
        PacketBufferPool pool = new PacketBufferPool(4, 6, true);
        List<PacketBuffer> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(pool.acquire());
        }
        assertEquals(6, pool.outstanding());
        assertEquals(2, pool.misses(), "two allocated beyond the preallocated four");
        assertNull(pool.acquire(), "outstanding limit reached");
        assertEquals(1, pool.exhaustedCount());
        out.forEach(pool::release);
        assertEquals(0, pool.outstanding());
        assertTrue(pool.available() >= 4);
        PacketBuffer again = pool.acquire();
        assertNotNull(again);
        assertEquals(0, again.length());
        pool.release(again);
    }

    @Test
    void doubleReleaseThrowsInStrictModeAndIsCountedOtherwise() {
        PacketBufferPool strict = new PacketBufferPool(2, 2, true);
        PacketBuffer b = strict.acquire();
        strict.release(b);
        assertThrows(IllegalStateException.class, () -> strict.release(b));
        assertEquals(0, strict.outstanding());

        PacketBufferPool lenient = new PacketBufferPool(2, 2, false);
        PacketBuffer c = lenient.acquire();
        lenient.release(c);
        lenient.release(c);
        assertEquals(1, lenient.doubleReleases());
        assertEquals(0, lenient.outstanding(), "the second release is ignored, not counted twice");
    }
}
