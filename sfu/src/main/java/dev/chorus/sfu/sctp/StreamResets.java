package dev.chorus.sfu.sctp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * RE-CONFIG (RFC 6525) as data channels use it (RFC 8831 6.7): closing a channel resets our outgoing stream; the
 * peer's reset of its outgoing stream resets our incoming one. One request of ours in flight at a time, sent again
 * after the RTO until answered. One thread.
 */
final class StreamResets {
    static final int OUTGOING_REQUEST = 13;
    static final int INCOMING_REQUEST = 14;
    static final int RESPONSE = 16;
    static final int RESULT_NOTHING_TO_DO = 0;
    static final int RESULT_PERFORMED = 1;
    static final int RESULT_DENIED = 2;
    static final int RESULT_BAD_SEQUENCE = 5;
    static final int RESULT_IN_PROGRESS = 6;

    /** What the association does for a reset. */
    interface Host {
        /** True once every TSN up to {@code lastTsn} of the peer has arrived. */
        boolean receivedThrough(int lastTsn);

        void incomingReset(int[] streams);

        void outgoingResetDone(int[] streams);

        boolean hasQueuedData(int stream);

        int lastAssignedTsn();
    }

    private final Set<Integer> wanted = new LinkedHashSet<>();
    private final SctpCounters counters;
    private int nextRequestSeq;
    private int peerNextRequestSeq;
    private int lastPeerResult = -1;
    private int[] inFlight;
    private int inFlightSeq;
    private int inFlightLastTsn;
    private long deadline = -1;

    StreamResets(SctpCounters counters) {
        this.counters = counters;
    }

    /** RFC 6525 5.1: both sequences start at the initial TSNs. */
    void start(int localInitialTsn, int peerInitialTsn) {
        nextRequestSeq = localInitialTsn;
        peerNextRequestSeq = peerInitialTsn;
    }

    void request(int stream) {
        wanted.add(stream);
    }

    long deadline() {
        return deadline;
    }

    /** Writes our request when one is due (new, or its answer is late); the caller sends the packet. */
    boolean writeRequest(PacketWriter w, Host host, long now, long rtoMillis) {
        if (inFlight != null) {
            if (now < deadline) {
                return false;
            }
        } else {
            if (wanted.isEmpty()) {
                return false; // the common case, every flush: no list made
            }
            List<Integer> ready = new ArrayList<>();
            for (int s : wanted) {
                if (!host.hasQueuedData(s)) {
                    ready.add(s);
                }
            }
            if (ready.isEmpty()) {
                return false;
            }
            wanted.removeAll(ready);
            inFlight = ready.stream().mapToInt(Integer::intValue).toArray();
            inFlightSeq = nextRequestSeq++;
            inFlightLastTsn = host.lastAssignedTsn();
        }
        w.beginChunk(Chunk.RE_CONFIG, 0)
                .u16(OUTGOING_REQUEST)
                .u16(16 + 2 * inFlight.length)
                .i32(inFlightSeq)
                .i32(peerNextRequestSeq - 1)
                .i32(inFlightLastTsn);
        for (int s : inFlight) {
            w.u16(s);
        }
        w.endChunk();
        deadline = now + rtoMillis;
        counters.count(SctpCounters.Kind.STREAM_RESETS_OUT);
        return true;
    }

    /**
     * A RE-CONFIG chunk from the peer; writes our responses into {@code reply} (a chunk the caller sends when it is
     * not empty). False when malformed.
     */
    boolean onReconfig(Chunk c, Host host, PacketWriter reply) {
        List<int[]> responses = new ArrayList<>();
        boolean ok = SctpPacket.forEachParameter(c.buf(), c.valueOff(), c.valueLen(), (type, b, off, len) -> {
            if (type == OUTGOING_REQUEST) {
                if (len < 12 || (len - 12) % 2 != 0) {
                    return false;
                }
                int seq = Bytes.i32(b, off);
                int lastTsn = Bytes.i32(b, off + 8);
                int[] streams = new int[(len - 12) / 2];
                for (int i = 0; i < streams.length; i++) {
                    streams[i] = Bytes.u16(b, off + 12 + 2 * i);
                }
                responses.add(new int[] {seq, answerOutgoing(seq, lastTsn, streams, host)});
            } else if (type == INCOMING_REQUEST) {
                if (len < 4) {
                    return false;
                }
                responses.add(new int[] {Bytes.i32(b, off), RESULT_DENIED});
            } else if (type == RESPONSE) {
                if (len < 8) {
                    return false;
                }
                onResponse(Bytes.i32(b, off), Bytes.i32(b, off + 4), host);
            }
            return true;
        });
        if (!ok) {
            return false;
        }
        if (!responses.isEmpty()) {
            reply.beginChunk(Chunk.RE_CONFIG, 0);
            for (int[] r : responses) {
                reply.u16(RESPONSE).u16(12).i32(r[0]).i32(r[1]);
            }
            reply.endChunk();
        }
        return true;
    }

    private int answerOutgoing(int seq, int lastTsn, int[] streams, Host host) {
        if (seq == peerNextRequestSeq - 1 && lastPeerResult >= 0) {
            return lastPeerResult; // the peer sent it again: same answer
        }
        if (seq != peerNextRequestSeq) {
            return RESULT_BAD_SEQUENCE;
        }
        if (!host.receivedThrough(lastTsn)) {
            return RESULT_IN_PROGRESS; // the peer asks again; we answer once its last data is in
        }
        peerNextRequestSeq++;
        lastPeerResult = RESULT_PERFORMED;
        counters.count(SctpCounters.Kind.STREAM_RESETS_IN);
        host.incomingReset(streams);
        return RESULT_PERFORMED;
    }

    private void onResponse(int seq, int result, Host host) {
        if (inFlight == null || seq != inFlightSeq) {
            return;
        }
        if (result == RESULT_IN_PROGRESS) {
            return; // asked again at the deadline
        }
        int[] done = inFlight;
        inFlight = null;
        deadline = -1;
        if (result == RESULT_PERFORMED || result == RESULT_NOTHING_TO_DO) {
            host.outgoingResetDone(done);
        }
    }
}
