package dev.chorus.signaling.session;

import dev.chorus.signaling.room.Timers;
import dev.chorus.signaling.room.TokenBucket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Admits joins at a bounded rate, server-wide: each join sets up a transport, a DTLS handshake and an offer and
 * answer, and a crowd arriving at once would take the CPU from the rooms already running. Joins within the rate
 * (and its burst) go through at once; the rest wait in arrival order and are let in as the rate allows; beyond
 * {@code maxWaiting} waiting, a join is refused. A join whose socket went away while waiting is skipped without
 * using up a turn. Signaling thread only.
 */
public final class JoinQueue {

    /** One join waiting for its turn. */
    public interface Ticket {
        /** Its client went away: skip it. */
        boolean cancelled();

        /** Its turn: join now. */
        void admit();
    }

    /** What {@link #submit} did with a join. */
    public sealed interface Outcome {}

    /** It joined already, within the rate. */
    public record Admitted() implements Outcome {}

    /** It waits at {@code position} (1: next), for about {@code waitMillis}. */
    public record Queued(int position, long waitMillis) implements Outcome {}

    /** Too many wait already. */
    public record Full(int waiting) implements Outcome {}

    private final double perSecond;
    private final int maxWaiting;
    private final LongSupplier nanoClock;
    private final Timers timers;
    private final TokenBucket bucket;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private boolean drainScheduled;

    private long admitted;
    private long queued;
    private long refused;
    private long cancelled;
    private long longestWaitNanos;

    private record Waiting(Ticket ticket, long sinceNanos) {}

    /**
     * @param perSecond  joins admitted per second (below 1 too); 0 admits every join at once
     * @param burst      joins admitted at once after a quiet spell
     * @param maxWaiting joins that may wait; one more is refused
     */
    public JoinQueue(double perSecond, int burst, int maxWaiting, LongSupplier nanoClock, Timers timers) {
        this.perSecond = perSecond;
        this.maxWaiting = maxWaiting;
        this.nanoClock = nanoClock;
        this.timers = timers;
        this.bucket = perSecond > 0 ? new TokenBucket(perSecond, burst, nanoClock.getAsLong()) : null;
    }

    /** Admits {@code ticket} now (it is called before this returns), queues it, or refuses it. */
    public Outcome submit(Ticket ticket) {
        if (bucket == null || (waiting.isEmpty() && bucket.tryTake(nanoClock.getAsLong()))) {
            admitted++;
            ticket.admit();
            return new Admitted();
        }
        if (waiting.size() >= maxWaiting) {
            refused++;
            return new Full(waiting.size());
        }
        waiting.addLast(new Waiting(ticket, nanoClock.getAsLong()));
        queued++;
        scheduleDrain();
        int position = waiting.size();
        return new Queued(position, Math.round(position * 1000 / perSecond));
    }

    /** Joins waiting now (including any whose client left since; they are skipped when their turn comes). */
    public int waiting() {
        return waiting.size();
    }

    private void scheduleDrain() {
        if (drainScheduled || waiting.isEmpty()) {
            return;
        }
        drainScheduled = true;
        // About when the next turn comes; the bucket decides.
        timers.runAfter(Math.max(1, Math.round(1000 / perSecond)), this::drain);
    }

    private void drain() {
        drainScheduled = false;
        long now = nanoClock.getAsLong();
        while (!waiting.isEmpty()) {
            Waiting next = waiting.peekFirst();
            if (next.ticket().cancelled()) {
                waiting.removeFirst();
                cancelled++;
                continue;
            }
            if (!bucket.tryTake(now)) {
                break;
            }
            waiting.removeFirst();
            admitted++;
            longestWaitNanos = Math.max(longestWaitNanos, now - next.sinceNanos());
            next.ticket().admit();
        }
        scheduleDrain();
    }

    /** Joins that have had to wait their turn (answered {@code queued}), since start. */
    public long queuedTotal() {
        return queued;
    }

    /** Joins refused with {@code server_busy} because the queue was full, since start. */
    public long refusedTotal() {
        return refused;
    }

    /** State for /debug. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("joinsPerSecond", perSecond)
                .put("waiting", waiting.size())
                .put("admitted", admitted)
                .put("queued", queued)
                .put("refusedQueueFull", refused)
                .put("leftWhileWaiting", cancelled)
                .put("longestWaitMs", longestWaitNanos / 1_000_000);
    }
}
