package dev.chorus.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * The report's figures on what video costs a subscriber and what simulcast and view sizes did, for the
 * native fixed-load run ({@link LoadTestMain}): per-subscriber downstream video, the load generator's own
 * share of the machine, and per bot the simulcast answers, view messages and the layers received.
 */
final class VideoFigures {
    /** The layers of a --simulcast publisher, lowest first. */
    static final List<String> SIMULCAST_RIDS = dev.chorus.testkit.peer.SimulcastOptions.DEFAULT.rids();

    private VideoFigures() {}

    /**
     * Puts {@code subscriberVideoKbps} (subscribers, mean, p50, max, min of {@code sortedKbps}: one figure per
     * bot receiving video; withoutVideo: how many got under 1 kbit/s) into {@code steady}; returns the mean
     * (NaN without subscribers).
     */
    static double perSubscriber(ObjectNode steady, double[] sortedKbps) {
        double mean = mean(sortedKbps);
        ObjectNode sv = steady.putObject("subscriberVideoKbps");
        sv.put("subscribers", sortedKbps.length);
        LoadTestMain.num(sv, "mean", mean);
        LoadTestMain.num(sv, "p50", LoadTestMain.percentile(sortedKbps, 0.5));
        LoadTestMain.num(sv, "max", sortedKbps.length == 0 ? Double.NaN : sortedKbps[sortedKbps.length - 1]);
        LoadTestMain.num(sv, "min", sortedKbps.length == 0 ? Double.NaN : sortedKbps[0]);
        sv.put("withoutVideo", withoutVideo(sortedKbps));
        return mean;
    }

    /** Puts the generator's figures and whether the run stayed within its limits into {@code steady}. */
    static void limit(ObjectNode steady, RunLimit limit) {
        LoadTestMain.num(steady, "generatorCpuCores", limit.generatorCores());
        steady.put("generatorCpus", limit.generatorCpus());
        steady.put("pacerSkippedSends", limit.pacerSkipped());
        steady.put("generatorLimited", limit.generatorLimited());
        steady.put("withinLimits", limit.withinLimits());
        String note = limit.note();
        if (note == null) {
            steady.putNull("limit");
        } else {
            steady.put("limit", note);
        }
    }

    /**
     * What simulcast and view sizes did: the server's simulcastFrom, how many publishers' layers the answers
     * took, the view messages sent, the server's error messages, and which layer each received video line
     * came from at the end of the run (by the sender's layer stamp; "plain" for a stream without layers).
     */
    static void simulcast(ObjectNode bj, List<Bot> bots, long[] layers, PrintStream progress) {
        long views = 0;
        long errors = 0;
        int simulcastPublishers = 0;
        int accepted = 0;
        int simulcastFrom = -1;
        for (Bot b : bots) {
            views += b.viewMessagesSent();
            errors += b.serverErrors();
            if (b.simulcast()) {
                simulcastPublishers++;
                accepted += b.simulcastAccepted() ? 1 : 0;
            }
            simulcastFrom = Math.max(simulcastFrom, b.serverSimulcastFrom());
        }
        bj.put("viewMessagesSent", views);
        bj.put("serverErrorMessages", errors);
        ObjectNode sc = bj.putObject("simulcast");
        if (simulcastFrom >= 0) {
            sc.put("serverSimulcastFrom", simulcastFrom);
        } else {
            sc.putNull("serverSimulcastFrom");
        }
        sc.put("publishers", simulcastPublishers);
        sc.put("publishersWhoseLayersWereAccepted", accepted);
        ObjectNode rl = bj.putObject("receivedVideoLinesByLayer");
        for (int i = 0; i < SIMULCAST_RIDS.size(); i++) {
            rl.put(SIMULCAST_RIDS.get(i), layers[i]);
        }
        rl.put("plain", layers[layers.length - 1]);
        if (simulcastPublishers > accepted) {
            progress.println("note: the server's answers took the simulcast layers of " + accepted + " of "
                    + simulcastPublishers + " publishers (welcome.media.simulcastFrom " + simulcastFrom + ")");
        }
    }

    /**
     * Per simulcast layer (lowest first, then "plain"), how many received video lines had their last packet
     * from it. Take it before the bots close: once the first publisher leaves, the others' next answers
     * mark its lines inactive.
     */
    static long[] receivedLayers(List<Bot> bots) {
        long[] layers = new long[SIMULCAST_RIDS.size() + 1];
        for (Bot b : bots) {
            b.countReceivedVideoLayers(layers);
        }
        return layers;
    }

    /** Subscribers that received (next to) no video: under 1 kbit/s, not even a low layer's key frames. */
    static int withoutVideo(double[] kbps) {
        int n = 0;
        for (double v : kbps) {
            if (v < 1) {
                n++;
            }
        }
        return n;
    }

    static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
