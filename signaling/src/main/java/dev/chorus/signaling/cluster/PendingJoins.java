package dev.chorus.signaling.cluster;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Joins this node routed to itself, per room, until their participant joins: while a burst of joins is routed, the
 * room's count here must include those on their way, or every one of them would see room for one more. A join
 * that never arrives (its client went away) stops counting after {@link #EXPIRY_NANOS}. Signaling thread.
 */
final class PendingJoins {
    /** Longer than a join takes from its route to its participant (the join queue, a loaded machine). */
    static final long EXPIRY_NANOS = 10_000_000_000L;

    private final Map<String, ArrayDeque<Long>> byRoom = new HashMap<>();

    void add(String room, long nowNanos) {
        byRoom.computeIfAbsent(room, r -> new ArrayDeque<>()).add(nowNanos);
    }

    /** A participant of {@code room} joined here: the oldest join on its way is it. */
    void joined(String room) {
        ArrayDeque<Long> q = byRoom.get(room);
        if (q != null) {
            q.poll();
            if (q.isEmpty()) {
                byRoom.remove(room);
            }
        }
    }

    int count(String room, long nowNanos) {
        ArrayDeque<Long> q = byRoom.get(room);
        if (q == null) {
            return 0;
        }
        while (!q.isEmpty() && nowNanos - q.peek() > EXPIRY_NANOS) {
            q.poll();
        }
        if (q.isEmpty()) {
            byRoom.remove(room);
        }
        return q.size();
    }
}
