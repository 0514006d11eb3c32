package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;

/**
 * One SCTP association (RFC 9260 as RFC 8261 runs it over DTLS: no IP addresses, no multi-homing), either side:
 * {@link #connect} sends an INIT; a passive side answers INIT with a signed state cookie and keeps no state until
 * the COOKIE-ECHO. An INIT collision (both sides connect, as WebRTC peers do) is resolved as in RFC 9260 5.2.1 and
 * 5.2.4: the INIT-ACK carries our existing tag, and a cookie bearing it establishes the association.
 *
 * <p>Not thread-safe: every call, including {@link #handleTimeout}, on one thread. The caller keeps time: it passes
 * the current milliseconds and calls {@link #handleTimeout} at {@link #nextDeadline}. Malformed input is counted
 * by {@link SctpMalformed} and never throws.
 */
public final class SctpAssociation {
    /** Where sealed packets go (to DTLS, or a simulated link in tests). */
    public interface Output {
        /**
         * One packet, at {@code buf[off, off + len)}: valid only during the call (the association reuses the buffer),
         * which DTLS's send suits (it encrypts at once). An output that keeps packets copies them ({@link #copying}).
         */
        void send(byte[] buf, int off, int len);

        /** An output handing {@code keep} a copy of each packet, for those that queue them (tests, a fuzz feed). */
        static Output copying(java.util.function.Consumer<byte[]> keep) {
            return (buf, off, len) -> keep.accept(java.util.Arrays.copyOfRange(buf, off, off + len));
        }
    }

    /** What the association tells its user, on the association's thread. */
    public interface Listener {
        void onEstablished();

        void onMessage(int stream, int ppid, byte[] data);

        /** The peer reset its outgoing streams (a data channel closing). */
        void onIncomingStreamsReset(int[] streams);

        /** Our outgoing streams were reset as asked. */
        default void onOutgoingStreamsReset(int[] streams) {}

        /** A message larger than the maximum was dropped whole. */
        void onMessageTooLarge(int stream, long size);

        void onClosed(String reason);
    }

    public enum State {
        CLOSED,
        COOKIE_WAIT,
        COOKIE_ECHOED,
        ESTABLISHED,
        SHUTDOWN_ACK_SENT,
        FAILED
    }

    private static final int PARAM_COOKIE = InitChunk.PARAM_COOKIE;
    private static final int PARAM_SUPPORTED_EXTENSIONS = InitChunk.PARAM_SUPPORTED_EXTENSIONS;
    private static final int PARAM_FORWARD_TSN_SUPPORTED = InitChunk.PARAM_FORWARD_TSN_SUPPORTED;
    private static final int MAX_STREAMS = 65_535;
    private static final int MAX_CONSECUTIVE_TIMEOUTS = 10;
    private static final int MAX_BURST = 4;

    private final SctpConfig config;
    private final int localPort;
    private final int remotePort;
    private final Output output;
    private final Listener listener;
    private final Random random;
    private final SctpCounters counters;
    private final java.util.function.Consumer<SctpMalformed> onMalformed; // made once, not per packet

    private SctpSender sender;
    private PacketWriter flushWriter;
    private SctpReceiver receiver;
    private StreamResets resets;

    private State state = State.CLOSED;
    private String closeReason;
    private int localTag;
    private int localInitialTsn;
    private int peerTag;
    private boolean peerForwardTsn;
    private byte[] cookie;
    /** Every packet in is read into this one (its chunk views reused), unless one comes while another is handled. */
    private final SctpPacket packetIn = new SctpPacket();

    private boolean receiving;

    private long t1Deadline = -1;
    private int t1Count;

    public SctpAssociation(
            SctpConfig config, int localPort, int remotePort, Output output, Listener listener, Random random) {
        this(config, localPort, remotePort, output, listener, random, null);
    }

