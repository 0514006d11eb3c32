package dev.chorus.loadtest;

/**
 * One second of the run. Rates are per second over the interval since the previous sample; latencies are of
 * the packets received in that interval. NaN where unknown (no server pid, /debug did not answer, no packets).
 */
record Sample(
        double t,
        String phase,
        int botsStarted,
        int botsConnected,
        int botsFailed,
        double sentPps,
        double receivedPps,
        long expected,
        long lost,
        double loss,
        double p50Ms,
        double p99Ms,
        double maxMs,
        double jitterMs,
        double serverCpuCores,
        double serverRssMib,
        double forwardedPps,
        double serverProcessedPps) {
}
