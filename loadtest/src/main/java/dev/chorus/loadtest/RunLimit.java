package dev.chorus.loadtest;

import java.util.Locale;

/**
 * Whether a fixed-load run stayed within the capacity benchmark's limits over the steady window, and if not
 * what that says. On loopback a packet crosses the server in a millisecond or two: a median one-way latency
 * above {@link #MAX_P99_MS} or loss above {@link #MAX_LOSS} means packets queued or were dropped somewhere (in
 * the server, in the load generator, which sends and receives every packet, or while either waited for a
 * CPU); a p99 above it with a low median means bursts of delay, e.g. on a machine shared with other work. The generator is named as the limit when it fell behind its own send schedule or used
 * 90 % or more of the CPUs it may run on.
 *
 * @param generatorCores the generator's CPU time per second of wall time
 * @param generatorCpus  the CPUs the generator may run on
 * @param pacerSkipped   sends the pacer skipped because it fell behind
 * @param serverCores    the server's CPU time per second (NaN: unknown)
 * @param p50Ms          the bots' median one-way latency (NaN: no packets)
 * @param p99Ms          the bots' p99 one-way latency (NaN: no packets)
 * @param loss           the bots' loss ratio
 * @param packets        the packets the bots expected in the window (0: no media measured at all)
 * @param botsNotConnected bots whose media was not connected at the end of the window (failed or late)
 * @param bots           all bots of the run
 */
record RunLimit(
        double generatorCores,
        int generatorCpus,
        long pacerSkipped,
        double serverCores,
        double p50Ms,
        double p99Ms,
        double loss,
        long packets,
        int botsNotConnected,
        int bots) {
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
        if (packets == 0) {
            return "no media arrived at the bots in the steady window (did they connect? see bots.mediaConnectMs)";
        }
        if (botsNotConnected > 0) {
            return botsNotConnected + " of " + bots + " bots were not connected in the steady window (see"
                    + " bots.failureReasons): the room was smaller than asked";
        }
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
        if (p50Ms > MAX_P99_MS || loss > MAX_LOSS) {
            return String.format(
                    Locale.ROOT,
                    "median one-way latency %.1f ms, loss %.3f%%: packets queued or were dropped in the server, in"
                            + " the load generator or while waiting for a CPU (server used %s cores, generator %.2f):"
                            + " figures of an overloaded machine",
                    p50Ms,
                    loss * 100,
                    LoadTestMain.f2(serverCores),
                    generatorCores);
        }
        if (p99Ms > MAX_P99_MS) {
            return String.format(
                    Locale.ROOT,
                    "p99 one-way latency %.1f ms over %.0f ms while the median is %.1f ms: bursts of delay (a"
                            + " process waiting for a CPU, garbage collection), no standing queue",
                    p99Ms,
                    MAX_P99_MS,
                    p50Ms);
        }
        return null;
    }
}
