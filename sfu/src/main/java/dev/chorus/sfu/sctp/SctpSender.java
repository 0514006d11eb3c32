package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The sending half of an association: user messages cut into DATA chunks, TSNs and stream sequence numbers, the
 * chunks in flight, SACK processing (cumulative and gap acks), T3-rtx and fast retransmission, the congestion window
 * (RFC 9260 section 7) and partial reliability (RFC 3758: messages abandoned after maxRetransmits or their lifetime,
 * then skipped with FORWARD-TSN). One thread; TSNs are kept unwrapped as longs.
 */
final class SctpSender {
    static final int DATA_HEADER = 16;

    /** One user message; its chunks share the fate of the message when it is abandoned. */
    static final class OutMessage {
        final int stream;
        final int ppid;
        final boolean unordered;
        /** -1: reliable. */
        final int maxRetransmits;
        /** Long.MAX_VALUE: no lifetime. */
        final long expiresAt;

        final List<OutChunk> chunks = new ArrayList<>();
        int ssn = -1;
        boolean abandoned;

        OutMessage(int stream, int ppid, boolean unordered, int maxRetransmits, long expiresAt) {
            this.stream = stream;
            this.ppid = ppid;
            this.unordered = unordered;
            this.maxRetransmits = maxRetransmits;
            this.expiresAt = expiresAt;
        }
    }

    static final class OutChunk {
        final OutMessage message;
        final byte[] data;
        final int off;
        final int len;
        final boolean begin;
        final boolean end;
        long tsn = -1;
        long sentAt;
        int transmissions;
        int misses;
        boolean inFlight;
        boolean gapAcked;
        boolean retransmit;
        boolean fastRetransmitted;

        OutChunk(OutMessage message, byte[] data, int off, int len, boolean begin, boolean end) {
            this.message = message;
            this.data = data;
            this.off = off;
            this.len = len;
            this.begin = begin;
            this.end = end;
        }
    }

    private final SctpConfig config;
    private final SctpCounters counters;
    /** A received SACK's gap offsets, reused (grown for a SACK with more gaps than any before). */
    private int[] sackOffsets = new int[2 * 16];

    private final int mtu;
    private final ArrayDeque<OutChunk> pending = new ArrayDeque<>();
    /** Sent and not cumulatively acked, in TSN order. */
    private final ArrayDeque<OutChunk> outstanding = new ArrayDeque<>();

    private final Map<Integer, Integer> nextSsn = new HashMap<>();
    private final Rto rto;
    private long nextTsn;
    private long cumAcked;
    private long cwnd;
    private long ssthresh;
    private long flightSize;
    private long partialBytesAcked;
    private long peerRwnd;
    private long pendingBytes;
    private boolean fastRecovery;
    private long recoverTsn;
    private long t3Deadline = -1;
    private long rttTsn = -1;
    private long rttSentAt;
    private boolean forwardTsnSupported;
    private boolean forwardTsnDue;
    private int consecutiveTimeouts;

    SctpSender(SctpConfig config, SctpCounters counters) {
        this.config = config;
        this.counters = counters;
        this.mtu = config.packetSize();
        this.rto = new Rto(config);
    }

    /** Association established: our initial TSN, the peer's window, whether it takes FORWARD-TSN. */
    void start(int initialTsn, long peerRwnd, boolean forwardTsn) {
        this.nextTsn = initialTsn & 0xFFFF_FFFFL;
        this.cumAcked = nextTsn - 1;
        this.peerRwnd = peerRwnd;
        this.cwnd = Math.min(4L * mtu, Math.max(2L * mtu, 4380));
        this.ssthresh = peerRwnd;
        this.forwardTsnSupported = forwardTsn;
    }

    /** Queues a message. Lifetime and retransmission limits are ignored when the peer cannot skip (no FORWARD-TSN). */
    void enqueue(
            int stream, int ppid, byte[] data, boolean unordered, int maxRetransmits, long lifetimeMillis, long now) {
        boolean partial = forwardTsnSupported && (maxRetransmits >= 0 || lifetimeMillis >= 0);
        OutMessage m = new OutMessage(
                stream,
                ppid,
                unordered,
                partial ? maxRetransmits : -1,
                partial && lifetimeMillis >= 0 ? now + lifetimeMillis : Long.MAX_VALUE);
        int room = mtu - SctpPacket.HEADER - DATA_HEADER;
        int at = 0;
        do {
            int n = Math.min(room, data.length - at);
            OutChunk c = new OutChunk(m, data, at, n, at == 0, at + n == data.length);
            m.chunks.add(c);
            pending.add(c);
            pendingBytes += n;
            at += n;
        } while (at < data.length);
    }

