package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What a capacity step's joins did to the rooms already running, from the step's first bot start until the end of
 * its settle time: loss and p99 latency at those rooms' bots over the whole phase and in its worst second, and how
 * long the new bots took to connect. NaN where there was nothing to measure (step 1).
 */
record JoinPhase(
        double seconds,
        int runningBots,
        double runningLoss,
        double runningP99Ms,
        double worstSecondLoss,
        double worstSecondP99Ms,
        double joinP50Seconds,
        double joinMaxSeconds) {

    /** From the fleet's totals at the phase's start and end, the bots it added and its worst second. */
    static JoinPhase of(
            Fleet.Totals start, Fleet.Totals end, List<Bot> added, double worstSecondLoss, double worstSecondP99Ms) {
        Fleet.Running a = start.running();
        Fleet.Running b = end.running();
        boolean any = b.bots() > 0 && b.expected() > a.expected();
        double[] joinSeconds = added.stream()
                .mapToLong(Bot::connectedAfterNanos)
                .filter(n -> n > 0)
                .mapToDouble(n -> n / 1e9)
                .sorted()
                .toArray();
        return new JoinPhase(
                (end.nanos() - start.nanos()) / 1e9,
                b.bots(),
                any ? b.lossSince(a) : Double.NaN,
                any ? b.latencyMsSince(a, 0.99) : Double.NaN,
                worstSecondLoss,
                worstSecondP99Ms,
                joinSeconds.length > 0 ? joinSeconds[joinSeconds.length / 2] : Double.NaN,
                joinSeconds.length > 0 ? joinSeconds[joinSeconds.length - 1] : Double.NaN);
    }

    /** Its figures as the {@code joinPhase} object of a step in result.json. */
    void writeTo(ObjectNode o) {
        LoadTestMain.num(o, "seconds", seconds);
        o.put("runningBots", runningBots);
        LoadTestMain.num(o, "runningLoss", runningLoss);
        LoadTestMain.num(o, "runningP99LatencyMs", runningP99Ms);
        LoadTestMain.num(o, "worstSecondLoss", worstSecondLoss);
        LoadTestMain.num(o, "worstSecondP99LatencyMs", worstSecondP99Ms);
        LoadTestMain.num(o, "joinP50Seconds", joinP50Seconds);
        LoadTestMain.num(o, "joinMaxSeconds", joinMaxSeconds);
    }
}