    /** @param totals where this association's counts add up with others' (null: nowhere) */
    public SctpAssociation(
            SctpConfig config,
            int localPort,
            int remotePort,
            Output output,
            Listener listener,
            Random random,
            SctpCounters totals) {
        this.counters = new SctpCounters(totals);
        this.onMalformed = counters::malformed;
        this.config = config;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.output = output;
        this.listener = listener;
        this.random = random;
        this.localTag = nonZero();
        this.localInitialTsn = random.nextInt();
        fresh();
    }

    private void fresh() {
        sender = new SctpSender(config, counters);
        receiver = new SctpReceiver(config, counters, new SctpReceiver.Delivery() {
            @Override
            public void message(int stream, int ppid, byte[] data) {
                listener.onMessage(stream, ppid, data);
            }

            @Override
            public void tooLarge(int stream, long size) {
                listener.onMessageTooLarge(stream, size);
            }
        });
        resets = new StreamResets(counters);
    }

    private int nonZero() {
        int v;
        do {
            v = random.nextInt();
        } while (v == 0);
        return v;
    }

    public State state() {
        return state;
    }

    /** Our verification tag: what the peer puts in every packet but INIT. */
    int localTag() {
        return localTag;
    }

    public SctpCounters counters() {
        return counters;
    }

    public SctpConfig config() {
        return config;
    }

    /** Active open: sends INIT and retries it with T1-init. */
    public void connect(long now) {
        if (state != State.CLOSED) {
            return;
        }
        state = State.COOKIE_WAIT;
        t1Count = 0;
        sendInit(now);
    }

    private void sendInit(long now) {
        PacketWriter w = packet(0);
        w.beginChunk(Chunk.INIT, 0);
        writeInitBody(w, localTag, localInitialTsn);
        w.endChunk();
        emit(w);
        t1Deadline = now + config.rtoInitialMillis() * (1L << Math.min(t1Count, 6));
    }

    private void writeInitBody(PacketWriter w, int tag, int initialTsn) {
        w.i32(tag).i32(config.receiveWindow()).u16(MAX_STREAMS).u16(MAX_STREAMS).i32(initialTsn);
        byte[] extensions = {(byte) Chunk.RE_CONFIG, (byte) Chunk.FORWARD_TSN};
        w.parameter(PARAM_SUPPORTED_EXTENSIONS, extensions, 0, extensions.length);
        w.parameter(PARAM_FORWARD_TSN_SUPPORTED, extensions, 0, 0);
    }

    /** One packet from the peer (decrypted DTLS application data). */
    public void receive(byte[] buf, int off, int len, long now) {
        SctpPacket p = receiving ? new SctpPacket() : packetIn;
        if (!p.read(buf, off, len, onMalformed)) {
            return;
        }
        boolean outer = !receiving;
        receiving = true;
        try {
            handlePacket(p, now);
        } finally {
            receiving = !outer;
        }
    }

    private void handlePacket(SctpPacket p, long now) {
        counters.count(SctpCounters.Kind.PACKETS_IN);
        if (!tagAccepted(p)) {
            counters.malformed(SctpMalformed.BAD_VERIFICATION_TAG);
            return;
        }
        for (int i = 0; i < p.chunks.size(); i++) {
            if (!handle(p.chunks.get(i), p, now)) {
                break;
            }
        }
        flush(now);
    }

    private boolean tagAccepted(SctpPacket p) {
        int first = p.chunks.get(0).type();
        if (first == Chunk.INIT) {
            return p.verificationTag == 0 && p.chunks.size() == 1;
        }
        if (first == Chunk.COOKIE_ECHO) {
            return true; // checked against the cookie's tag
        }
        if ((first == Chunk.ABORT || first == Chunk.SHUTDOWN_COMPLETE)
                && (p.chunks.get(0).flags() & 1) != 0) {
            return p.verificationTag == peerTag;
        }
        return p.verificationTag == localTag && state != State.CLOSED;
    }

