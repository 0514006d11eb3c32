package dev.chorus.testkit.netsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImpairmentTest {

    @Test
    void emptyAndNoneAreNone() {
        assertSame(Impairment.NONE, Impairment.parse(""));
        assertSame(Impairment.NONE, Impairment.parse("  none "));
        assertSame(Impairment.NONE, Impairment.parse("NONE"));
        assertTrue(Impairment.NONE.isNone());
        assertEquals("none", Impairment.NONE.toSpec());
    }

    @Test
    void fullSpec() {
        Impairment i = Impairment.parse("loss=5%,burst=2,delay=50ms,jitter=10ms,reorder=1%,rate=300kbps,queue=150ms");
        assertEquals(new Impairment(0.05, 2, 50, 10, 0.01, 300, 150), i);
    }

    @Test
    void fractionsSecondsMbpsSpacesAndAnyOrder() {
        Impairment i = Impairment.parse(" delay = 0.25s , loss=0.1 ,rate=2mbps, reorder=0.5 ");
        assertEquals(new Impairment(0.1, 1, 250, 0, 0.5, 2000, Impairment.DEFAULT_QUEUE_MILLIS), i);
        assertEquals(Impairment.NONE.withRate(64), Impairment.parse("rate=64000bps"));
        assertEquals(Impairment.NONE.withDelay(40), Impairment.parse("delay=40"));
        assertEquals(Impairment.NONE.withRate(500), Impairment.parse("rate=500"));
    }

    @Test
    void toSpecRoundTrips() {
        for (String s : new String[] {
            "loss=5%,burst=2,delay=50ms,jitter=10ms,reorder=1%,rate=300kbps,queue=150ms",
            "loss=12.5%",
            "delay=20ms",
            "rate=1000kbps"
        }) {
            Impairment i = Impairment.parse(s);
            assertEquals(i, Impairment.parse(i.toSpec()), s + " -> " + i.toSpec());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "loss=5|more than 1",
                "loss=120%|more than 100%",
                "loss=-1%|>= 0",
                "loss=abc|not a number",
                "delay=10 minutes|not a number",
                "delay=1.5ms|whole number",
                "jitter=-3ms|>= 0",
                "rate=0.5bps|below 1 kbps",
                "foo=1|unknown key",
                "loss=1%,loss=2%|given twice",
                "loss=1%,|empty item",
                "loss|not key=value",
                "=5|not key=value",
                "delay=|not key=value",
                "burst=NaN|not a number",
                "burst=1e400|finite",
                "delay=2h|not a number",
            })
    void badSpecsGiveClearErrors(String spec, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Impairment.parse(spec));
        assertTrue(e.getMessage().contains(expected), "'" + spec + "' -> " + e.getMessage());
        assertTrue(e.getMessage().contains(spec.trim()) || spec.isBlank(), e.getMessage());
    }

    @Test
    void constructorRejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new Impairment(1.5, 1, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Impairment(0, 1, -1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Impairment(0, 1, 0, 0, Double.NaN, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Impairment.parse(null));
    }
}
