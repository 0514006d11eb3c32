package dev.chorus.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Dominant speaker identification on synthetic audio levels (RFC 6464 -dBov, one every 20 ms
 * per participant, a decision every 100 ms), on a simulated clock: a speaker is found quickly,
 * a change of speaker is followed within a second, and coughs, cross-talk bursts and steady
 * background noise do not move the highlight.
 */
class DominantSpeakerTest {
    private static final int SILENCE = 127;
    /** A quiet room: -75 dBov. */
    private static final int ROOM_TONE = 75;
    /** Normal speech into a headset: around -25 dBov, with short dips between syllables. */
    private static final int SPEECH = 25;

    private final List<SpeechActivity> people = new ArrayList<>();
    private final DominantSpeaker dominant = new DominantSpeaker();
    private final DominantSpeaker.Candidates candidates = new DominantSpeaker.Candidates() {
        @Override
        public int count() {
            return people.size();
        }

        @Override
        public SpeechActivity activity(int i) {
            return people.get(i);
        }
    };
    private long nowMs;

    DominantSpeakerTest() {
        for (int i = 0; i < 4; i++) {
            people.add(new SpeechActivity());
        }
    }

    /** Speech with a dip every 200 ms, as syllables and breaths make. */
    private static int speech(long ms) {
        return ms % 200 < 40 ? ROOM_TONE : SPEECH;
    }

    /**
     * Runs {@code ms} of audio; {@code level.applyAsInt(i)} is participant i's level now. Returns
     * the first time (ms from the start of this call) the dominant speaker was {@code watch}, or -1.
     */
    private long run(long ms, IntUnaryOperator level, int watch) {
        long first = -1;
        for (long t = 0; t < ms; t += 20) {
            nowMs += 20;
            for (int i = 0; i < people.size(); i++) {
                people.get(i).onLevel(level.applyAsInt(i), nowMs * 1_000_000L);
            }
            if (nowMs % 100 == 0) {
                for (SpeechActivity p : people) {
                    p.decayTo(nowMs * 1_000_000L);
                }
                if (dominant.tick(candidates) == watch && first < 0) {
                    first = t + 20;
                }
            }
        }
        return first;
    }

    @Test
    void aSpeakerIsFoundAndAChangeOfSpeakerIsFollowedWithinASecond() {
        run(2_000, i -> ROOM_TONE, -1);
        assertEquals(-1, dominant.current(), "nobody spoke");
        long aFound = run(3_000, i -> i == 0 ? speech(nowMs) : ROOM_TONE, 0);
        assertTrue(aFound >= 0 && aFound <= 1_000, "A found after " + aFound + " ms");
        long bFound = run(3_000, i -> i == 1 ? speech(nowMs) : ROOM_TONE, 1);
        assertTrue(bFound >= 0 && bFound <= 1_000, "B, taking over, found after " + bFound + " ms");
        assertEquals(2, dominant.changes());
    }

    @Test
    void aQuietSpeakerKeepsTheFloorUntilSomeoneElseSpeaks() {
        run(2_000, i -> i == 2 ? speech(nowMs) : ROOM_TONE, -1);
        assertEquals(2, dominant.current());
        run(5_000, i -> ROOM_TONE, -1);
        assertEquals(2, dominant.current(), "silence keeps the last speaker");
    }

    @Test
    void coughsAndShortInterjectionsDoNotTakeTheFloor() {
        run(2_000, i -> i == 0 ? speech(nowMs) : ROOM_TONE, -1);
        assertEquals(0, dominant.current());
        for (int k = 0; k < 5; k++) {
            // B coughs loudly for 120 ms while A goes on; then a second of A alone.
            long start = nowMs;
            run(120, i -> i == 0 ? speech(nowMs) : i == 1 ? 5 : ROOM_TONE, -1);
            run(1_000, i -> i == 0 ? speech(nowMs) : ROOM_TONE, -1);
            assertEquals(0, dominant.current(), "a cough at " + start + " ms took the floor");
        }
        assertEquals(1, dominant.changes());
    }

    @Test
    void steadyBackgroundNoiseIsNotSpeech() {
        // C sits next to a fan at -35 dBov from the start; D is silent; A speaks now and then.
        run(3_000, i -> i == 2 ? 35 : i == 3 ? SILENCE : ROOM_TONE, -1);
        assertEquals(-1, dominant.current(), "the fan is not a speaker");
        run(2_000, i -> i == 0 ? speech(nowMs) : i == 2 ? 35 : ROOM_TONE, -1);
        assertEquals(0, dominant.current());
        run(10_000, i -> i == 2 ? 35 : ROOM_TONE, -1);
        assertEquals(0, dominant.current(), "ten seconds of fan while nobody speaks");
    }

    @Test
    void theLouderOfTwoSimultaneousSpeakersWins() {
        run(3_000, i -> i == 0 ? speech(nowMs) : i == 1 ? speech(nowMs) + 25 : ROOM_TONE, -1);
        assertEquals(0, dominant.current(), "A at -25 dBov over B at -50 dBov");
    }

    @Test
    void aLeavingSpeakerIsForgotten() {
        run(2_000, i -> i == 3 ? speech(nowMs) : ROOM_TONE, -1);
        assertEquals(3, dominant.current());
        people.remove(3);
        dominant.onRemoved(3);
        assertEquals(-1, dominant.current());
        run(2_000, i -> i == 1 ? speech(nowMs) : ROOM_TONE, -1);
        assertEquals(1, dominant.current());
    }
}