    /** False to stop processing the rest of the packet. */
    private boolean handle(Chunk c, SctpPacket p, long now) {
        boolean up = state == State.ESTABLISHED;
        switch (c.type()) {
            case Chunk.INIT -> onInit(c, now);
            case Chunk.INIT_ACK -> onInitAck(c, now);
            case Chunk.COOKIE_ECHO -> {
                return onCookieEcho(c, p, now);
            }
            case Chunk.COOKIE_ACK -> {
                if (state == State.COOKIE_ECHOED) {
                    established();
                }
            }
            case Chunk.DATA -> {
                if (!up) {
                    return unexpected();
                }
                if (!receiver.onData(c)) {
                    counters.malformed(SctpMalformed.BAD_CHUNK);
                    return false;
                }
            }
            case Chunk.SACK -> {
                if (!up) {
                    return unexpected();
                }
                return sender.onSackChunk(c, now);
            }
            case Chunk.FORWARD_TSN -> {
                if (!up || !receiver.onForwardTsn(c)) {
                    counters.malformed(up ? SctpMalformed.BAD_CHUNK : SctpMalformed.UNEXPECTED_CHUNK);
                    return false;
                }
            }
            case Chunk.RE_CONFIG -> {
                if (!up) {
                    return unexpected();
                }
                PacketWriter reply = packet(peerTag);
                if (!resets.onReconfig(c, resetHost, reply)) {
                    counters.malformed(SctpMalformed.BAD_CHUNK);
                    return false;
                }
                if (!reply.isEmpty()) {
                    emit(reply);
                }
            }
            case Chunk.HEARTBEAT -> {
                PacketWriter w = packet(peerTag);
                w.beginChunk(Chunk.HEARTBEAT_ACK, 0)
                        .bytes(c.buf(), c.valueOff(), c.valueLen())
                        .endChunk();
                emit(w);
            }
            case Chunk.HEARTBEAT_ACK, Chunk.ERROR -> {
                // we send no heartbeats (ICE consent proves liveness); errors are only counted
                counters.count(SctpCounters.Kind.SKIPPED_CHUNKS);
            }
            case Chunk.ABORT -> {
                close(State.CLOSED, "peer aborted the association");
                return false;
            }
            case Chunk.SHUTDOWN -> {
                PacketWriter w = packet(peerTag);
                w.beginChunk(Chunk.SHUTDOWN_ACK, 0).endChunk();
                emit(w);
                state = State.SHUTDOWN_ACK_SENT;
            }
            case Chunk.SHUTDOWN_ACK -> {
                PacketWriter w = packet(peerTag);
                w.beginChunk(Chunk.SHUTDOWN_COMPLETE, 0).endChunk();
                emit(w);
                close(State.CLOSED, "shut down");
            }
            case Chunk.SHUTDOWN_COMPLETE -> close(State.CLOSED, "peer shut down");
            default -> {
                if (!c.skipIfUnknown()) {
                    counters.malformed(SctpMalformed.UNKNOWN_CHUNK);
                    return false;
                }
                counters.count(SctpCounters.Kind.SKIPPED_CHUNKS);
            }
        }
        return true;
    }

    private boolean unexpected() {
        counters.malformed(SctpMalformed.UNEXPECTED_CHUNK);
        return false;
    }

    private void onInit(Chunk c, long now) {
        InitChunk init = InitChunk.parse(c);
        if (init == null) {
            counters.malformed(SctpMalformed.BAD_CHUNK);
            return;
        }
        // CLOSED: a fresh tag would do, but keeping ours lets a collision (we sent INIT too) converge on one tag.
        byte[] cookieBytes = StateCookie.write(new StateCookie.Contents(
                init.tag(),
                init.initialTsn(),
                init.rwnd(),
                init.outStreams(),
                init.inStreams(),
                localTag,
                localInitialTsn,
                now,
                init.forwardTsn(),
                init.reconfig()));
        PacketWriter w = packet(init.tag());
        w.beginChunk(Chunk.INIT_ACK, 0);
        writeInitBody(w, localTag, localInitialTsn);
        w.parameter(PARAM_COOKIE, cookieBytes, 0, cookieBytes.length);
        w.endChunk();
        emit(w);
    }

