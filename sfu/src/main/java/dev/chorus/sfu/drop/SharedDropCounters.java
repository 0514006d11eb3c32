package dev.chorus.sfu.drop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drop counts of one {@link DropStage} that several threads increment (a transport's packet, DTLS and
 * sending threads; a bridge's packet threads). Contention-free increments; reads sum the cells.
 */
public final class SharedDropCounters {
    private final DropStage stage;
    private final LongAdder[] counts = new LongAdder[DropReason.all().length];

    public SharedDropCounters(DropStage stage) {
        this.stage = stage;
        for (DropReason r : DropReason.all()) {
            if (r.stage() == stage) {
                counts[r.ordinal()] = new LongAdder();
            }
        }
    }

    /** Counts one drop; {@code reason} must belong to this counter's stage. */
    public void increment(DropReason reason) {
        counts[reason.ordinal()].increment();
    }

    public long get(DropReason reason) {
        LongAdder a = counts[reason.ordinal()];
        return a == null ? 0 : a.sum();
    }

    /** Adds every count of this stage into {@code totals}, indexed by {@link DropReason#ordinal()}. */
    public void addTo(long[] totals) {
        for (DropReason r : DropReason.all()) {
            if (r.stage() == stage) {
                totals[r.ordinal()] += counts[r.ordinal()].sum();
            }
        }
    }

    /** Every reason of the stage by name, zeros included, so /debug shows what could go wrong. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (DropReason r : DropReason.all()) {
            if (r.stage() == stage) {
                n.put(r.name(), counts[r.ordinal()].sum());
            }
        }
        return n;
    }
}
