package dev.chorus.sfu.conference;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The room data relay's totals over every session of the media service (metrics and /debug): messages taken in for
 * relaying, what went out, and what was refused, by reason. Counted on the DTLS drain and control threads, read
 * from any thread.
 */
public final class DataRelayTotals {
    /** Why a message on a relay channel was not relayed (or not delivered to one recipient). */
    public enum Refusal {
        /** On a channel whose label does not start with {@code chorus}: the application's own, not relayed. */
        OTHER_CHANNEL,
        /** From a viewer, who receives but does not send. */
        VIEWER,
        /** Beyond the sender's relay rate. */
        RATE_LIMITED,
        /** Binary, not JSON, or JSON that is not {@code {"to"?, "data"}}. */
        BAD_MESSAGE,
        /** Larger with its envelope than one recipient's browser takes (its a=max-message-size); per recipient. */
        TOO_LARGE_FOR_RECIPIENT,
        /** Refused by the SCTP layer (a message grown past chorus.media.data-channel-max-message-size, a closed channel). */
        CHANNEL_ERROR
    }

    /** What {@link Counter} means, in order. */
    enum Counter {
        RECEIVED,
        RECEIVED_BYTES,
        DELIVERED,
        DELIVERED_BYTES,
        FROM_SERVER
    }

    private final AtomicLongArray counts = new AtomicLongArray(Counter.values().length);
    private final AtomicLongArray refused = new AtomicLongArray(Refusal.values().length);

    void count(Counter c, long n) {
        counts.addAndGet(c.ordinal(), n);
    }

    void refused(Refusal r) {
        refused.incrementAndGet(r.ordinal());
    }

    public Snapshot snapshot() {
        long[] r = new long[refused.length()];
        for (int i = 0; i < r.length; i++) {
            r[i] = refused.get(i);
        }
        return new Snapshot(
                counts.get(Counter.RECEIVED.ordinal()),
                counts.get(Counter.RECEIVED_BYTES.ordinal()),
                counts.get(Counter.DELIVERED.ordinal()),
                counts.get(Counter.DELIVERED_BYTES.ordinal()),
                counts.get(Counter.FROM_SERVER.ordinal()),
                r);
    }

    /**
     * @param received       messages taken in for relaying (valid, within the rate)
     * @param receivedBytes  their size as sent
     * @param delivered      messages handed to a recipient's channel (one per recipient), the server's included
     * @param deliveredBytes their size with the envelope
     * @param fromServer     messages the server API sent (each counted once, however many got it)
     * @param refused        by {@link Refusal#ordinal()}
     */
    public record Snapshot(
            long received, long receivedBytes, long delivered, long deliveredBytes, long fromServer, long[] refused) {
        public long refused(Refusal r) {
            return refused[r.ordinal()];
        }

        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("received", received);
            o.put("receivedBytes", receivedBytes);
            o.put("delivered", delivered);
            o.put("deliveredBytes", deliveredBytes);
            o.put("fromServer", fromServer);
            ObjectNode r = o.putObject("refused");
            for (Refusal x : Refusal.values()) {
                r.put(x.name().toLowerCase(Locale.ROOT), refused[x.ordinal()]);
            }
            return o;
        }
    }
}
