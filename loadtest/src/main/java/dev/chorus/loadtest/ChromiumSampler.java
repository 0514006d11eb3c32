package dev.chorus.loadtest;

import static dev.chorus.loadtest.LoadTestMain.percentile;
import static dev.chorus.loadtest.LoadTestMain.round;

import java.util.List;

/**
 * One second of the Chromium bots as a {@link Sample}: packets, loss, frames, freezes and jitter from every
 * page's latest getStats() reading against the one used the second before ({@link ChromiumPage#used}), plus
 * the server's own figures. Runs on the sampling thread.
 */
final class ChromiumSampler {
    private ChromiumSampler() {}

    /**
     * Rates over each page's own interval between its previous and latest reading, summed over pages; the
     * server's figures from a to b. Adds each remote video's jitter-buffer delay this second to jitterBufferOut.
     */
    static Sample sample(
            List<ChromiumPage> pages,
            ServerProbe probe,
            double t,
            String phase,
            ServerProbe.Mark a,
            ServerProbe.Mark b,
            List<Double> jitterBufferOut) {
        int started = 0;
        int connected = 0;
        int failed = 0;
        double sent = 0;
        double received = 0;
        long expected = 0;
        long lost = 0;
        double frames = 0;
        double minFps = Double.NaN;
        long freezes = 0;
        double freezeSeconds = 0;
        double jitterSum = 0;
        int jitterCount = 0;
        boolean anyRate = false;
        for (ChromiumPage p : pages) {
            if (p.handle != null || p.failure != null) {
                started++;
            }
            PageSnapshot cur = p.latest;
            if (cur.connected()) {
                connected++;
            }
            if (p.failed()) {
                failed++;
            }
            PageSnapshot prev = p.used;
            if (!Double.isFinite(cur.at())) {
                continue; // not read yet, or its stats not polled yet
            }
            if (Double.isNaN(prev.at())) {
                p.used = cur; // its first reading: nothing to take a difference from
                continue;
            }
            if (!(cur.at() > prev.at())) {
                continue; // no new reading of this page this second
            }
            p.used = cur;
            double dt = (cur.at() - prev.at()) / 1000;
            anyRate = true;
            sent += Math.max(0, cur.packetsSent() - prev.packetsSent()) / dt;
            for (PageSnapshot.Stream s : cur.inbound()) {
                if (Double.isFinite(s.jitterSeconds())) {
                    jitterSum += s.jitterSeconds() * 1000;
                    jitterCount++;
                }
                PageSnapshot.Stream o = prev.stream(s.key());
                if (o == null) {
                    continue;
                }
                long dPackets = Math.max(0, s.packetsReceived() - o.packetsReceived());
                long dLost = Math.max(0, s.packetsLost() - o.packetsLost());
                received += dPackets / dt;
                expected += dPackets + dLost;
                lost += dLost;
                if (s.video()) {
                    double fps = Math.max(0, s.framesDecoded() - o.framesDecoded()) / dt;
                    frames += fps;
                    minFps = Double.isNaN(minFps) ? fps : Math.min(minFps, fps);
                    freezes += Math.max(0, s.freezeCount() - o.freezeCount());
                    freezeSeconds += Math.max(0, s.totalFreezesSeconds() - o.totalFreezesSeconds());
                    long emitted = s.jitterBufferEmitted() - o.jitterBufferEmitted();
                    if (emitted > 0) {
                        jitterBufferOut.add(Math.max(0, s.jitterBufferDelaySeconds() - o.jitterBufferDelaySeconds())
                                / emitted
                                * 1000);
                    }
                }
            }
        }
        double cpu = b.cpuCoresSince(a);
        double forwarded = b.forwardedPpsSince(a);
        double processed = b.processedPpsSince(a);
        double[] jb = jitterBufferOut.stream()
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        double nan = Double.NaN;
        return new Sample(
                round(t, 3),
                phase,
                started,
                connected,
                failed,
                anyRate ? sent : nan,
                anyRate ? received : nan,
                expected,
                lost,
                expected > 0 ? (double) lost / expected : 0.0,
                nan,
                nan,
                nan,
                jitterCount > 0 ? jitterSum / jitterCount : nan,
                cpu,
                probe.rssMib(),
                b.heapMib(),
                forwarded,
                processed,
                anyRate ? frames : nan,
                minFps,
                anyRate ? freezes : nan,
                anyRate ? freezeSeconds : nan,
                percentile(jb, 0.5),
                percentile(jb, 0.99),
                nan);
    }
}
