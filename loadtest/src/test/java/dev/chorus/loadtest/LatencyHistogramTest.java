package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsCoverTheRangeContiguously() {
        long previousLower = -1;
        for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
            long lower = LatencyHistogram.lowerBound(i);
            assertTrue(lower > previousLower, "bucket " + i);
            assertEquals(i, LatencyHistogram.index(lower), "lower bound of bucket " + i);
            if (lower > 0) {
                assertEquals(i - 1, LatencyHistogram.index(lower - 1), "just below bucket " + i);
            }
            previousLower = lower;
        }
        assertEquals(0, LatencyHistogram.index(-5));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.index(Long.MAX_VALUE));
    }

    @Test
    void smallValuesAreExact() {
        for (int v = 0; v < 64; v++) {
            assertEquals(v, LatencyHistogram.midpoint(LatencyHistogram.index(v)), 0.0);
        }
    }

    @Test
    void percentilesMatchSortedValuesWithinBucketError() {
        LatencyHistogram h = new LatencyHistogram();
        SplittableRandom r = new SplittableRandom(1);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            // mostly around 400 us, a tail up to 50 ms
            values[i] = i % 100 == 0 ? 5_000 + r.nextLong(45_000) : 200 + r.nextLong(400);
            h.record(values[i]);
        }
        long[] counts = new long[LatencyHistogram.BUCKETS];
        h.addTo(counts);
        Arrays.sort(values);
        assertEquals(values.length, LatencyHistogram.total(counts));
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            double exact = values[(int) Math.ceil(q * values.length) - 1];
            double estimate = LatencyHistogram.percentile(counts, q);
            assertEquals(exact, estimate, exact * 0.035, "q=" + q);
        }
        assertEquals(values[values.length - 1], LatencyHistogram.max(counts), values[values.length - 1] * 0.035);
    }

    @Test
    void nearestRankOnTinyInputs() {
        long[] counts = new long[LatencyHistogram.BUCKETS];
        assertTrue(Double.isNaN(LatencyHistogram.percentile(counts, 0.5)));
        counts[LatencyHistogram.index(10)] = 99;
        counts[LatencyHistogram.index(40)] = 1;
        assertEquals(10, LatencyHistogram.percentile(counts, 0.5), 0.0);
        assertEquals(10, LatencyHistogram.percentile(counts, 0.99), 0.0);
        assertEquals(40, LatencyHistogram.percentile(counts, 0.995), 0.0);
        assertEquals(40, LatencyHistogram.percentile(counts, 1.0), 0.0);
    }

    @Test
    void intervalsAreDifferencesOfCumulativeCounts() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(100);
        long[] first = new long[LatencyHistogram.BUCKETS];
        h.addTo(first);
        h.record(5_000);
        h.record(5_000);
        long[] second = new long[LatencyHistogram.BUCKETS];
        h.addTo(second);
        long[] interval = LatencyHistogram.minus(second, first);
        assertEquals(2, LatencyHistogram.total(interval));
        assertEquals(5_000, LatencyHistogram.percentile(interval, 0.5), 5_000 * 0.035);
    }
}