    private void onInitAck(Chunk c, long now) {
        if (state != State.COOKIE_WAIT) {
            return; // a late or duplicate INIT-ACK
        }
        InitChunk ack = InitChunk.parse(c);
        if (ack == null || ack.cookie() == null) {
            counters.malformed(SctpMalformed.BAD_CHUNK);
            return;
        }
        peerTag = ack.tag();
        startTransfer(ack.initialTsn(), ack.rwnd(), ack.forwardTsn());
        cookie = ack.cookie();
        state = State.COOKIE_ECHOED;
        t1Count = 0;
        sendCookieEcho(now);
    }

    private void sendCookieEcho(long now) {
        PacketWriter w = packet(peerTag);
        w.beginChunk(Chunk.COOKIE_ECHO, 0).bytes(cookie, 0, cookie.length).endChunk();
        emit(w);
        t1Deadline = now + config.rtoInitialMillis() * (1L << Math.min(t1Count, 6));
    }

    private boolean onCookieEcho(Chunk c, SctpPacket p, long now) {
        StateCookie.Contents k = StateCookie.read(c.buf(), c.valueOff(), c.valueLen(), now, config.cookieLifeMillis());
        if (k == null || p.verificationTag != k.localTag()) {
            counters.malformed(SctpMalformed.BAD_COOKIE);
            return false;
        }
        if (state == State.ESTABLISHED && k.peerTag() == peerTag && k.localTag() == localTag) {
            sendCookieAck(); // our COOKIE-ACK was lost
            return true;
        }
        if (k.localTag() != localTag) {
            counters.malformed(SctpMalformed.BAD_COOKIE); // made for another incarnation
            return false;
        }
        boolean restart = state == State.ESTABLISHED;
        if (restart) {
            fresh();
        }
        peerTag = k.peerTag();
        if (state != State.COOKIE_ECHOED || restart) {
            startTransfer(k.peerInitialTsn(), k.peerRwnd(), k.forwardTsn());
        }
        sendCookieAck();
        established();
        return true;
    }

    private void startTransfer(int peerInitialTsn, long peerRwnd, boolean forwardTsn) {
        peerForwardTsn = forwardTsn;
        sender.start(localInitialTsn, peerRwnd, forwardTsn);
        receiver.start(peerInitialTsn);
        resets.start(localInitialTsn, peerInitialTsn);
    }

    private void sendCookieAck() {
        PacketWriter w = packet(peerTag);
        w.beginChunk(Chunk.COOKIE_ACK, 0).endChunk();
        emit(w);
    }

    private void established() {
        t1Deadline = -1;
        if (state != State.ESTABLISHED) {
            state = State.ESTABLISHED;
            listener.onEstablished();
        }
    }

    /**
     * Queues a user message. Refused (false) when the association is not established, when the message is larger
     * than the configured maximum, or when the stream is being reset.
     *
     * @param maxRetransmits -1 for reliable
     * @param lifetimeMillis -1 for no lifetime
     */
    public boolean send(
            int stream, int ppid, byte[] data, boolean unordered, int maxRetransmits, long lifetimeMillis, long now) {
        if (state != State.ESTABLISHED || data.length > config.maxMessageSize() || data.length == 0) {
            return false;
        }
        sender.enqueue(stream, ppid, data, unordered, maxRetransmits, lifetimeMillis, now);
        counters.count(SctpCounters.Kind.MESSAGES_OUT);
        counters.add(SctpCounters.Kind.BYTES_OUT, data.length);
        flush(now);
        return true;
    }

    /** Resets our outgoing {@code stream} once its queued data is sent (closing a data channel). */
    public void resetOutgoing(int stream, long now) {
        if (state == State.ESTABLISHED) {
            resets.request(stream);
            flush(now);
        }
    }

    /** Bytes queued or in flight: what a data channel reports as bufferedAmount. */
    public long bufferedBytes() {
        return sender.bufferedBytes();
    }

