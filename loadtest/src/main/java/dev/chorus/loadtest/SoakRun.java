package dev.chorus.loadtest;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The churn soak: native bots and Chromium pages join, drop their signaling socket and resume, and leave, every
 * few seconds, for {@code --duration}; the server's resources must then be back where they were. It runs the
 * churn once for {@code --warmup}, waits for the server to be empty, runs a GC in it and reads the baseline
 * (heap after GC, live threads, file descriptors, pooled buffers, transports, rooms, sessions); then churns for
 * the duration, reading the server every {@link #SAMPLE_NANOS}; then everyone leaves, it waits for the server to
 * be empty again (at most {@code --settle}), runs a GC and reads the end. {@link SoakVerdict} compares the two;
 * the exit status is 0 only when every figure is back (1 otherwise, 2 for a bad command line).
 *
 * <pre>java -cp chorus-loadtest.jar dev.chorus.loadtest.SoakRun --server-pid PID [--server URL] [--duration 30m]
 *     [--bots 6] [--pages 2] [--every 3s] [--drops 2] ... (see {@link SoakOptions})</pre>
 */
public final class SoakRun {
    static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Reads of the server before the warm-up: more than its Vert.x worker pool's 20 threads. */
    static final int WARMUP_READS = 25;

    private final SoakOptions options;
    private final PrintStream progress;
    private final SoakProbe probe;
    private final List<SoakReading> readings = new ArrayList<>();
    private final long t0 = System.nanoTime();

    private SoakRun(SoakOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
        this.probe = new SoakProbe(options.server(), options.serverPid());
    }

    public static void main(String[] args) {
        SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (RuntimeException e) {
            System.err.println("soak: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run(options, System.err).verdict().passed() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("soak: failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // Selenium and Vert.x leave non-daemon threads
    }

    /** Runs the soak, writes the report and prints the verdict; returns the result. */
    static SoakReport.Result run(SoakOptions options, PrintStream progress) throws Exception {
        return new SoakRun(options, progress).run();
    }

    private SoakReport.Result run() throws Exception {
        Map<String, Integer> threadsGained;
        String runId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 40, 36);
        SoakBots bots = new SoakBots(options, runId, progress);
        SoakReading baseline;
        SoakReading end;
        SoakTally pageTally;
        try (SoakPages pages = new SoakPages(options, runId)) {
            pageTally = pages.tally;
            progress.printf(
                    "soak: warm-up %ds, %d native bots (rooms of %d), %d Chromium pages, a step every %d ms%n",
                    options.warmup().toSeconds(),
                    options.bots(),
                    options.roomSize(),
                    options.pages(),
                    options.every().toMillis());
            // The server serves each /metrics scrape on a Vert.x worker thread, and that pool starts a new thread for
            // each task until it holds its 20: the soak's own reads would otherwise grow it after the baseline.
            for (int i = 0; i < WARMUP_READS; i++) {
                probe.read(0, false);
            }
            churn(bots, pages, options.warmup().toNanos());
            baseline = settle(bots, pages, "baseline");
            Map<String, Integer> baselineThreads = lastThreadNames;
            progress.printf("soak: churn for %ds%n", options.duration().toSeconds());
            churn(bots, pages, options.duration().toNanos());
            end = settle(bots, pages, "end");
            threadsGained = gained(baselineThreads, lastThreadNames);
        } finally {
            bots.close();
        }
        SoakVerdict verdict = SoakVerdict.judge(baseline, end, options, bots.tally.failures + pageTally.failures);
        progress.println("soak: native bots " + bots.tally + "; Chromium pages " + pageTally);
        for (String why : bots.tally.reasons) {
            progress.println("soak: failure: " + why);
        }
        for (String why : pageTally.reasons) {
            progress.println("soak: failure: " + why);
        }
        if (!threadsGained.isEmpty()) {
            progress.println("soak: threads the server gained (names, digits as #): " + threadsGained);
        }
        SoakReport.Result result = new SoakReport.Result(
                options, baseline, end, verdict, bots.tally, pageTally, threadsGained, List.copyOf(readings));
        SoakReport.write(options.report(), result);
        progress.println(verdict.table());
        progress.println("soak: report in " + options.report().resolve("index.html"));
        return result;
    }

    /** Steps every bot and page once per {@code --every}, staggered, and reads the server, for {@code nanos}. */
    private void churn(SoakBots bots, SoakPages pages, long nanos) throws Exception {
        int actors = bots.size() + pages.size();
        if (actors == 0 || nanos == 0) {
            return;
        }
        long every = options.every().toNanos();
        long start = System.nanoTime();
        long endAt = start + nanos;
        long[] due = new long[actors];
        for (int k = 0; k < actors; k++) {
            due[k] = start + every * k / actors;
        }
        long nextSample = start;
        long lastReport = start;
        while (System.nanoTime() < endAt) {
            long now = System.nanoTime();
            for (int k = 0; k < actors; k++) {
                if (due[k] <= now) {
                    if (k < bots.size()) {
                        bots.step(k, false);
                    } else {
                        pages.step(k - bots.size(), false);
                    }
                    due[k] += every;
                    if (due[k] < now) {
                        due[k] = now + every; // a slow step (a busy browser): skip rather than catch up in a burst
                    }
                }
            }
            if (now >= nextSample) {
                read(false);
                nextSample += SAMPLE_NANOS;
            }
            if (now - lastReport > TimeUnit.SECONDS.toNanos(60)) {
                lastReport = now;
                SoakReading r = readings.get(readings.size() - 1);
                progress.printf(
                        "soak: %4.0fs participants=%d heap=%.0fMiB threads=%d fds=%d bots{%s} pages{%s}%n",
                        r.t(), r.participants(), r.heapMib(), r.javaThreads(), r.fds(), bots.tally, pages.tally);
            }
            long next = Math.min(nextSample, endAt);
            for (long d : due) {
                next = Math.min(next, d);
            }
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(Math.min(sleep, TimeUnit.MILLISECONDS.toNanos(250)));
            }
        }
    }

    /**
     * Everyone leaves; waits (at most {@code --settle}) until the server holds nothing for any participant;
     * resets the idle HTTP connections the browser keeps; runs a GC in the server twice (the second also takes
     * what the first's finalization freed) and reads it.
     */
    /** The server's thread names at the last {@link #settle}. */
    private Map<String, Integer> lastThreadNames = Map.of();

    private SoakReading settle(SoakBots bots, SoakPages pages, String what) throws Exception {
        long timeout = options.settle().toNanos();
        bots.leaveAll(timeout);
        pages.leaveAll(timeout);
        long deadline = System.nanoTime() + timeout;
        SoakReading r = read(false);
        while (!r.empty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            pages.dropIdleConnections();
            r = read(false);
        }
        if (!r.empty()) {
            progress.println(
                    "soak: the server is not empty " + options.settle().toSeconds() + " s after everyone left: " + r);
        }
        pages.dropIdleConnections();
        Thread.sleep(1000); // the server closes the reset connections
        probe.gc();
        probe.gc();
        SoakReading at = read(true);
        lastThreadNames = probe.threadNames(); // right after the count, to name what it counted
        progress.printf(
                "soak: %s heap after GC %.1f MiB, %d live threads, %d fds, %d buffers in use, %d transports, %d"
                        + " rooms, %d participants%n",
                what,
                at.heapMib(),
                at.javaThreads(),
                at.fds(),
                at.buffersInUse(),
                at.transports(),
                at.rooms(),
                at.participants());
        return at;
    }

    /** The thread names (digits as #) of which {@code end} has more than {@code base}, and how many more. */
    static Map<String, Integer> gained(Map<String, Integer> base, Map<String, Integer> end) {
        Map<String, Integer> more = new TreeMap<>();
        end.forEach((name, n) -> {
            int extra = n - base.getOrDefault(name, 0);
            if (extra > 0) {
                more.put(name, extra);
            }
        });
        return more;
    }

    private SoakReading read(boolean afterGc) throws Exception {
        SoakReading r = probe.read((System.nanoTime() - t0) / 1e9, afterGc);
        readings.add(r);
        return r;
    }
}
