package dev.chorus.loadtest;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts of latencies in microseconds in log-linear buckets: exact below 64 us, then 32 buckets per power of
 * two (at most about 3 % relative error), up to about 38 hours. One thread records (plain increments published
 * with release stores, no allocation); any thread may read the cumulative counts, e.g. once a second, and
 * subtract an earlier snapshot to get an interval.
 */
final class LatencyHistogram {
    static final int SUB_BITS = 5;
    static final int SUB = 1 << SUB_BITS;
    private static final int MAX_MSB = 36;
    static final int BUCKETS = (MAX_MSB - SUB_BITS + 2) * SUB;
    private static final long MAX_VALUE = (1L << (MAX_MSB + 1)) - 1;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Records one value (negative counts as 0, values beyond the range as the largest bucket). */
    void record(long micros) {
        int i = index(micros);
        counts.setRelease(i, counts.getPlain(i) + 1);
    }

    /** Adds these cumulative counts into {@code into} (length {@link #BUCKETS}). */
    void addTo(long[] into) {
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += counts.getAcquire(i);
        }
    }

    static int index(long v) {
        if (v < 0) {
            return 0;
        }
        if (v > MAX_VALUE) {
            v = MAX_VALUE;
        }
        if (v < 2 * SUB) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;
        int sub = (int) (v >>> shift) & (SUB - 1);
        return (shift + 1) * SUB + sub;
    }

    /** Smallest value that falls into bucket {@code i}. */
    static long lowerBound(int i) {
        if (i < 2 * SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        return (long) (SUB + i % SUB) << shift;
    }

    /** A representative value of bucket {@code i}: its middle. */
    static double midpoint(int i) {
        if (i < 2 * SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        return lowerBound(i) + ((1L << shift) - 1) / 2.0;
    }

    static long total(long[] counts) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /**
     * The {@code q}-quantile (0 < q <= 1) of a count array, in microseconds (bucket midpoint), or NaN
     * when it is empty. Nearest-rank: the smallest bucket whose cumulative count reaches ceil(q * n).
     */
    static double percentile(long[] counts, double q) {
        long n = total(counts);
        if (n == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return midpoint(i);
            }
        }
        return midpoint(counts.length - 1);
    }

    /** Largest recorded value's bucket midpoint, NaN when empty. */
    static double max(long[] counts) {
        for (int i = counts.length - 1; i >= 0; i--) {
            if (counts[i] > 0) {
                return midpoint(i);
            }
        }
        return Double.NaN;
    }

    static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = Math.max(0, a[i] - b[i]);
        }
        return d;
    }
}
