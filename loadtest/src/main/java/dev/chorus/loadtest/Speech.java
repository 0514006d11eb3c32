package dev.chorus.loadtest;

import java.time.Duration;

/**
 * Who speaks when ({@code --speech}): from {@link #begin(long) its start}, {@link #LEAD_IN} after the room
 * settled ({@link LargeRoomFigures#settleWhen}), the publishers of each room take
 * turns, one turn of {@code turn} each, in the order they joined. The turn's talker speaks loudly, the
 * previous talker goes on quietly (so the server has to pick the louder of two voices, not just the only
 * one), everyone else is silent and sends as Opus DTX does: one packet every {@link #DTX_PACKETS} packet
 * times instead of fifty a second. Speech has a short dip every {@link #SYLLABLE_PACKETS} packets, as
 * pauses between words give a real speaker's noise floor away. Read per audio packet on the pacer thread:
 * no allocation, no lock.
 */
final class Speech {
    /** -25 dBov: someone talking into a headset. */
    static final int LOUD = 25;
    /** -50 dBov: someone talking under their breath, or far from the microphone. */
    static final int QUIET = 50;
    /** -75 dBov: the room between words. */
    static final int DIP = 75;
    /** Silence as RFC 6464 writes it (-127 dBov). */
    static final int SILENT = 127;
    /** Packets in one stretch of speech and its dip: 600 ms, the last 80 ms a dip. */
    static final int SYLLABLE_PACKETS = 30;

    static final int DIP_PACKETS = 4;
    /** Opus DTX sends a comfort-noise frame every 400 ms in silence. */
    static final int DTX_PACKETS = 20;
    /** What {@link #level} returns for a packet DTX does not send. */
    static final int SKIP = -1;
    /** Speech starts this long after the room settled, so every bot hears the first turn. */
    static final Duration LEAD_IN = Duration.ofSeconds(2);

    private final long turnNanos;
    private volatile long startNanos = Long.MAX_VALUE;

    Speech(Duration turn) {
        this.turnNanos = turn.toNanos();
    }

    /** Speech starts at {@code nanos} ({@link System#nanoTime()}); before that everyone is silent. */
    void begin(long nanos) {
        startNanos = nanos;
    }

    /** Whether {@link #begin} was called (the room settled); before, no turn has a time. */
    boolean started() {
        return startNanos != Long.MAX_VALUE;
    }

    long turnNanos() {
        return turnNanos;
    }

    /** The turn under way at {@code nanos}, -1 before the start. */
    long turnAt(long nanos) {
        long start = startNanos;
        return nanos < start ? -1 : (nanos - start) / turnNanos;
    }

    /** When turn {@code turn} starts; only once {@link #started()}. */
    long turnStartNanos(long turn) {
        return startNanos + turn * turnNanos;
    }

    /** The ordinal of turn {@code turn}'s talker among a room's {@code publishers}. */
    static int talker(long turn, int publishers) {
        return (int) (turn % publishers);
    }

    /**
     * The level of packet number {@code packet} of the publisher with ordinal {@code ordinal} among its room's
     * {@code publishers}, sent at {@code nanos}: 0..127 as -dBov, or {@link #SKIP} for a packet not sent.
     */
    int level(int ordinal, int publishers, long nanos, long packet) {
        long turn = turnAt(nanos);
        boolean dip = packet % SYLLABLE_PACKETS >= SYLLABLE_PACKETS - DIP_PACKETS;
        if (turn >= 0 && ordinal == talker(turn, publishers)) {
            return dip ? DIP : LOUD;
        }
        if (turn > 0 && ordinal == talker(turn - 1, publishers)) {
            return dip ? DIP : QUIET;
        }
        return packet % DTX_PACKETS == 0 ? SILENT : SKIP;
    }
}
