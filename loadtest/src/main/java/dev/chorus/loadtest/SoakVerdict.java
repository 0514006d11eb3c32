package dev.chorus.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Whether the server came back to its baseline after a soak: counts that say what is held for participants
 * (pooled buffers in use, transports, media sessions and rooms, rooms, participants, connections, producers,
 * consumers, live resume tokens, participants awaiting a resume) must end exactly where they began; heap after
 * GC, live Java threads and open file descriptors may end up to a stated tolerance above (a JIT compiler thread,
 * a lazily opened jar, a cache filled once); and the churn itself must have gone through without a failure.
 */
record SoakVerdict(List<Check> checks) {

    /** One figure: baseline, end, what the end may be, and whether it is. */
    record Check(String figure, String baseline, String end, String allowed, boolean ok) {}

    boolean passed() {
        return checks.stream().allMatch(Check::ok);
    }

    static SoakVerdict judge(SoakReading base, SoakReading end, SoakOptions o, int churnFailures) {
        List<Check> c = new ArrayList<>();
        double heapLimit = base.heapMib() + o.heapToleranceMib();
        c.add(new Check(
                "heap after GC (MiB)",
                f1(base.heapMib()),
                f1(end.heapMib()),
                "<= " + f1(heapLimit),
                Double.isFinite(end.heapMib()) && end.heapMib() <= heapLimit));
        within(c, "live Java threads", base.javaThreads(), end.javaThreads(), o.threadTolerance());
        within(c, "open file descriptors", base.fds(), end.fds(), o.fdTolerance());
        exact(c, "pooled buffers in use", base, end, SoakReading::buffersInUse);
        exact(c, "media transports", base, end, SoakReading::transports);
        exact(c, "media sessions", base, end, SoakReading::mediaSessions);
        exact(c, "media rooms", base, end, SoakReading::mediaRooms);
        exact(c, "rooms", base, end, SoakReading::rooms);
        exact(c, "participants", base, end, SoakReading::participants);
        exact(c, "signaling connections", base, end, SoakReading::connections);
        exact(c, "producers", base, end, SoakReading::producers);
        exact(c, "consumers", base, end, SoakReading::consumers);
        exact(c, "live resume tokens", base, end, SoakReading::liveResumeTokens);
        exact(c, "participants awaiting resume", base, end, SoakReading::detached);
        c.add(new Check("churn failures", "0", Integer.toString(churnFailures), "0", churnFailures == 0));
        return new SoakVerdict(List.copyOf(c));
    }

    private static void within(List<Check> c, String figure, long base, long end, int tolerance) {
        c.add(new Check(
                figure,
                Long.toString(base),
                Long.toString(end),
                "<= " + (base + tolerance),
                base >= 0 && end >= 0 && end <= base + tolerance));
    }

    private static void exact(
            List<Check> c, String figure, SoakReading base, SoakReading end, ToLongFunction<SoakReading> f) {
        long b = f.applyAsLong(base);
        long e = f.applyAsLong(end);
        c.add(new Check(figure, Long.toString(b), Long.toString(e), "= " + b, b >= 0 && e == b));
    }

    /** The table, one line per figure, ending with PASSED or FAILED. */
    String table() {
        StringBuilder b = new StringBuilder(
                String.format(Locale.ROOT, "%-30s %12s %12s %14s%n", "figure", "baseline", "end", "allowed"));
        for (Check k : checks) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-30s %12s %12s %14s %s%n",
                    k.figure(),
                    k.baseline(),
                    k.end(),
                    k.allowed(),
                    k.ok() ? "ok" : "FAILED"));
        }
        b.append(passed() ? "soak verdict: PASSED (back to baseline)" : "soak verdict: FAILED");
        return b.toString();
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
