package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one association. Written by its one thread, read by /debug from any thread, hence atomics.
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

    void count(Kind k) {
        kinds.incrementAndGet(k.ordinal());
    }

    void add(Kind k, long n) {
        kinds.addAndGet(k.ordinal(), n);
    }

    void malformed(SctpMalformed reason) {
        malformed.incrementAndGet(reason.ordinal());
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
