package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {
    static final SoakOptions OPTIONS =
            SoakOptions.parse("--server-pid", "1", "--heap-tolerance-mib", "8", "--thread-tolerance", "2");

    /** An empty server: 40 MiB heap after GC, 60 threads, 100 fds, nothing held for anyone. */
    static SoakReading idle(double heap, long threads, long fds) {
        return new SoakReading(0, true, heap, 200, threads, threads + 20, fds, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
    }

    static List<String> failed(SoakVerdict v) {
        return v.checks().stream()
                .filter(c -> !c.ok())
                .map(SoakVerdict.Check::figure)
                .toList();
    }

    @Test
    void backToBaselineWithinTolerancesPasses() {
        SoakVerdict v = SoakVerdict.judge(idle(40, 60, 100), idle(48, 62, 104), OPTIONS, 0);
        assertTrue(v.passed(), v.table());
        assertTrue(v.table().endsWith("PASSED (back to baseline)"));
        assertTrue(
                SoakVerdict.judge(idle(40, 60, 100), idle(30, 50, 90), OPTIONS, 0)
                        .passed(),
                "less is fine");
    }

    @Test
    void heapThreadsAndFdsOverTheirToleranceFail() {
        assertEquals(
                List.of("heap after GC (MiB)", "live Java threads", "open file descriptors"),
                failed(SoakVerdict.judge(idle(40, 60, 100), idle(48.1, 63, 105), OPTIONS, 0)));
        SoakReading noHeap = idle(Double.NaN, 60, 100);
        assertEquals(List.of("heap after GC (MiB)"), failed(SoakVerdict.judge(idle(40, 60, 100), noHeap, OPTIONS, 0)));
    }

    @Test
    void anyCountLeftOverFailsExactly() {
        SoakReading base = idle(40, 60, 100);
        SoakReading leak = new SoakReading(9, true, 40, 200, 60, 80, 100, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9);
        SoakVerdict v = SoakVerdict.judge(base, leak, OPTIONS, 0);
        assertFalse(v.passed());
        assertEquals(
                List.of(
                        "pooled buffers in use",
                        "media transports",
                        "media sessions",
                        "media rooms",
                        "rooms",
                        "participants",
                        "signaling connections",
                        "producers",
                        "consumers",
                        "live resume tokens",
                        "participants awaiting resume"),
                failed(v));
        assertFalse(leak.empty());
        assertTrue(base.empty());
        assertTrue(v.table().endsWith("FAILED"));
    }

    @Test
    void aFailedJoinOrResumeFailsTheSoak() {
        assertEquals(
                List.of("churn failures"), failed(SoakVerdict.judge(idle(40, 60, 100), idle(40, 60, 100), OPTIONS, 1)));
    }

    @Test
    void optionsAreCheckedAndDefaultToThirtyMinutes() {
        assertEquals(Duration.ofMinutes(30), OPTIONS.duration());
        assertEquals(2, OPTIONS.pages());
        assertThrows(IllegalArgumentException.class, () -> SoakOptions.parse("--duration", "1m"), "pid required");
        assertThrows(IllegalArgumentException.class, () -> SoakOptions.parse("--server-pid", "1", "--pages", "3"));
        assertThrows(IllegalArgumentException.class, () -> SoakOptions.parse("--server-pid", "1", "--every", "100ms"));
        assertThrows(IllegalArgumentException.class, () -> SoakOptions.parse("--server-pid", "1", "--nope", "1"));
        assertThrows(
                RuntimeException.class,
                () -> SoakOptions.parse("--server-pid", "1", "--server", "http://example.com:80"),
                "loopback only");
    }

    @Test
    void metricsAreReadByNameAndHeapSummedOverItsPools() {
        Map<String, Double> m = PrometheusText.parse("# HELP x\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1048576.0\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 2097152.0\n"
                + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 9.0E7\n"
                + "chorus_media_transports 3.0\n"
                + "jvm_threads_live_threads 41.0\n");
        assertEquals(3 * 1048576.0, m.get("heap"));
        assertEquals(3.0, m.get("chorus_media_transports"));
        assertEquals(41.0, m.get("jvm_threads_live_threads"));
    }
}
