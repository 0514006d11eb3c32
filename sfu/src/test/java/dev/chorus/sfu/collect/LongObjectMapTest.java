package dev.chorus.sfu.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongObjectMapTest {
    @Test
    void basicOperations() {
        LongObjectMap<String> m = new LongObjectMap<>();
        assertNull(m.get(0xFFFF_FFFFL));
        assertNull(m.put(0xFFFF_FFFFL, "max"));
        assertNull(m.put(0, "zero"));
        assertEquals("max", m.put(0xFFFF_FFFFL, "max2"));
        assertEquals("max2", m.get(0xFFFF_FFFFL));
        assertEquals("zero", m.get(0));
        assertEquals(2, m.size());
        assertEquals("zero", m.remove(0));
        assertNull(m.get(0));
        assertNull(m.remove(0));
        assertEquals(1, m.size());
    }

    /** Random churn against HashMap: exercises growth and backward-shift deletion. */
    @Test
    void matchesHashMapUnderChurn() {
        Random random = new Random(42);
        LongObjectMap<Long> m = new LongObjectMap<>();
        Map<Long, Long> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // A small key space forces collisions and long probe runs.
            long key = random.nextInt(300) * 0x1_0000L;
            int op = random.nextInt(3);
            if (op == 0) {
                assertEquals(reference.put(key, (long) i), m.put(key, (long) i));
            } else if (op == 1) {
                assertEquals(reference.remove(key), m.remove(key));
            } else {
                assertEquals(reference.get(key), m.get(key));
            }
            assertEquals(reference.size(), m.size());
        }
        reference.forEach((k, v) -> assertEquals(v, m.get(k)));
        int[] visited = {0};
        m.forEach((k, v) -> {
            assertEquals(reference.get(k), v);
            visited[0]++;
        });
        assertEquals(reference.size(), visited[0]);
    }
}
