package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The receiving half of an association: TSN tracking (cumulative TSN, TSNs received above it, duplicates), the
 * SACK that reports them, reassembly of fragmented messages up to the configured maximum, in-order delivery per
 * stream (SSN) for ordered messages, FORWARD-TSN skips and incoming stream resets. One thread.
 */
final class SctpReceiver {
    /** Where complete messages go. */
    interface Delivery {
        void message(int stream, int ppid, byte[] data);

        /** A message grew past the maximum and was dropped whole; its stream goes on with the next one. */
        void tooLarge(int stream, long size);
    }

    private static final int MAX_GAP_BLOCKS = 64;
    private static final int MAX_DUPS = 16;
    private static final byte[] SKIPPED = new byte[0];

    private record InChunk(
            long tsn, int stream, int ssn, int ppid, boolean begin, boolean end, boolean unordered, byte[] data) {}

    private static final class StreamIn {
        int nextSsn;
        final Map<Integer, Object[]> ready = new HashMap<>();
    }

    private final SctpConfig config;
    private final SctpCounters counters;
    private final Delivery delivery;
    private final TreeSet<Long> above = new TreeSet<>();
    private final TreeMap<Long, InChunk> fragments = new TreeMap<>();
    private final Map<Integer, StreamIn> streams = new HashMap<>();
    /** Duplicate TSNs for the next SACK, and how many. */
    private final int[] dups = new int[MAX_DUPS];

    private int dupCount;
    /** The next SACK's gap blocks: start and end TSN of each, and how many. */
    private final long[] blocks = new long[2 * MAX_GAP_BLOCKS];

    private long cum;
    private long buffered;
    private boolean sackDue;

    SctpReceiver(SctpConfig config, SctpCounters counters, Delivery delivery) {
        this.config = config;
        this.counters = counters;
        this.delivery = delivery;
    }

    void start(int peerInitialTsn) {
        cum = (peerInitialTsn & 0xFFFF_FFFFL) - 1;
    }

    /** Last TSN received in sequence, as on the wire. */
    int cumulativeTsn() {
        return (int) cum;
    }

    boolean hasReceivedThrough(int wireTsn) {
        return unwrap(wireTsn) <= cum;
    }

    /** One DATA chunk; false when malformed (counted by the caller). */
    boolean onData(Chunk c) {
        if (c.valueLen() < 13) {
            return false; // RFC 9260: a DATA chunk without user data is an error
        }
        counters.count(SctpCounters.Kind.DATA_CHUNKS_IN);
        sackDue = true;
        long tsn = unwrap(c.i32(0));
        if (tsn <= cum || !above.isEmpty() && above.contains(tsn)) { // (contains boxes the TSN)
            counters.count(SctpCounters.Kind.DUPLICATE_TSNS_IN);
            if (dupCount < MAX_DUPS) {
                dups[dupCount++] = (int) tsn;
            }
            return true;
        }
        int len = c.valueLen() - 12;
        if (buffered + len > config.receiveWindow() && tsn != cum + 1) {
            counters.malformed(SctpMalformed.OUT_OF_WINDOW);
            return true;
        }
        if (tsn == cum + 1 && above.isEmpty() && isNextWholeMessage(c, len)) {
            cum = tsn; // first: the delivery's listener may send, and so write a SACK, before this returns
            deliverAtOnce(c, len);
            return true;
        }
        byte[] data = new byte[len];
        System.arraycopy(c.buf(), c.valueOff() + 12, data, 0, len);
        int flags = c.flags();
        InChunk in = new InChunk(
                tsn, c.u16(4), c.u16(6), c.i32(8), (flags & 2) != 0, (flags & 1) != 0, (flags & 4) != 0, data);
        above.add(tsn);
        while (above.remove(cum + 1)) {
            cum++;
        }
        fragments.put(tsn, in);
        buffered += len;
        assemble(in);
        return true;
    }

    /**
     * The common case, taken without the bookkeeping (no boxed TSN, no fragment record, no copy but the message's own
     * array): besides the next TSN with nothing above it, a whole message (B and E) that is unordered or the next SSN
     * of its stream with none waiting before it.
     */
    private boolean isNextWholeMessage(Chunk c, int len) {
        int flags = c.flags();
        if ((flags & 3) != 3 || len > config.maxMessageSize()) {
            return false;
        }
        if ((flags & 4) != 0) {
            return true;
        }
        StreamIn s = streams.get(c.u16(4));
        return s == null ? c.u16(6) == 0 : c.u16(6) == s.nextSsn && s.ready.isEmpty();
    }

    private void deliverAtOnce(Chunk c, int len) {
        int stream = c.u16(4);
        if ((c.flags() & 4) == 0) {
            StreamIn s = streams.get(stream);
            if (s == null) {
                s = new StreamIn();
                streams.put(stream, s);
            }
            s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
        }
        byte[] message = new byte[len];
        System.arraycopy(c.buf(), c.valueOff() + 12, message, 0, len);
        deliver(stream, c.i32(8), message);
    }

