package dev.chorus.sfu.speaker;

/**
 * How much one participant is speaking now, from the audio levels its packets carry (RFC 6464:
 * 0 is 0 dBov, 127 is -127 dBov or silence). Each level is first judged against the speaker's
 * own noise floor: only sound clearly above it, and above an absolute gate, counts as speech, and
 * louder speech counts more. That judgement is then smoothed on two time scales:
 * <ul>
 *   <li>{@link #recent()}: about a third of a second, so a new speaker is noticed quickly but a
 *       cough or a click barely moves it;</li>
 *   <li>{@link #sustained()}: about two seconds, so a speaker who pauses for breath is not taken
 *       for silent.</li>
 * </ul>
 * Both are 0..1. Allocation-free; one instance per audio track, fed on its router's thread.
 */
public final class SpeechActivity {
    /** Sound quieter than -60 dBov is never speech, whatever the floor. */
    static final int GATE_LEVEL = 60;
    /** Speech must stand this many dB above the speaker's noise floor. */
    static final double ABOVE_FLOOR_DB = 10;
    /** Speech this many dB above the gate and floor counts fully. */
    static final double FULL_SCALE_DB = 30;
    /** The floor follows quieter sound at once and louder sound by this many dB a second. */
    static final double FLOOR_RISE_DB_PER_SECOND = 3;

    static final double RECENT_TAU_NANOS = 300_000_000.0;
    static final double SUSTAINED_TAU_NANOS = 2_000_000_000.0;

    private double floorDb = -1;
    private double recent;
    private double sustained;
    private long lastNanos = -1;
    private long levels;

    /** One packet's level: 0..127, as -dBov. */
    public void onLevel(int level, long nowNanos) {
        int clamped = Math.max(0, Math.min(127, level));
        double loudness = 127 - clamped; // dB above -127 dBov
        long dt = lastNanos < 0 ? 20_000_000L : Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        levels++;
        if (floorDb < 0 || loudness < floorDb) {
            floorDb = loudness;
        } else {
            floorDb = Math.min(loudness, floorDb + FLOOR_RISE_DB_PER_SECOND * dt / 1e9);
        }
        double above = Math.min(loudness - floorDb - ABOVE_FLOOR_DB, loudness - (127 - GATE_LEVEL));
        double speech = clamp(above / FULL_SCALE_DB);
        recent += (speech - recent) * (1 - Math.exp(-dt / RECENT_TAU_NANOS));
        sustained += (speech - sustained) * (1 - Math.exp(-dt / SUSTAINED_TAU_NANOS));
    }

    /**
     * Lets the scores decay over time without packets (a muted or departed speaker sends none):
     * call before reading them.
     */
    public void decayTo(long nowNanos) {
        if (lastNanos < 0 || nowNanos - lastNanos < 100_000_000L) {
            return;
        }
        long dt = nowNanos - lastNanos;
        lastNanos = nowNanos;
        recent *= Math.exp(-dt / RECENT_TAU_NANOS);
        sustained *= Math.exp(-dt / SUSTAINED_TAU_NANOS);
    }

    /** Speech over about the last third of a second, 0..1. */
    public double recent() {
        return recent;
    }

    /** Speech over about the last two seconds, 0..1. */
    public double sustained() {
        return sustained;
    }

    /** The noise floor in dB above -127 dBov, -1 before the first level. */
    public double floorDb() {
        return floorDb;
    }

    public long levels() {
        return levels;
    }

    private static double clamp(double x) {
        return x < 0 ? 0 : Math.min(1, x);
    }
}