    boolean hasPendingReset(int stream) {
        for (OutChunk c : pending) {
            if (c.message.stream == stream) {
                return true;
            }
        }
        return false;
    }

    /** The TSN of the last chunk that got one: RE-CONFIG's "sender's last assigned TSN". */
    int lastAssignedTsn() {
        return (int) (nextTsn - 1);
    }

    void resetStream(int stream) {
        nextSsn.remove(stream);
    }

    /** A SACK chunk from the peer: checked, then {@link #onSack}; false when malformed (counted). */
    boolean onSackChunk(Chunk c, long now) {
        if (c.valueLen() < 12) {
            counters.malformed(SctpMalformed.BAD_CHUNK);
            return false;
        }
        int gaps = c.u16(8);
        int dups = c.u16(10);
        if (c.valueLen() < 12 + 4 * gaps + 4 * dups) {
            counters.malformed(SctpMalformed.BAD_LENGTH);
            return false;
        }
        if (sackOffsets.length < 2 * gaps) {
            sackOffsets = new int[2 * gaps];
        }
        int[] offsets = sackOffsets;
        for (int i = 0; i < gaps; i++) {
            offsets[2 * i] = c.u16(12 + 4 * i);
            offsets[2 * i + 1] = c.u16(14 + 4 * i);
            if (offsets[2 * i] == 0 || offsets[2 * i] > offsets[2 * i + 1]) {
                counters.malformed(SctpMalformed.BAD_CHUNK);
                return false;
            }
        }
        counters.count(SctpCounters.Kind.SACKS_IN);
        onSack(c.i32(0), c.u32(4), offsets, gaps, now);
        return true;
    }

    /** A SACK from the peer. {@code gaps} holds start/end offsets from {@code cumTsn} in pairs. */
    void onSack(int cumTsnWire, long rwnd, int[] gaps, int gapCount, long now) {
        long cum = unwrap(cumTsnWire);
        if (cum < cumAcked) {
            return; // older than what we know: reordered SACK
        }
        boolean advanced = cum > cumAcked;
        if (advanced) {
            consecutiveTimeouts = 0;
        }
        long bytesAcked = 0;
        while (!outstanding.isEmpty() && outstanding.peekFirst().tsn <= cum) {
            OutChunk c = outstanding.pollFirst();
            if (c.inFlight) {
                flightSize -= c.len;
                c.inFlight = false;
            }
            if (!c.gapAcked && !c.message.abandoned) {
                bytesAcked += c.len;
            }
            if (c.tsn == rttTsn) {
                if (c.transmissions == 1) {
                    rto.measured(now - rttSentAt);
                }
                rttTsn = -1;
            }
        }
        cumAcked = cum;
        long highestNewlyAcked = cum;
        for (int i = 0; i < gapCount; i++) {
            long from = cum + gaps[2 * i];
            long to = cum + gaps[2 * i + 1];
            for (OutChunk c : outstanding) {
                if (c.tsn > to) {
                    break;
                }
                if (c.tsn >= from && !c.gapAcked) {
                    c.gapAcked = true;
                    c.retransmit = false;
                    if (c.inFlight) {
                        flightSize -= c.len;
                        c.inFlight = false;
                    }
                    if (!c.message.abandoned) {
                        bytesAcked += c.len;
                    }
                    highestNewlyAcked = Math.max(highestNewlyAcked, c.tsn);
                }
            }
        }
        if (fastRecovery && cum >= recoverTsn) {
            fastRecovery = false;
        }
        countMisses(highestNewlyAcked, now);
        if (advanced && !fastRecovery) {
            growWindow(bytesAcked);
        }
        peerRwnd = Math.max(0, rwnd - flightSize);
        if (advanceAckPoint() > cumAcked) {
            forwardTsnDue = true;
        }
        if (outstanding.isEmpty()) {
            t3Deadline = -1;
        } else if (advanced || t3Deadline < 0) {
            t3Deadline = now + rto.millis();
        }
    }

