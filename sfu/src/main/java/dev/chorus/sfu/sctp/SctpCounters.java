package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one association, or the totals of every association of a set of ports (what each association
 * counts, its totals count too, so the totals outlive closed associations). Written by the associations' one thread,
 * read by /debug and metrics from any thread, hence atomics.
 */
public final class SctpCounters {
    public enum Kind {
        PACKETS_IN,
        PACKETS_OUT,
        DATA_CHUNKS_IN,
        DATA_CHUNKS_OUT,
        DUPLICATE_TSNS_IN,
        RETRANSMITTED_CHUNKS,
        FAST_RETRANSMITS,
        T3_EXPIRIES,
        ABANDONED_MESSAGES,
        FORWARD_TSNS_OUT,
        FORWARD_TSNS_IN,
        SACKS_IN,
        SACKS_OUT,
        MESSAGES_IN,
        MESSAGES_OUT,
        BYTES_IN,
        BYTES_OUT,
        STREAM_RESETS_IN,
        STREAM_RESETS_OUT,
        SKIPPED_CHUNKS
    }

    private final AtomicLongArray kinds = new AtomicLongArray(Kind.values().length);
    private final AtomicLongArray malformed = new AtomicLongArray(SctpMalformed.values().length);
    /** Where every count also goes; null for totals. */
    private final SctpCounters totals;

    /** Totals: counters other counters add to. */
    public SctpCounters() {
        this(null);
    }

    /** An association's counters, adding to {@code totals} too (null: to nothing). */
    public SctpCounters(SctpCounters totals) {
        this.totals = totals;
    }

    void count(Kind k) {
        kinds.incrementAndGet(k.ordinal());
        if (totals != null) {
            totals.count(k);
        }
    }

    void add(Kind k, long n) {
        kinds.addAndGet(k.ordinal(), n);
        if (totals != null) {
            totals.add(k, n);
        }
    }

    void malformed(SctpMalformed reason) {
        malformed.incrementAndGet(reason.ordinal());
        if (totals != null) {
            totals.malformed(reason);
        }
    }

    public long get(Kind k) {
        return kinds.get(k.ordinal());
    }

    public long get(SctpMalformed reason) {
        return malformed.get(reason.ordinal());
    }

    public void addJson(ObjectNode o) {
        for (Kind k : Kind.values()) {
            long v = kinds.get(k.ordinal());
            if (v != 0) {
                o.put(k.name().toLowerCase(java.util.Locale.ROOT), v);
            }
        }
        ObjectNode m = o.putObject("malformed");
        for (SctpMalformed r : SctpMalformed.values()) {
            long v = malformed.get(r.ordinal());
            if (v != 0) {
                m.put(r.name(), v);
            }
        }
    }
}
