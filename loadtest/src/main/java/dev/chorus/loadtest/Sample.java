package dev.chorus.loadtest;

/**
 * One second of the run. Rates are per second over the interval since the previous sample; latencies are of
 * the packets received in that interval. NaN where unknown (no server pid, the server did not answer, no packets).
 * Native bots measure one-way latency (p50/p99/max) and leave the video-decoder fields NaN; Chromium bots
 * cannot see one-way latency (NaN) and fill frames decoded, freezes and the receivers' jitter-buffer delay
 * from getStats(). "Bots" are pages for Chromium bots. {@code subscriberVideoKbps} (native bots): the mean
 * over connected bots that receive video (subscribers, and publishers receiving each other) of the RTP
 * bytes they received on their video lines, in kbit/s.
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
        double serverHeapMib,
        double forwardedPps,
        double serverProcessedPps,
        double framesDecodedPs,
        double minStreamFps,
        double freezes,
        double freezeSeconds,
        double jitterBufferP50Ms,
        double jitterBufferP99Ms,
        double subscriberVideoKbps) {}
