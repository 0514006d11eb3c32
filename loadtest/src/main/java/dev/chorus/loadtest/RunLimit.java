package dev.chorus.loadtest;

import java.util.Locale;

/**
 * Whether a fixed-load run stayed within what its figures can be trusted for, over the steady window. On
 * loopback a packet crosses the server in a millisecond or two, so a p99 one-way latency above
 * {@link #MAX_P99_MS} or loss above {@link #MAX_LOSS} means packets queued or were dropped somewhere: in
 * the server, in the load generator (this process, which sends and receives every packet), or while either
 * waited for a CPU. The generator is named as the limit when it fell behind its own send schedule or used
 * 90 % or more of the CPUs it may run on.
 *
 * @param generatorCores the generator's CPU time per second of wall time
 * @param generatorCpus  the CPUs the generator may run on
 * @param pacerSkipped   sends the pacer skipped because it fell behind
 * @param serverCores    the server's CPU time per second (NaN: unknown)
 * @param p99Ms          the bots' p99 one-way latency (NaN: no packets)
 * @param loss           the bots' loss ratio
 */
record RunLimit(
        double generatorCores, int generatorCpus, long pacerSkipped, double serverCores, double p99Ms, double loss) {
    /** The same limits as the capacity benchmark's defaults. */
    static final double MAX_P99_MS = 50;

    static final double MAX_LOSS = 0.01;

    /** The generator fell behind its schedule or used (nearly) all of its CPUs. */
    boolean generatorLimited() {
        return pacerSkipped > 0 || generatorCores >= 0.9 * generatorCpus;
    }

    boolean withinLimits() {
        return note() == null;
    }

    /** Why the figures describe an overloaded generator or machine rather than the server; null if they do not. */
    String note() {
        if (pacerSkipped > 0) {
            return "the load generator fell behind its schedule (" + pacerSkipped + " sends skipped): it, not the"
                    + " server, is the limit";
        }
        if (generatorCores >= 0.9 * generatorCpus) {
            return String.format(
                    Locale.ROOT,
                    "the load generator used %.2f of its %d CPU%s: it, not the server, is probably the limit",
                    generatorCores,
                    generatorCpus,
                    generatorCpus == 1 ? "" : "s");
        }
        if (p99Ms > MAX_P99_MS || loss > MAX_LOSS) {
            return String.format(
                    Locale.ROOT,
                    "p99 one-way latency %.1f ms, loss %.3f%% (limits %.0f ms, %.0f%%): packets queued or were"
                            + " dropped in the server, in the load generator or while waiting for a CPU (server used"
                            + " %s cores, generator %.2f): figures of an overloaded machine",
                    p99Ms,
                    loss * 100,
                    MAX_P99_MS,
                    MAX_LOSS * 100,
                    LoadTestMain.f2(serverCores),
                    generatorCores);
        }
        return null;
    }
}
