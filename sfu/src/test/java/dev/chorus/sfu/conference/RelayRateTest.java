package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.worker.ManualClock;
import org.junit.jupiter.api.Test;

class RelayRateTest {
    @Test
    void aBurstOfTwiceTheRateThenTheRateItself() {
        ManualClock clock = new ManualClock();
        RelayRate rate = new RelayRate(10, clock);
        int burst = 0;
        while (rate.take()) {
            burst++;
        }
        assertEquals(20, burst);
        clock.advanceMillis(100);
        assertTrue(rate.take(), "one token back after a tenth of a second");
        assertFalse(rate.take());
        clock.advanceMillis(10_000);
        int after = 0;
        while (rate.take()) {
            after++;
        }
        assertEquals(20, after, "a long pause refills no more than the burst");
    }
}