    private void countMisses(long highestNewlyAcked, long now) {
        boolean entered = false;
        for (OutChunk c : outstanding) {
            if (c.tsn >= highestNewlyAcked) {
                break;
            }
            if (c.gapAcked || c.message.abandoned || c.fastRetransmitted) {
                continue;
            }
            if (++c.misses >= 3) {
                c.fastRetransmitted = true;
                if (!fastRecovery) {
                    fastRecovery = true;
                    recoverTsn = nextTsn - 1;
                    ssthresh = Math.max(cwnd / 2, 4L * mtu);
                    cwnd = ssthresh;
                    partialBytesAcked = 0;
                    entered = true;
                }
                counters.count(SctpCounters.Kind.FAST_RETRANSMITS);
                markForRetransmit(c, now);
            }
        }
        if (entered && t3Deadline < 0) {
            t3Deadline = now + rto.millis();
        }
    }

    private void growWindow(long bytesAcked) {
        if (cwnd <= ssthresh) {
            cwnd += Math.min(bytesAcked, mtu);
        } else {
            partialBytesAcked += bytesAcked;
            if (partialBytesAcked >= cwnd) {
                partialBytesAcked -= cwnd;
                cwnd += mtu;
            }
        }
    }

    /** A chunk presumed lost: sent again, unless its message reached its limit (then the message is abandoned). */
    private void markForRetransmit(OutChunk c, long now) {
        if (c.inFlight) {
            flightSize -= c.len;
            c.inFlight = false;
        }
        OutMessage m = c.message;
        if ((m.maxRetransmits >= 0 && c.transmissions > m.maxRetransmits) || now >= m.expiresAt) {
            abandon(m);
            return;
        }
        c.retransmit = true;
        if (c.tsn == rttTsn) {
            rttTsn = -1; // Karn: no RTT from a retransmitted chunk
        }
    }

    private void abandon(OutMessage m) {
        if (m.abandoned) {
            return;
        }
        m.abandoned = true;
        counters.count(SctpCounters.Kind.ABANDONED_MESSAGES);
        for (OutChunk c : m.chunks) {
            if (c.inFlight) {
                flightSize -= c.len;
                c.inFlight = false;
            }
            c.retransmit = false;
        }
        Iterator<OutChunk> it = pending.iterator();
        while (it.hasNext()) {
            OutChunk c = it.next();
            if (c.message == m) {
                pendingBytes -= c.len;
                it.remove();
            }
        }
        forwardTsnDue = true;
    }

    /** The highest TSN up to which every chunk is acked or abandoned (RFC 3758's advanced peer ack point). */
    private long advanceAckPoint() {
        long point = cumAcked;
        for (OutChunk c : outstanding) {
            if (c.tsn != point + 1 || !c.message.abandoned) {
                break;
            }
            point = c.tsn;
        }
        return point;
    }

    /** T3-rtx: every chunk in flight counts as lost; the window falls to one packet and the timeout doubles. */
    void onTimeout(long now) {
        if (t3Deadline < 0 || now < t3Deadline) {
            return;
        }
        counters.count(SctpCounters.Kind.T3_EXPIRIES);
        consecutiveTimeouts++;
        rto.backOff();
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = mtu;
        partialBytesAcked = 0;
        fastRecovery = false;
        for (OutChunk c : outstanding) {
            if (!c.gapAcked && !c.message.abandoned) {
                markForRetransmit(c, now);
            }
        }
        if (advanceAckPoint() > cumAcked) {
            forwardTsnDue = true;
        }
        t3Deadline = outstanding.isEmpty() ? -1 : now + rto.millis();
    }

    /** T3 expiries since the cumulative ack last moved: the association gives up past a limit. */
    int consecutiveTimeouts() {
        return consecutiveTimeouts;
    }

    long deadline() {
        return t3Deadline;
    }

    /** FORWARD-TSN, when one is due: new cumulative TSN and the last skipped SSN of each ordered stream. */
    boolean writeForwardTsn(PacketWriter w) {
        if (!forwardTsnDue) {
            return false;
        }
        long point = advanceAckPoint();
        if (point <= cumAcked) {
            forwardTsnDue = false;
            return false;
        }
        Map<Integer, Integer> skipped = new HashMap<>();
        for (OutChunk c : outstanding) {
            if (c.tsn > point) {
                break;
            }
            if (!c.message.unordered && c.message.ssn >= 0) {
                skipped.put(c.message.stream, c.message.ssn);
            }
        }
        if (w.remaining() < 8 + 4 * skipped.size()) {
            return false;
        }
        w.beginChunk(Chunk.FORWARD_TSN, 0).i32((int) point);
        skipped.forEach((stream, ssn) -> w.u16(stream).u16(ssn));
        w.endChunk();
        forwardTsnDue = false;
        counters.count(SctpCounters.Kind.FORWARD_TSNS_OUT);
        return true;
    }

