package dev.chorus.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PendingJoinsTest {
    @Test
    void joinsOnTheirWayCountUntilTheyJoinOrExpire() {
        PendingJoins p = new PendingJoins();
        p.add("r", 0);
        p.add("r", 1_000_000_000L);
        p.add("other", 0);
        assertEquals(2, p.count("r", 2_000_000_000L));
        p.joined("r");
        assertEquals(1, p.count("r", 2_000_000_000L));
        assertEquals(1, p.count("other", 2_000_000_000L));
        // The one left never joined: it stops counting once it is older than the expiry.
        assertEquals(0, p.count("r", 1_000_000_000L + PendingJoins.EXPIRY_NANOS + 1));
        p.joined("r"); // a join nobody waited for (routed before a restart): nothing to take
        assertEquals(0, p.count("r", 0));
        assertEquals(0, p.count("never", 0));
    }
}
