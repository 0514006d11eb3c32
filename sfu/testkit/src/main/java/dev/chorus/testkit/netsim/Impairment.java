package dev.chorus.testkit.netsim;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One direction's impairment, applied by {@link ImpairedLink}. All fields are &gt;= 0; {@link #NONE} passes
 * packets through untouched.
 *
 * @param lossRate        0..1, the long-run fraction of packets lost (e.g. 0.05)
 * @param meanBurstLength mean length of a run of losses (Gilbert-Elliott); 1 (or less) = independent losses
 * @param delayMillis     fixed one-way delay
 * @param jitterMillis    uniform extra delay 0..jitter (packets may then reorder)
 * @param reorderRate     0..1: probability a packet is held back an extra max(delay+jitter, 20 ms) so later
 *                        packets overtake it
 * @param rateKbps        0 = unlimited; else a serialising link of this rate (kbit/s)
 * @param queueMillis     with rateKbps: drop-tail when a packet would wait longer than this in the queue
 */
public record Impairment(
        double lossRate,
        double meanBurstLength,
        long delayMillis,
        long jitterMillis,
        double reorderRate,
        long rateKbps,
        long queueMillis) {

    /** Default drop-tail queue length of a rate-limited link. */
    public static final long DEFAULT_QUEUE_MILLIS = 200;

    /** Pass-through. */
    public static final Impairment NONE = new Impairment(0, 1, 0, 0, 0, 0, DEFAULT_QUEUE_MILLIS);

    public Impairment {
        if (!(lossRate >= 0 && lossRate <= 1)) {
            throw new IllegalArgumentException("lossRate must be within 0..1, got " + lossRate);
        }
        if (!(meanBurstLength >= 0) || Double.isInfinite(meanBurstLength)) {
            throw new IllegalArgumentException("meanBurstLength must be a finite number >= 0, got " + meanBurstLength);
        }
        if (delayMillis < 0 || jitterMillis < 0 || rateKbps < 0 || queueMillis < 0) {
            throw new IllegalArgumentException("delay, jitter, rate and queue must be >= 0, got delay=" + delayMillis
                    + " jitter=" + jitterMillis + " rate=" + rateKbps + " queue=" + queueMillis);
        }
        if (!(reorderRate >= 0 && reorderRate <= 1)) {
            throw new IllegalArgumentException("reorderRate must be within 0..1, got " + reorderRate);
        }
    }

    /** True when this impairment changes nothing. */
    public boolean isNone() {
        return lossRate == 0 && delayMillis == 0 && jitterMillis == 0 && reorderRate == 0 && rateKbps == 0;
    }

    public Impairment withLoss(double rate) {
        return new Impairment(rate, meanBurstLength, delayMillis, jitterMillis, reorderRate, rateKbps, queueMillis);
    }

    public Impairment withLoss(double rate, double meanBurst) {
        return new Impairment(rate, meanBurst, delayMillis, jitterMillis, reorderRate, rateKbps, queueMillis);
    }

    public Impairment withBurst(double meanBurst) {
        return new Impairment(lossRate, meanBurst, delayMillis, jitterMillis, reorderRate, rateKbps, queueMillis);
    }

    public Impairment withDelay(long ms) {
        return new Impairment(lossRate, meanBurstLength, ms, jitterMillis, reorderRate, rateKbps, queueMillis);
    }

    public Impairment withJitter(long ms) {
        return new Impairment(lossRate, meanBurstLength, delayMillis, ms, reorderRate, rateKbps, queueMillis);
    }

    public Impairment withReorder(double rate) {
        return new Impairment(lossRate, meanBurstLength, delayMillis, jitterMillis, rate, rateKbps, queueMillis);
    }

    public Impairment withRate(long kbps) {
        return new Impairment(lossRate, meanBurstLength, delayMillis, jitterMillis, reorderRate, kbps, queueMillis);
    }

    public Impairment withQueue(long ms) {
        return new Impairment(lossRate, meanBurstLength, delayMillis, jitterMillis, reorderRate, rateKbps, ms);
    }

    /**
     * Parses a spec such as {@code "loss=5%,burst=2,delay=50ms,jitter=10ms,reorder=1%,rate=300kbps,queue=200ms"}.
     * Keys may appear in any order, each at most once; missing keys keep {@link #NONE}'s value. {@code ""} or
     * {@code "none"} is {@link #NONE}. Rates (loss, reorder) are a percentage ({@code 5%}) or a fraction
     * ({@code 0.05}); times take {@code ms} or {@code s} (a bare number is milliseconds); the link rate takes
     * {@code bps}, {@code kbps} or {@code mbps} (a bare number is kbit/s).
     *
     * @throws IllegalArgumentException naming the offending item
     */
    public static Impairment parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("impairment spec is null");
        }
        String s = spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) {
            return NONE;
        }
        Impairment r = NONE;
        Set<String> seen = new HashSet<>();
        for (String item : s.split(",", -1)) {
            String it = item.trim();
            if (it.isEmpty()) {
                throw new IllegalArgumentException("empty item in impairment spec '" + spec + "'");
            }
            int eq = it.indexOf('=');
            if (eq <= 0 || eq == it.length() - 1) {
                throw new IllegalArgumentException("impairment item '" + it + "' is not key=value (in '" + spec + "')");
            }
            String key = it.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = it.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            if (!seen.add(key)) {
                throw new IllegalArgumentException("impairment key '" + key + "' given twice (in '" + spec + "')");
            }
            try {
                r = switch (key) {
                    case "loss" -> r.withLoss(fraction(value));
                    case "burst" -> r.withBurst(number(value));
                    case "delay" -> r.withDelay(millis(value));
                    case "jitter" -> r.withJitter(millis(value));
                    case "reorder" -> r.withReorder(fraction(value));
                    case "rate" -> r.withRate(kbps(value));
                    case "queue" -> r.withQueue(millis(value));
                    default ->
                        throw new IllegalArgumentException(
                                "unknown key (known: loss, burst, delay, jitter, reorder, rate, queue)");
                };
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "bad impairment item '" + it + "': " + e.getMessage() + " (in '" + spec + "')", e);
            }
        }
        return r;
    }

    /** The spec form, parseable by {@link #parse}; "none" for {@link #NONE}-like values. */
    public String toSpec() {
        if (isNone()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        if (lossRate > 0) {
            append(b, "loss=" + trim(lossRate * 100) + "%");
            if (meanBurstLength > 1) {
                append(b, "burst=" + trim(meanBurstLength));
            }
        }
        if (delayMillis > 0) {
            append(b, "delay=" + delayMillis + "ms");
        }
        if (jitterMillis > 0) {
            append(b, "jitter=" + jitterMillis + "ms");
        }
        if (reorderRate > 0) {
            append(b, "reorder=" + trim(reorderRate * 100) + "%");
        }
        if (rateKbps > 0) {
            append(b, "rate=" + rateKbps + "kbps");
            append(b, "queue=" + queueMillis + "ms");
        }
        return b.toString();
    }

    private static void append(StringBuilder b, String item) {
        if (b.length() > 0) {
            b.append(',');
        }
        b.append(item);
    }

    private static String trim(double d) {
        String s = Double.toString(d);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static double number(String v) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a number");
        }
        if (!Double.isFinite(d) || d < 0) {
            throw new IllegalArgumentException("'" + v + "' must be a finite number >= 0");
        }
        return d;
    }

    private static double fraction(String v) {
        if (v.endsWith("%")) {
            double p = number(v.substring(0, v.length() - 1).trim());
            if (p > 100) {
                throw new IllegalArgumentException("'" + v + "' is more than 100%");
            }
            return p / 100.0;
        }
        double f = number(v);
        if (f > 1) {
            throw new IllegalArgumentException("'" + v + "' is more than 1; write a percentage as e.g. 5%");
        }
        return f;
    }

    private static long millis(String v) {
        double ms;
        if (v.endsWith("ms")) {
            ms = number(v.substring(0, v.length() - 2).trim());
        } else if (v.endsWith("s")) {
            ms = number(v.substring(0, v.length() - 1).trim()) * 1000;
        } else {
            ms = number(v);
        }
        if (ms != Math.rint(ms)) {
            throw new IllegalArgumentException("'" + v + "' is not a whole number of milliseconds");
        }
        if (ms > 3_600_000) {
            throw new IllegalArgumentException("'" + v + "' is longer than an hour");
        }
        return (long) ms;
    }

    private static long kbps(String v) {
        double k;
        if (v.endsWith("kbps")) {
            k = number(v.substring(0, v.length() - 4).trim());
        } else if (v.endsWith("mbps")) {
            k = number(v.substring(0, v.length() - 4).trim()) * 1000;
        } else if (v.endsWith("bps")) {
            k = number(v.substring(0, v.length() - 3).trim()) / 1000;
        } else {
            k = number(v);
        }
        if (k > 100_000_000) {
            throw new IllegalArgumentException("'" + v + "' is more than 100 Tbit/s");
        }
        long r = Math.round(k);
        if (k > 0 && r == 0) {
            throw new IllegalArgumentException("'" + v + "' is below 1 kbps");
        }
        return r;
    }
}
