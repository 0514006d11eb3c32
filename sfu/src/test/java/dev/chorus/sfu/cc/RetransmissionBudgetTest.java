package dev.chorus.sfu.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The retransmission token bucket on a fake clock. */
class RetransmissionBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFullBucketHoldsHalfASecondOfTheShare() {
        RetransmissionBudget budget = new RetransmissionBudget(25);
        // 25 % of 320 kbps is 80 kbps = 10 000 bytes/s; half a second of it is 5 000 bytes.
        int allowed = 0;
        while (budget.tryTake(1000, 320_000, 0)) {
            allowed++;
        }
        assertEquals(5, allowed);
        assertEquals(1, budget.refused());
    }

    @Test
    void theBucketRefillsAtTheShareOfTheEstimate() {
        RetransmissionBudget budget = new RetransmissionBudget(25);
        long now = 0;
        while (budget.tryTake(1000, 320_000, now)) {
            // drain the initial burst
        }
        long sentBytes = 0;
        // Ask for a 1000-byte resend every millisecond (8 Mbps) for 10 s.
        for (int i = 0; i < 10_000; i++) {
            now += MS;
            if (budget.tryTake(1000, 320_000, now)) {
                sentBytes += 1000;
            }
        }
        assertTrue(sentBytes <= 100_000 && sentBytes >= 99_000, "10 s at 10 000 bytes/s: " + sentBytes);
        assertTrue(budget.refused() > 9_000);
    }

    @Test
    void aProbeThatEndedMayBeRepairedBeyondTheBudgetForOneSecond() {
        RetransmissionBudget budget = new RetransmissionBudget(25);
        while (budget.tryTake(1000, 320_000, 0)) {
            // drain the bucket: 5 000 bytes
        }
        budget.creditProbe(3_500, 0);
        assertTrue(budget.tryTake(1000, 320_000, 0));
        assertTrue(budget.tryTake(1000, 320_000, 0));
        assertTrue(budget.tryTake(1000, 320_000, 0));
        assertFalse(budget.tryTake(1000, 320_000, 0), "the credit is what the probe sent, 3 500 bytes");
        budget.creditProbe(3_000, 0);
        // 1.1 s later the bucket holds its 5 000 bytes again, and the credit has run out.
        long later = 1_100 * MS;
        for (int i = 0; i < 5; i++) {
            assertTrue(budget.tryTake(1000, 320_000, later));
        }
        assertFalse(budget.tryTake(1000, 320_000, later), "the credit lasts one second");
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        budget.addJson(n);
        assertEquals(
                3000, n.get("retransmissionBudget").get("probeCreditUsedBytes").asLong());
    }

    @Test
    void aLowerEstimateShrinksTheBudgetAtOnce() {
        RetransmissionBudget budget = new RetransmissionBudget(50);
        assertTrue(budget.tryTake(1000, 1_000_000, 0)); // bucket: 31 250 bytes, 30 250 left
        // The estimate falls to 80 kbps: the bucket may hold only 2 500 bytes now.
        assertTrue(budget.tryTake(1000, 80_000, 0));
        assertTrue(budget.tryTake(1000, 80_000, 0));
        assertFalse(budget.tryTake(1000, 80_000, 0));
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        budget.addJson(n);
        assertEquals(3000, n.get("retransmissionBudget").get("allowedBytes").asLong());
        assertEquals(1, n.get("retransmissionBudget").get("refused").asLong());
        assertEquals(1000, n.get("retransmissionBudget").get("refusedBytes").asLong());
    }

    @Test
    void aShareOutsideOneToAHundredPercentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionBudget(0));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionBudget(101));
    }
}
