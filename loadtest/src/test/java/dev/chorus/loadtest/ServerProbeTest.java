package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServerProbeTest {

    @Test
    void readsTheForwardingCountersFromPrometheusText() {
        String page = """
                # HELP chorus_rtp_forwarded_packets_total RTP packets forwarded to subscribers
                # TYPE chorus_rtp_forwarded_packets_total counter
                chorus_rtp_forwarded_packets_total 1.234567E7
                chorus_rtp_forwarded_bytes_total 9.9E9
                chorus_rtp_received_packets_total 250000.0
                chorus_rtcp_received_packets_total 1200.0
                chorus_rtcp_feedback_received_total{type="nack"} 17.0
                chorus_media_rooms 3.0
                chorus_media_consumers 276.0
                chorus_media_drops_total{reason="QUEUE_FULL",stage="forwarding"} 5.0
                jvm_threads_live_threads 40.0
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.2582912E7
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 6.182912E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 6.4469072E7
                not a metric line
                """;
        assertEquals(
                new ServerProbe.Counters(12_345_670, 251_200, 3, 276, 74_412_032L, "/metrics"),
                ServerProbe.parseMetrics(page));
    }

    @Test
    void aPageWithoutTheForwardedCounterIsNotOurs() {
        assertNull(ServerProbe.parseMetrics("jvm_threads_live_threads 40.0\n"));
        assertNull(ServerProbe.parseMetrics(""));
    }

    @Test
    void readsTheSameCountersFromDebugJson() throws Exception {
        String debug = """
                {"media": {"forwarding": {
                  "workers": [{"packetsProcessed": 100}, {"packetsProcessed": 50}],
                  "routers": [
                    {"consumers": [{"packetsSent": 10}, {"packetsSent": 20}]},
                    {"consumers": [{"packetsSent": 5}]}
                  ]}}}
                """;
        assertEquals(
                new ServerProbe.Counters(35, 150, 2, 3, -1, "/debug"),
                ServerProbe.parse(new ObjectMapper().readTree(debug)));
    }

    @Test
    void aSampleWhoseReadFailedKeepsTheLastCountersSoWindowRatesSurvive() {
        ServerProbe probe = new ServerProbe(null, java.util.OptionalLong.empty());
        long s = 1_000_000_000L;
        ServerProbe.Mark start = probe.mark(0, new ServerProbe.Counters(1000, 2000, 1, 2, -1, "/metrics"), 0);
        ServerProbe.Mark middle = probe.mark(s, new ServerProbe.Counters(3000, 4000, 1, 2, -1, "/metrics"), s);
        ServerProbe.Mark failed = probe.mark(2 * s, null, 2 * s);
        assertEquals(2000, middle.forwardedPpsSince(start), 1e-9);
        // the window [start, failed] is measured up to the last read that worked: 2000 packets in 1 s
        assertEquals(2000, failed.forwardedPpsSince(start), 1e-9);
        assertEquals(2000, failed.processedPpsSince(start), 1e-9);
        // and the failed second on its own has no rate, rather than a made-up one
        assertEquals(Double.NaN, failed.forwardedPpsSince(middle));
    }

    @Test
    void readsAProcessUserAndSystemCpuApart() {
        ServerProbe self =
                new ServerProbe(null, OptionalLong.of(ProcessHandle.current().pid()));
        CpuTimes before = self.cpuTimes();
        long sink = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadUserTime() + 300_000_000L; // CPU time, whatever else the machine runs
        while (threads.getCurrentThreadUserTime() < end) {
            for (int i = 0; i < 100_000; i++) {
                sink += Long.numberOfTrailingZeros(sink + i + 1); // user time, no system calls
            }
        }
        CpuTimes after = self.cpuTimes();
        assertTrue(sink > 0);
        assertTrue(after.user() - before.user() >= 0.1, before + " -> " + after);
        assertTrue(after.system() >= before.system(), before + " -> " + after);
        assertEquals(after.total(), self.cpuSeconds(), 0.5);
        assertTrue(Double.isNaN(
                new ServerProbe(null, OptionalLong.empty()).cpuTimes().user()));
    }

    @Test
    void cpuTimesBecomeCoresOverAWindow() {
        CpuTimes cores = new CpuTimes(12.0, 3.0).coresSince(new CpuTimes(10.0, 2.5), 4.0);
        assertEquals(0.5, cores.user(), 1e-9);
        assertEquals(0.125, cores.system(), 1e-9);
        assertEquals(0.625, cores.total(), 1e-9);
    }
}
