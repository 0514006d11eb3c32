package dev.chorus.sfu.speaker;

/**
 * Picks the room's dominant speaker from its participants' {@link SpeechActivity}, on a regular
 * tick. A challenger takes over only when it is clearly speaking ({@link #TAKE_OVER}), clearly
 * more than the current speaker ({@link #MARGIN}), and has been for {@link #HOLD_TICKS} ticks in
 * a row: so short bursts, coughs and cross-talk do not make the highlight jump, while a real
 * change of speaker is followed in well under a second. A current speaker who goes quiet
 * keeps the title until someone else speaks: a room always shows who spoke last.
 *
 * <p>Candidates are given by index (the caller's own list of participants), so a tick allocates
 * nothing. Single-threaded, like the router that owns it.
 */
public final class DominantSpeaker {
    /** Recent speech a challenger needs to take over. */
    static final double TAKE_OVER = 0.45;
    /** How much more recent speech than the current speaker a challenger needs. */
    static final double MARGIN = 0.2;

    static final int HOLD_TICKS = 2;

    private int current = -1;
    private int challenger = -1;
    private int challengerTicks;
    private long changes;

    /** What a tick reads: the activity of candidate {@code i}, {@code 0 <= i < count()}. */
    public interface Candidates {
        int count();

        SpeechActivity activity(int i);
    }

    /**
     * Re-decides; returns the index of the dominant speaker (-1: nobody spoke yet). The caller
     * tells its listeners when the result differs from the last one.
     */
    public int tick(Candidates candidates) {
        int n = candidates.count();
        if (current >= n) {
            current = -1;
        }
        int best = -1;
        double bestRecent = 0;
        for (int i = 0; i < n; i++) {
            double r = candidates.activity(i).recent();
            if (r > bestRecent) {
                bestRecent = r;
                best = i;
            }
        }
        double currentRecent = current < 0 ? 0 : candidates.activity(current).recent();
        boolean wins = best >= 0 && best != current && bestRecent >= TAKE_OVER && bestRecent >= currentRecent + MARGIN;
        if (!wins) {
            challenger = -1;
            challengerTicks = 0;
            return current;
        }
        if (best != challenger) {
            challenger = best;
            challengerTicks = 0;
        }
        if (++challengerTicks >= HOLD_TICKS) {
            current = best;
            challenger = -1;
            challengerTicks = 0;
            changes++;
        }
        return current;
    }

    /** Candidate {@code removed} left the list (indexes above it move down by one). */
    public void onRemoved(int removed) {
        current = shift(current, removed);
        challenger = shift(challenger, removed);
        if (challenger < 0) {
            challengerTicks = 0;
        }
    }

    private static int shift(int index, int removed) {
        if (index == removed) {
            return -1;
        }
        return index > removed ? index - 1 : index;
    }

    public int current() {
        return current;
    }

    public long changes() {
        return changes;
    }
}