    private void assemble(InChunk at) {
        long first = at.tsn;
        while (!fragments.get(first).begin()) {
            InChunk prev = fragments.get(first - 1);
            if (prev == null || prev.stream() != at.stream() || prev.end()) {
                return;
            }
            first--;
        }
        long last = at.tsn;
        while (!fragments.get(last).end()) {
            InChunk next = fragments.get(last + 1);
            if (next == null || next.stream() != at.stream() || next.begin()) {
                return;
            }
            last++;
        }
        long size = 0;
        for (long t = first; t <= last; t++) {
            size += fragments.get(t).data().length;
        }
        InChunk head = fragments.get(first);
        byte[] message = size > config.maxMessageSize() ? null : new byte[(int) size];
        int pos = 0;
        for (long t = first; t <= last; t++) {
            InChunk f = fragments.remove(t);
            if (message != null) {
                System.arraycopy(f.data(), 0, message, pos, f.data().length);
            }
            pos += f.data().length;
        }
        buffered -= size;
        if (message == null) {
            counters.malformed(SctpMalformed.MESSAGE_TOO_LARGE);
            delivery.tooLarge(head.stream(), size);
        }
        if (head.unordered()) {
            if (message != null) {
                deliver(head.stream(), head.ppid(), message);
            }
            return;
        }
        StreamIn s = streams.computeIfAbsent(head.stream(), k -> new StreamIn());
        if (serialLess(head.ssn(), s.nextSsn)) {
            return; // an old SSN (after a FORWARD-TSN skipped it): already given up
        }
        s.ready.put(head.ssn(), new Object[] {head.ppid(), message == null ? SKIPPED : message});
        drainInOrder(head.stream(), s);
    }

    private void drainInOrder(int stream, StreamIn s) {
        Object[] next;
        while ((next = s.ready.remove(s.nextSsn)) != null) {
            s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
            if (next[1] != SKIPPED) {
                deliver(stream, (Integer) next[0], (byte[]) next[1]);
            }
        }
    }

    private void deliver(int stream, int ppid, byte[] message) {
        counters.count(SctpCounters.Kind.MESSAGES_IN);
        counters.add(SctpCounters.Kind.BYTES_IN, message.length);
        delivery.message(stream, ppid, message);
    }

    /** FORWARD-TSN (RFC 3758): the peer gave up on everything up to {@code newCum}. */
    boolean onForwardTsn(Chunk c) {
        if (c.valueLen() < 4 || (c.valueLen() - 4) % 4 != 0) {
            return false;
        }
        counters.count(SctpCounters.Kind.FORWARD_TSNS_IN);
        sackDue = true;
        long newCum = unwrap(c.i32(0));
        if (newCum <= cum) {
            return true;
        }
        cum = newCum;
        above.headSet(cum, true).clear();
        while (above.remove(cum + 1)) {
            cum++;
        }
        Iterator<InChunk> it = fragments.headMap(newCum, true).values().iterator();
        while (it.hasNext()) {
            buffered -= it.next().data().length;
            it.remove();
        }
        for (int at = 4; at + 4 <= c.valueLen(); at += 4) {
            int stream = c.u16(at);
            int ssn = c.u16(at + 2);
            StreamIn s = streams.computeIfAbsent(stream, k -> new StreamIn());
            if (!serialLess(ssn, s.nextSsn)) {
                for (int skip = s.nextSsn; skip != ((ssn + 1) & 0xFFFF); skip = (skip + 1) & 0xFFFF) {
                    s.ready.remove(skip);
                }
                s.nextSsn = (ssn + 1) & 0xFFFF;
            }
            drainInOrder(stream, s);
        }
        return true;
    }

    /** The peer reset its outgoing stream: our incoming SSNs restart at 0. */
    void resetStream(int stream) {
        streams.remove(stream);
    }

    boolean sackDue() {
        return sackDue;
    }

    void writeSack(PacketWriter w) {
        int n = 0;
        long runStart = -1;
        long runEnd = -1;
        if (!above.isEmpty()) { // its iterator is an allocation: none in the common case, nothing above cum
            for (long t : above) {
                if (t - cum > 0xFFFF) {
                    break;
                }
                if (runStart >= 0 && t == runEnd + 1) {
                    runEnd = t;
                    continue;
                }
                if (runStart >= 0) {
                    blocks[2 * n] = runStart;
                    blocks[2 * n + 1] = runEnd;
                    n++;
                }
                if (n == MAX_GAP_BLOCKS) {
                    runStart = -1;
                    break;
                }
                runStart = t;
                runEnd = t;
            }
        }
        if (runStart >= 0) {
            blocks[2 * n] = runStart;
            blocks[2 * n + 1] = runEnd;
            n++;
        }
        w.beginChunk(Chunk.SACK, 0)
                .i32((int) cum)
                .i32((int) Math.max(0, config.receiveWindow() - buffered))
                .u16(n)
                .u16(dupCount);
        for (int i = 0; i < n; i++) {
            w.u16((int) (blocks[2 * i] - cum)).u16((int) (blocks[2 * i + 1] - cum));
        }
        for (int i = 0; i < dupCount; i++) {
            w.i32(dups[i]);
        }
        w.endChunk();
        dupCount = 0;
        sackDue = false;
        counters.count(SctpCounters.Kind.SACKS_OUT);
    }

    static int sackSize(int gaps, int dups) {
        return 16 + 4 * gaps + 4 * dups;
    }

    int sackSizeBound() {
        return sackSize(MAX_GAP_BLOCKS, MAX_DUPS);
    }

    private long unwrap(int wire) {
        long base = cum;
        long candidate = (base & ~0xFFFF_FFFFL) | (wire & 0xFFFF_FFFFL);
        if (candidate < base - (1L << 31)) {
            candidate += 1L << 32;
        } else if (candidate > base + (1L << 31)) {
            candidate -= 1L << 32;
        }
        return candidate;
    }

    private static boolean serialLess(int a, int b) {
        return a != b && ((b - a) & 0xFFFF) < 0x8000;
    }

    void addJson(ObjectNode o) {
        o.put("cumulativeTsn", cum & 0xFFFF_FFFFL);
        o.put("tsnsAboveCumulative", above.size());
        o.put("bufferedBytes", buffered);
        o.put("fragments", fragments.size());
    }
}