    private final StreamResets.Host resetHost = new StreamResets.Host() {
        @Override
        public boolean receivedThrough(int lastTsn) {
            return receiver.hasReceivedThrough(lastTsn);
        }

        @Override
        public void incomingReset(int[] streams) {
            for (int s : streams) {
                receiver.resetStream(s);
            }
            listener.onIncomingStreamsReset(streams);
        }

        @Override
        public void outgoingResetDone(int[] streams) {
            for (int s : streams) {
                sender.resetStream(s);
            }
            listener.onOutgoingStreamsReset(streams);
        }

        @Override
        public boolean hasQueuedData(int stream) {
            return sender.hasPendingReset(stream);
        }

        @Override
        public int lastAssignedTsn() {
            return sender.lastAssignedTsn();
        }
    };

    /** The earliest time {@link #handleTimeout} has work, or -1. */
    public long nextDeadline() {
        long d = -1;
        for (long t : new long[] {t1Deadline, sender.deadline(), resets.deadline()}) {
            if (t >= 0 && (d < 0 || t < d)) {
                d = t;
            }
        }
        return state == State.CLOSED || state == State.FAILED ? -1 : d;
    }

    public void handleTimeout(long now) {
        if (t1Deadline >= 0 && now >= t1Deadline) {
            if (++t1Count > config.maxRetransmissionsInit()) {
                close(State.FAILED, "no answer to " + (state == State.COOKIE_WAIT ? "INIT" : "COOKIE-ECHO"));
                return;
            }
            if (state == State.COOKIE_WAIT) {
                sendInit(now);
            } else if (state == State.COOKIE_ECHOED) {
                sendCookieEcho(now);
            }
        }
        if (state == State.ESTABLISHED) {
            sender.onTimeout(now);
            if (sender.consecutiveTimeouts() > MAX_CONSECUTIVE_TIMEOUTS) {
                abort("peer stopped acknowledging data");
                return;
            }
            flush(now);
        }
    }

    /** Sends what is due: SACK and FORWARD-TSN bundled before DATA, then a stream reset request. */
    private void flush(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        PacketWriter w = flushWriter();
        if (receiver.sackDue()) {
            receiver.writeSack(w);
        }
        if (peerForwardTsn) {
            sender.writeForwardTsn(w);
        }
        // RFC 9260 6.1 (D): at most Max.Burst packets at once, so a large window goes out clocked by the peer's SACKs
        // rather than as one burst that overflows a queue on the way (our own DTLS record queue, for one).
        for (int packets = 0; packets < MAX_BURST; packets++) {
            int added = sender.writeData(w, now);
            if (w.isEmpty()) {
                break;
            }
            emit(w);
            if (added == 0) {
                break;
            }
            w = flushWriter();
        }
        PacketWriter r = flushWriter();
        if (resets.writeRequest(r, resetHost, now, config.rtoInitialMillis())) {
            emit(r);
        }
    }

    /** Sends ABORT and closes. */
    public void abort(String reason) {
        if (state == State.ESTABLISHED || state == State.COOKIE_ECHOED) {
            PacketWriter w = packet(peerTag);
            w.beginChunk(Chunk.ABORT, 0).endChunk();
            emit(w);
        }
        close(State.CLOSED, reason);
    }

    private void close(State to, String reason) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        state = to;
        closeReason = reason;
        t1Deadline = -1;
        listener.onClosed(reason);
    }

    /** Reused: flush runs on every packet in and every send; {@link #emit} sends each packet from its buffer. */
    private PacketWriter flushWriter() {
        flushWriter = flushWriter == null ? packet(peerTag) : flushWriter;
        return flushWriter.reset(peerTag);
    }

    private PacketWriter packet(int tag) {
        return new PacketWriter(config.packetSize(), localPort, remotePort, tag);
    }

    private void emit(PacketWriter w) {
        counters.count(SctpCounters.Kind.PACKETS_OUT);
        int len = w.seal();
        output.send(w.array(), 0, len);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("state", state.name());
        if (closeReason != null) {
            o.put("closeReason", closeReason);
        }
        o.put("forwardTsn", peerForwardTsn);
        sender.addJson(o.putObject("send"));
        receiver.addJson(o.putObject("receive"));
        counters.addJson(o.putObject("counters"));
        return o;
    }
}
