package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CapacityVerdictTest {
    static final LoadTestConfig.Capacity LIMITS = new LoadTestConfig.Capacity(1, Duration.ofSeconds(10), 10, 0.01, 50);

    static String verdict(
            long expected, double loss, double p99, int notConnected, long skipped, double fwd, double cpu) {
        return CapacityRun.verdict(LIMITS, expected, loss, p99, notConnected, skipped, fwd, cpu);
    }

    @Test
    void aStepWithinEveryLimitIsOk() {
        assertEquals("ok", verdict(10_000, 0.01, 50.0, 0, 0, 20_000, 0.5), "limits are inclusive");
        assertEquals("ok", verdict(10_000, 0, 1.2, 0, 0, 20_000, 0.5));
    }

    @Test
    void eachLimitStopsTheBenchmarkWithItsReason() {
        assertTrue(verdict(10_000, 0.0101, 3, 0, 0, 20_000, 0.5).startsWith("loss 1.010% over"));
        assertTrue(verdict(10_000, 0, 50.01, 0, 0, 20_000, 0.5).startsWith("p99 latency 50.01 ms over"));
        assertTrue(
                verdict(10_000, 0, Double.NaN, 0, 0, 20_000, 0.5).startsWith("p99 latency"),
                "no latency samples is not within the limit");
        assertTrue(verdict(10_000, 0, 3, 2, 0, 20_000, 0.5).startsWith("2 bots not connected"));
        assertTrue(verdict(10_000, 0, 3, 0, 7, 20_000, 0.5).contains("generator fell behind (7 sends skipped)"));
        assertEquals("no media arrived at the bots", verdict(0, 0, Double.NaN, 0, 0, 0, 0.1));
        assertEquals("no forwarding measured at the server", verdict(10_000, 0, 3, 0, 0, Double.NaN, 0.5));
        assertEquals("no forwarding measured at the server", verdict(10_000, 0, 3, 0, 0, 20_000, 0));
    }

    @Test
    void lossIsReportedBeforeLatencyWhenBothAreOver() {
        assertTrue(verdict(10_000, 0.5, 900, 3, 9, 20_000, 0.5).startsWith("loss 50.000%"));
    }

    @Test
    void aFailedStepWithASaturatedGeneratorSaysTheGeneratorIsProbablyTheLimit() {
        assertEquals("ok", CapacityRun.withGeneratorNote("ok", 0.99, 1));
        assertEquals(
                "p99 latency 103.42 ms over the 50.0 ms limit (the load generator used 0.99 of its 1 CPU: it,"
                        + " not the server, is probably the limit)",
                CapacityRun.withGeneratorNote("p99 latency 103.42 ms over the 50.0 ms limit", 0.99, 1));
        assertEquals(
                "loss 2.000% over the 1.00% limit",
                CapacityRun.withGeneratorNote("loss 2.000% over the 1.00% limit", 1.2, 2),
                "1.2 of 2 CPUs is not saturated");
    }
}
