package dev.chorus.sfu.drop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Per-object drop counts by {@link DropReason}, rolled up into a parent (consumer -> router ->
 * worker) so totals need no scan. Single-threaded: only the owning worker increments.
 */
public final class DropCounters {
    private static final DropReason[] REASONS = DropReason.values();

    private final long[] counts = new long[REASONS.length];
    private final DropCounters parent;

    public DropCounters(DropCounters parent) {
        this.parent = parent;
    }

    public void increment(DropReason reason) {
        for (DropCounters c = this; c != null; c = c.parent) {
            c.counts[reason.ordinal()]++;
        }
    }

    public long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    /** A copy of every count, indexed by {@link DropReason#ordinal()}. Owning thread only. */
    public long[] toArray() {
        return counts.clone();
    }

    /** Non-zero counts by reason name. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (DropReason r : REASONS) {
            if (counts[r.ordinal()] != 0) {
                n.put(r.name(), counts[r.ordinal()]);
            }
        }
        return n;
    }
}
