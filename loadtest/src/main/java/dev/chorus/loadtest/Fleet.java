package dev.chorus.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The native bots of a run and their cumulative figures. {@link #totals} snapshots every counter at one
 * moment; {@link #sample} turns two snapshots into the rates and percentiles of the interval between them,
 * and fails bots stuck joining for longer than {@link #JOIN_TIMEOUT_NANOS}. Used by the sampler thread only (bots are added before they start).
 */
final class Fleet {
    /** A bot whose media is not connected this long after it started is failed (and its reason counted). */
    static final long JOIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * Snapshot of the bots' cumulative counters and the server's, for differences between two moments.
     * {@code videoBytes[i]}: what bot i of the fleet had received on its video lines (see
     * {@link Bot#videoBytesReceived()}); bots added later are not in it.
     */
    record Totals(
            long sent,
            long received,
            long expected,
            long lost,
            long[] latency,
            long[] videoBytes,
            Running running,
            ServerProbe.Mark server) {

        long nanos() {
            return server.nanos();
        }

        double forwardedPpsSince(Totals a) {
            return server.forwardedPpsSince(a.server);
        }

        double processedPpsSince(Totals a) {
            return server.processedPpsSince(a.server);
        }

        double cpuCoresSince(Totals a) {
            return server.cpuCoresSince(a.server);
        }
    }

    /**
     * The same counters over the fleet's first {@link #runningBots} bots only: the rooms that were running
     * before a step added its own, to tell what a join storm does to them.
     */
    record Running(int bots, long expected, long lost, long[] latency) {
        /** Loss over [a, this]; 0 when nothing was expected. */
        double lossSince(Running a) {
            long expect = expected - a.expected;
            return expect > 0 ? (double) Math.max(0, lost - a.lost) / expect : 0;
        }

        /** The {@code q} latency percentile over [a, this] in ms. */
        double latencyMsSince(Running a, double q) {
            return LatencyHistogram.percentile(LatencyHistogram.minus(latency, a.latency), q) / 1000;
        }
    }

    private final List<Bot> bots = new ArrayList<>();
    private final ServerProbe probe;
    /** How many of the first bots {@link Totals#running()} covers (set before a step adds its bots). */
    private int runningBots;

    Fleet(ServerProbe probe) {
        this.probe = probe;
    }

    void add(Bot b) {
        bots.add(b);
    }

    List<Bot> bots() {
        return bots;
    }

    int size() {
        return bots.size();
    }

    /** From now on, {@link Totals#running()} covers the bots there are now. */
    void markRunning() {
        runningBots = bots.size();
    }

    Totals totals(long nanos, ServerProbe.Counters debug, long debugNanos) {
        long sent = 0;
        long received = 0;
        long expected = 0;
        long lost = 0;
        long[] latency = new long[LatencyHistogram.BUCKETS];
        long[] videoBytes = new long[bots.size()];
        long runningExpected = 0;
        long runningLost = 0;
        long[] runningLatency = new long[LatencyHistogram.BUCKETS];
        for (int i = 0; i < bots.size(); i++) {
            Bot b = bots.get(i);
            videoBytes[i] = b.videoBytesReceived();
            var peer = b.peer();
            if (b.publisher && peer != null) {
                for (var s : peer.sendStreams()) {
                    sent += s.packetsSent();
                }
            }
            received += b.receiver.packets();
            expected += b.receiver.expected();
            lost += b.receiver.lost();
            b.receiver.addLatencyTo(latency);
            if (i < runningBots) {
                runningExpected += b.receiver.expected();
                runningLost += b.receiver.lost();
                b.receiver.addLatencyTo(runningLatency);
            }
        }
        Running running = new Running(runningBots, runningExpected, runningLost, runningLatency);
        return new Totals(
                sent, received, expected, lost, latency, videoBytes, running, probe.mark(nanos, debug, debugNanos));
    }

    Sample sample(double t, String phase, Totals a, Totals b) {
        double dt = Math.max(1e-3, (b.nanos() - a.nanos()) / 1e9);
        int started = 0;
        int connected = 0;
        int failed = 0;
        double[] jitter = new double[2];
        long now = System.nanoTime();
        long videoBytes = 0;
        int videoReceivers = 0;
        for (int i = 0; i < bots.size(); i++) {
            Bot bot = bots.get(i);
            bot.failIfNotConnectedWithin(now, JOIN_TIMEOUT_NANOS);
            Bot.State s = bot.state();
            if (s != Bot.State.NEW) {
                started++;
            }
            if (s == Bot.State.CONNECTED) {
                connected++;
                if (bot.receivesVideo() && i < a.videoBytes().length && i < b.videoBytes().length) {
                    videoBytes += Math.max(0, b.videoBytes()[i] - a.videoBytes()[i]);
                    videoReceivers++;
                }
            } else if (s == Bot.State.FAILED) {
                failed++;
            }
            bot.receiver.addJitterTo(jitter);
        }
        long expected = b.expected() - a.expected();
        long lost = Math.max(0, b.lost() - a.lost());
        long[] interval = LatencyHistogram.minus(b.latency(), a.latency());
        return new Sample(
                LoadTestMain.round(t, 3),
                phase,
                started,
                connected,
                failed,
                (b.sent() - a.sent()) / dt,
                (b.received() - a.received()) / dt,
                expected,
                lost,
                expected > 0 ? (double) lost / expected : 0.0,
                LatencyHistogram.percentile(interval, 0.5) / 1000,
                LatencyHistogram.percentile(interval, 0.99) / 1000,
                LatencyHistogram.max(interval) / 1000,
                jitter[1] > 0 ? jitter[0] / jitter[1] : Double.NaN,
                b.cpuCoresSince(a),
                probe.rssMib(),
                b.server().heapMib(),
                b.forwardedPpsSince(a),
                b.processedPpsSince(a),
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                videoReceivers > 0 ? videoBytes * 8 / 1000.0 / dt / videoReceivers : Double.NaN);
    }

    /**
     * Each video-receiving bot's downstream video over [a, b] in kbit/s (RTP bytes on its video
     * lines, see {@link Bot#videoBytesReceived()}), sorted ascending; bots not in both snapshots are left out.
     */
    double[] videoKbpsPerReceiver(Totals a, Totals b) {
        double seconds = Math.max(1e-3, (b.nanos() - a.nanos()) / 1e9);
        List<Double> kbps = new ArrayList<>();
        for (int i = 0; i < bots.size() && i < a.videoBytes().length && i < b.videoBytes().length; i++) {
            Bot bot = bots.get(i);
            // Bots are closed before the report is written: count those whose media connected and never failed.
            if (bot.receivesVideo() && bot.connectedAfterNanos() > 0 && bot.failure() == null) {
                kbps.add(Math.max(0, b.videoBytes()[i] - a.videoBytes()[i]) * 8 / 1000.0 / seconds);
            }
        }
        return kbps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
}
