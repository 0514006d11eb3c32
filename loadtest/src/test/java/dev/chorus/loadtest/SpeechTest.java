package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpeechTest {
    private static final long S = 1_000_000_000L;

    @Test
    void everyoneIsSilentAndSendsAsDtxDoesBeforeTheStart() {
        Speech speech = new Speech(Duration.ofSeconds(3));
        for (int packet = 0; packet < 40; packet++) {
            int expected = packet % Speech.DTX_PACKETS == 0 ? Speech.SILENT : Speech.SKIP;
            assertEquals(expected, speech.level(0, 4, 5 * S, packet), "packet " + packet);
        }
        assertEquals(-1, speech.turnAt(5 * S));
        assertFalse(speech.started(), "no turn has a time before the room settles");
    }

    @Test
    void publishersTakeTurnsAndThePreviousTalkerGoesOnQuietly() {
        Speech speech = new Speech(Duration.ofSeconds(3));
        speech.begin(10 * S);
        // turn 0 (10-13 s): publisher 0 talks, nobody murmurs yet
        assertEquals(Speech.LOUD, speech.level(0, 3, 10 * S, 0));
        assertEquals(Speech.SILENT, speech.level(2, 3, 10 * S, 0));
        assertEquals(Speech.SKIP, speech.level(2, 3, 10 * S, 1));
        // turn 1 (13-16 s): publisher 1 talks, publisher 0 goes on quietly, publisher 2 is silent
        assertEquals(1, speech.turnAt(14 * S));
        assertEquals(Speech.LOUD, speech.level(1, 3, 14 * S, 0));
        assertEquals(Speech.QUIET, speech.level(0, 3, 14 * S, 0));
        assertEquals(Speech.SKIP, speech.level(2, 3, 14 * S, 3));
        // turn 3 comes back to publisher 0; its predecessor (2) murmurs
        assertEquals(Speech.LOUD, speech.level(0, 3, 19 * S + 1, 0));
        assertEquals(Speech.QUIET, speech.level(2, 3, 19 * S + 1, 0));
        assertEquals(19 * S, speech.turnStartNanos(3));
    }

    @Test
    void speechDipsBetweenWordsSoTheNoiseFloorShows() {
        Speech speech = new Speech(Duration.ofSeconds(3));
        speech.begin(0);
        int dips = 0;
        for (int packet = 0; packet < Speech.SYLLABLE_PACKETS; packet++) {
            dips += speech.level(0, 2, S, packet) == Speech.DIP ? 1 : 0;
        }
        assertEquals(Speech.DIP_PACKETS, dips);
    }
}
