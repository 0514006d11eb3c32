package dev.chorus.sfu.transport;

import dev.chorus.sfu.drop.DropReason;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transports open on a {@link MediaPorts}, and the final counts of those already closed, so that
 * {@link #totals()} only grows. Control path: a short lock shared by {@link #remove} and {@link #totals} only, never
 * taken by the packet path.
 */
final class TransportRegistry {
    private final Set<WebRtcTransport> open = ConcurrentHashMap.newKeySet();
    /** Counts of transports already closed; guarded by {@code this}, like their removal from the set. */
    private long retiredPacketsIn;

    private long retiredBytesIn;
    private long retiredPacketsOut;
    private long retiredBytesOut;
    private final long[] retiredDrops = new long[DropReason.values().length];

    void add(WebRtcTransport t) {
        open.add(t);
    }

    /** {@code t} closed: its counts move to the retired totals. Idempotent. */
    void remove(WebRtcTransport t) {
        synchronized (this) {
            if (!open.remove(t)) {
                return;
            }
            retiredPacketsIn += t.packetsIn();
            retiredBytesIn += t.bytesIn();
            retiredPacketsOut += t.packetsOut();
            retiredBytesOut += t.bytesOut();
            for (DropReason r : DropReason.values()) {
                retiredDrops[r.ordinal()] += t.drops(r);
            }
        }
    }

    /** The closed transports' final counts plus the open ones' counts now. */
    synchronized TransportTotals totals() {
        long packetsIn = retiredPacketsIn;
        long bytesIn = retiredBytesIn;
        long packetsOut = retiredPacketsOut;
        long bytesOut = retiredBytesOut;
        long[] drops = retiredDrops.clone();
        for (WebRtcTransport t : open) {
            packetsIn += t.packetsIn();
            bytesIn += t.bytesIn();
            packetsOut += t.packetsOut();
            bytesOut += t.bytesOut();
            for (DropReason r : DropReason.values()) {
                drops[r.ordinal()] += t.drops(r);
            }
        }
        return new TransportTotals(packetsIn, bytesIn, packetsOut, bytesOut, drops);
    }

    List<WebRtcTransport> open() {
        return List.copyOf(open);
    }

    int count() {
        return open.size();
    }
}
