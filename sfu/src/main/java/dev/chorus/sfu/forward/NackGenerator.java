package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.worker.Timer;
import dev.chorus.sfu.worker.TimerQueue;

/**
 * Finds uplink losses on one publisher stream and asks the publisher to resend them (generic
 * NACK). A gap in the extended sequence numbers puts each missing number on a pending list and
 * NACKs it at once; it is NACKed again every RTT until it arrives (then it counts as
 * recovered), has been NACKed {@code maxRetries} times, or has been missing for
 * {@code giveUpNanos} (then it counts as given up and the owner is told, so it can ask for a
 * keyframe). A gap wider than the list gives up at once.
 *
 * <p>Fixed arrays, one reusable timer: nothing is allocated per packet. Worker-thread only.
 */
final class NackGenerator {
    /** Longest list of missing packets tracked; also the widest gap worth NACKing. */
    static final int MAX_PENDING = 512;
    /** Floor for the retry interval, so a loopback RTT near zero does not turn into a NACK storm. */
    static final long MIN_RETRY_INTERVAL_NANOS = 5_000_000L;

    private static final long REMOVED = Long.MIN_VALUE;
    private static final int MASK = MAX_PENDING - 1;

    interface Sink {
        /** Sends one NACK (or several, if it must split) for {@code seqs[0, count)}, ascending. */
        void sendNack(int[] seqs, int count);

        /** Some lost packets will not be recovered any more. */
        void onGiveUp(long nowNanos);
    }

    @FunctionalInterface
    interface Rtt {
        /** Current round-trip estimate to the publisher, in nanoseconds. */
        long rttNanos();
    }

    private final TimerQueue timers;
    private final Timer timer;
    private final Sink sink;
    private final Rtt rtt;
    private final int maxRetries;
    private final long giveUpNanos;
    private final long[] seqs = new long[MAX_PENDING];
    private final long[] firstMissing = new long[MAX_PENDING];
    private final long[] lastSent = new long[MAX_PENDING];
    private final int[] retries = new int[MAX_PENDING];
    private final int[] scratch = new int[MAX_PENDING];
    /** Ring of entries in ascending order; {@code used} counts removed holes too. */
    private int head;

    private int used;
    private int live;
    private boolean started;
    private long highest;

    private long missingDetected;
    private long nackRequests;
    private long nackBatches;
    private long recovered;
    private long gaveUpRetries;
    private long gaveUpAge;
    private long gaveUpGapTooLarge;

    NackGenerator(String name, TimerQueue timers, int maxRetries, long giveUpNanos, Rtt rtt, Sink sink) {
        this.timers = timers;
        this.maxRetries = maxRetries;
        this.giveUpNanos = giveUpNanos;
        this.rtt = rtt;
        this.sink = sink;
        this.timer = new Timer(name, this::process);
    }

    /**
     * Accounts packet {@code extSeq} of the stream. Returns true when it was one being NACKed
     * (a recovery).
     */
    boolean onPacket(long extSeq, long nowNanos) {
        if (!started) {
            started = true;
            highest = extSeq;
            return false;
        }
        if (extSeq > highest) {
            long gap = extSeq - highest - 1;
            long from = highest + 1;
            highest = extSeq;
            if (gap == 0) {
                return false;
            }
            missingDetected += gap;
            if (gap > MAX_PENDING) {
                gaveUpGapTooLarge += gap + live;
                clear();
                sink.onGiveUp(nowNanos);
                return false;
            }
            boolean overflow = false;
            for (long s = from; s < extSeq; s++) {
                overflow |= append(s, nowNanos);
            }
            if (overflow) {
                sink.onGiveUp(nowNanos);
            }
            process(nowNanos);
            return false;
        }
        for (int i = 0; i < used; i++) {
            int at = (head + i) & MASK;
            long s = seqs[at];
            if (s == extSeq) {
                remove(at);
                recovered++;
                return true;
            }
            if (s > extSeq) {
                break;
            }
        }
        return false;
    }

    /** Adds a missing number; true when the list was full and the oldest entry was given up. */
    private boolean append(long seq, long nowNanos) {
        boolean overflow = false;
        if (used == MAX_PENDING) {
            if (seqs[head] != REMOVED) {
                live--;
                gaveUpGapTooLarge++;
                overflow = true;
            }
            head = (head + 1) & MASK;
            used--;
            compactHead();
        }
        int at = (head + used) & MASK;
        seqs[at] = seq;
        firstMissing[at] = nowNanos;
        lastSent[at] = Long.MIN_VALUE;
        retries[at] = 0;
        used++;
        live++;
        return overflow;
    }

    private void remove(int at) {
        seqs[at] = REMOVED;
        live--;
        compactHead();
    }

    private void compactHead() {
        while (used > 0 && seqs[head] == REMOVED) {
            head = (head + 1) & MASK;
            used--;
        }
    }

    private void clear() {
        head = 0;
        used = 0;
        live = 0;
        timers.cancel(timer);
    }

    long retryIntervalNanos() {
        return Math.max(MIN_RETRY_INTERVAL_NANOS, rtt.rttNanos());
    }

    /** Sends what is due, gives up what is exhausted, and arms the timer for the next retry. */
    void process(long nowNanos) {
        long interval = retryIntervalNanos();
        int n = 0;
        boolean gaveUp = false;
        long nextDue = Long.MAX_VALUE;
        for (int i = 0; i < used; i++) {
            int at = (head + i) & MASK;
            if (seqs[at] == REMOVED) {
                continue;
            }
            if (lastSent[at] != Long.MIN_VALUE && nowNanos - lastSent[at] < interval) {
                nextDue = Math.min(nextDue, lastSent[at] + interval);
                continue;
            }
            if (retries[at] >= maxRetries || nowNanos - firstMissing[at] >= giveUpNanos) {
                if (retries[at] >= maxRetries) {
                    gaveUpRetries++;
                } else {
                    gaveUpAge++;
                }
                seqs[at] = REMOVED;
                live--;
                gaveUp = true;
                continue;
            }
            scratch[n++] = (int) (seqs[at] & 0xFFFF);
            retries[at]++;
            lastSent[at] = nowNanos;
            nextDue = Math.min(nextDue, nowNanos + interval);
        }
        compactHead();
        if (n > 0) {
            nackRequests += n;
            nackBatches++;
            sink.sendNack(scratch, n);
        }
        if (gaveUp) {
            sink.onGiveUp(nowNanos);
        }
        if (live > 0 && nextDue != Long.MAX_VALUE) {
            timers.schedule(timer, nextDue);
        } else {
            timers.cancel(timer);
        }
    }

    /** Missing packets still being NACKed. */
    int pending() {
        return live;
    }

    long recovered() {
        return recovered;
    }

    long nackRequests() {
        return nackRequests;
    }

    long gaveUp() {
        return gaveUpRetries + gaveUpAge + gaveUpGapTooLarge;
    }

    void close() {
        clear();
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("pending", live);
        n.put("missingDetected", missingDetected);
        n.put("nackBatches", nackBatches);
        n.put("nackRequests", nackRequests);
        n.put("recovered", recovered);
        n.put("gaveUpRetries", gaveUpRetries);
        n.put("gaveUpAge", gaveUpAge);
        n.put("gaveUpGapTooLarge", gaveUpGapTooLarge);
        n.put("maxRetries", maxRetries);
        n.put("giveUpMillis", giveUpNanos / 1_000_000);
        n.put("retryIntervalMillis", retryIntervalNanos() / 1e6);
        return n;
    }
}