    /** Writes retransmissions, then new chunks, as far as the window and the packet allow; returns how many. */
    int writeData(PacketWriter w, long now) {
        int written = 0;
        // (An iterator is an allocation: none for an association that has nothing outstanding, e.g. one receiving.)
        for (Iterator<OutChunk> it = outstanding.isEmpty() ? null : outstanding.iterator();
                it != null && it.hasNext(); ) {
            OutChunk c = it.next();
            if (!c.retransmit) {
                continue;
            }
            if (flightSize > 0 && flightSize + c.len > cwnd) {
                return written;
            }
            if (w.remaining() < DATA_HEADER + c.len) {
                return written;
            }
            write(w, c, now);
            c.retransmit = false;
            counters.count(SctpCounters.Kind.RETRANSMITTED_CHUNKS);
            written++;
        }
        while (!pending.isEmpty()) {
            OutChunk c = pending.peekFirst();
            if (c.begin && now > c.message.expiresAt) {
                abandon(c.message); // expired before its first transmission: nothing to skip at the peer
                continue;
            }
            if (flightSize > 0 && (flightSize + c.len > cwnd || peerRwnd < c.len)) {
                return written;
            }
            if (w.remaining() < DATA_HEADER + c.len) {
                return written;
            }
            pending.pollFirst();
            pendingBytes -= c.len;
            c.tsn = nextTsn++;
            if (c.begin && !c.message.unordered) {
                int ssn = nextSsn.getOrDefault(c.message.stream, 0);
                c.message.ssn = ssn;
                nextSsn.put(c.message.stream, (ssn + 1) & 0xFFFF);
            }
            outstanding.addLast(c);
            if (rttTsn < 0) {
                rttTsn = c.tsn;
                rttSentAt = now;
            }
            write(w, c, now);
            written++;
        }
        return written;
    }

    private void write(PacketWriter w, OutChunk c, long now) {
        int flags = (c.end ? 1 : 0) | (c.begin ? 2 : 0) | (c.message.unordered ? 4 : 0);
        if (c.end && pending.isEmpty()) {
            // RFC 7053 I bit: nothing follows, so the peer should not hold its SACK back (Chromium delays one up to
            // 200 ms, about our minimum RTO: a delayed SACK for the last chunk would look like a loss).
            flags |= 8;
        }
        w.beginChunk(Chunk.DATA, flags)
                .i32((int) c.tsn)
                .u16(c.message.stream)
                .u16(c.message.unordered ? 0 : c.message.ssn)
                .i32(c.message.ppid)
                .bytes(c.data, c.off, c.len)
                .endChunk();
        c.transmissions++;
        c.sentAt = now;
        c.misses = 0;
        c.inFlight = true;
        flightSize += c.len;
        peerRwnd = Math.max(0, peerRwnd - c.len);
        counters.count(SctpCounters.Kind.DATA_CHUNKS_OUT);
        if (t3Deadline < 0) {
            t3Deadline = now + rto.millis();
        }
    }

    boolean idle() {
        return pending.isEmpty() && outstanding.isEmpty();
    }

    long bufferedBytes() {
        return pendingBytes + flightSize;
    }

    private long unwrap(int wire) {
        long base = cumAcked;
        long candidate = (base & ~0xFFFF_FFFFL) | (wire & 0xFFFF_FFFFL);
        if (candidate < base - (1L << 31)) {
            candidate += 1L << 32;
        } else if (candidate > base + (1L << 31)) {
            candidate -= 1L << 32;
        }
        return candidate;
    }

    void addJson(ObjectNode o) {
        o.put("cwnd", cwnd);
        o.put("ssthresh", ssthresh);
        o.put("flightSize", flightSize);
        o.put("peerRwnd", peerRwnd);
        o.put("rtoMillis", rto.millis());
        o.put("srttMillis", rto.srttMillis());
        o.put("outstandingChunks", outstanding.size());
        o.put("pendingChunks", pending.size());
        o.put("nextTsn", nextTsn & 0xFFFF_FFFFL);
        o.put("fastRecovery", fastRecovery);
    }
}
