package dev.chorus.loadtest;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The soak's native bots: {@code bots} slots in rooms of {@code roomSize}, each going round join, then
 * {@code drops} times (drop the signaling socket, resume on a new one), then leave, one step per
 * {@link #step} call. A visit is a fresh {@link Bot} (a new participant); every bot publishes the profile's
 * audio and video and receives its room's others. Only {@link #step} and {@link #leaveAll} drive the bots,
 * from the soak's thread; the bots' own signaling runs on the {@link BotRuntime}'s event loop.
 */
final class SoakBots {
    /** A resume not answered within this long is a failure (the server's grace period is 20 s by default). */
    static final long RESUME_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private enum Phase {
        ABSENT,
        JOINING,
        PRESENT,
        DROPPED,
        RESUMING
    }

    private final BotRuntime runtime;
    private final SoakOptions options;
    private final String runId;
    private final Bot[] bots;
    private final Phase[] phase;
    private final int[] dropsThisVisit;
    private final long[] since;
    private final int[] visits;
    final SoakTally tally = new SoakTally();

    SoakBots(SoakOptions options, String runId, PrintStream progress) {
        this.options = options;
        this.runId = runId;
        this.runtime = new BotRuntime(
                LoadTestConfig.parse(
                        "--server",
                        options.server().toString(),
                        "--profile",
                        options.profile().token()),
                "chorus-soak-starter",
                progress);
        int n = options.bots();
        bots = new Bot[n];
        phase = new Phase[n];
        dropsThisVisit = new int[n];
        since = new long[n];
        visits = new int[n];
        Arrays.fill(phase, Phase.ABSENT);
    }

    int size() {
        return bots.length;
    }

    /** Takes slot {@code i}'s next step. {@code leaving}: only leave (the churn is over). */
    void step(int i, boolean leaving) {
        long now = System.nanoTime();
        Bot b = bots[i];
        if (b != null && (b.state() == Bot.State.FAILED)) {
            tally.fail(b.name, b.failure());
            end(i, false);
            return;
        }
        switch (phase[i]) {
            case ABSENT -> {
                if (!leaving) {
                    join(i, now);
                }
            }
            case JOINING -> {
                b.failIfNotConnectedWithin(now, Fleet.JOIN_TIMEOUT_NANOS);
                if (b.state() == Bot.State.CONNECTED) {
                    phase[i] = Phase.PRESENT;
                }
            }
            case PRESENT -> {
                if (!leaving && dropsThisVisit[i] < options.dropsPerVisit()) {
                    b.dropSignaling();
                    dropsThisVisit[i]++;
                    tally.drops++;
                    phase[i] = Phase.DROPPED;
                } else {
                    end(i, true);
                }
            }
            case DROPPED -> {
                runtime.resume(b);
                since[i] = now;
                phase[i] = Phase.RESUMING;
            }
            case RESUMING -> {
                if (b.resume.resumes() >= dropsThisVisit[i]) {
                    tally.resumes++;
                    phase[i] = Phase.PRESENT;
                } else if (now - since[i] > RESUME_TIMEOUT_NANOS) {
                    tally.fail(b.name, "no resumed within 15 s of the resume");
                    end(i, false);
                }
            }
        }
    }

    private void join(int i, long now) {
        int room = i / options.roomSize();
        int inRoom = Math.min(options.roomSize(), bots.length - room * options.roomSize());
        Bot b = new Bot(
                i, "soak-" + runId + "-n" + room, "n" + i + "-v" + visits[i]++, true, options.profile(), inRoom);
        bots[i] = b;
        dropsThisVisit[i] = 0;
        since[i] = now;
        phase[i] = Phase.JOINING;
        tally.joins++;
        runtime.startLater(b, 0, () -> true);
    }

    private void end(int i, boolean leave) {
        bots[i].close();
        if (leave) {
            tally.leaves++;
        }
        bots[i] = null;
        phase[i] = Phase.ABSENT;
    }

    /**
     * Ends the churn: steps every slot until each has left (a dropped bot resumes first, a joining one
     * connects or fails), for at most {@code timeoutNanos}; then closes whatever is left.
     */
    void leaveAll(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            boolean any = false;
            for (int i = 0; i < bots.length; i++) {
                if (bots[i] != null) {
                    step(i, true);
                    any |= bots[i] != null;
                }
            }
            if (!any) {
                return;
            }
            Thread.sleep(200);
        }
        for (int i = 0; i < bots.length; i++) {
            if (bots[i] != null) {
                tally.fail(bots[i].name, "still " + phase[i] + " when the churn ended");
                end(i, false);
            }
        }
    }

    /** Closes the bots' shared runtime (Vert.x, the pacer): after {@link #leaveAll}. */
    void close() throws InterruptedException {
        runtime.close();
    }
}
