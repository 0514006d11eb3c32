package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The data channels of one association: DCEP (RFC 8832: OPEN and ACK on PPID 50), user messages by PPID (string
 * 51 / empty 56, binary 53 / empty 57), and closing by stream reset (RFC 8831 6.7). Owns its
 * {@link SctpAssociation}; the same one-thread rule applies.
 */
public final class DataChannels {
    static final int PPID_DCEP = 50;
    static final int PPID_STRING = 51;
    static final int PPID_BINARY = 53;
    static final int PPID_STRING_EMPTY = 56;
    static final int PPID_BINARY_EMPTY = 57;
    static final int DCEP_ACK = 0x02;
    static final int DCEP_OPEN = 0x03;
    /** Channels one peer may hold open: far above what a page opens, and it bounds what a hostile one costs. */
    static final int MAX_CHANNELS = 256;

    /** What the channels tell their user, on the association's thread. */
    public interface Listener {
        default void onAssociationEstablished() {}

        void onOpen(DataChannel channel);

        void onMessage(DataChannel channel, boolean binary, byte[] data);

        void onClose(DataChannel channel);

        /** Something went wrong on the channel that the peer should hear about (e.g. a message too large). */
        default void onError(DataChannel channel, String error) {}

        default void onAssociationClosed(String reason) {}
    }

    private final SctpAssociation association;
    private final Listener listener;
    private final boolean dtlsServer;
    /** Concurrent only so that /debug can list them from another thread. */
    private final Map<Integer, DataChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.function.LongSupplier clock;
    private int nextOwnStream;
    private final Map<Integer, byte[]> pendingOpens = new java.util.LinkedHashMap<>();

    /**
     * @param dtlsServer the DTLS role decides which streams are ours to open: odd for the server (RFC 8832 6)
     * @param clock      milliseconds, for what the channels send from callbacks
     */
    public DataChannels(
            SctpConfig config,
            boolean dtlsServer,
            SctpAssociation.Output output,
            Random random,
            java.util.function.LongSupplier clock,
            Listener listener) {
        this(config, dtlsServer, output, random, clock, listener, null);
    }

    /** @param totals where the association's counts add up with others' (null: nowhere) */
    public DataChannels(
            SctpConfig config,
            boolean dtlsServer,
            SctpAssociation.Output output,
            Random random,
            java.util.function.LongSupplier clock,
            Listener listener,
            SctpCounters totals) {
        this.listener = listener;
        this.dtlsServer = dtlsServer;
        this.clock = clock;
        this.nextOwnStream = dtlsServer ? 1 : 0;
        this.association = new SctpAssociation(config, 5000, 5000, output, new Glue(), random, totals);
    }

    public SctpAssociation association() {
        return association;
    }

    /** Opens a channel of ours (DCEP OPEN); usable once {@link Listener#onOpen} reports it. */
    public DataChannel open(String label, boolean ordered, int maxRetransmits, long maxPacketLifeTimeMillis) {
        int type = maxRetransmits >= 0
                ? DataChannel.PARTIAL_RELIABLE_REXMIT
                : maxPacketLifeTimeMillis >= 0 ? DataChannel.PARTIAL_RELIABLE_TIMED : DataChannel.RELIABLE;
        long param = maxRetransmits >= 0 ? maxRetransmits : Math.max(0, maxPacketLifeTimeMillis);
        if (!ordered) {
            type |= DataChannel.UNORDERED_BIT;
        }
        int stream = nextOwnStream;
        while (channels.containsKey(stream)) {
            stream += 2;
        }
        nextOwnStream = stream + 2;
        DataChannel ch = new DataChannel(stream, label, "", type, param, DataChannel.State.CONNECTING);
        channels.put(stream, ch);
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        byte[] open = new byte[12 + l.length];
        open[0] = DCEP_OPEN;
        open[1] = (byte) type;
        Bytes.put32(open, 4, (int) param);
        Bytes.put16(open, 8, l.length);
        System.arraycopy(l, 0, open, 12, l.length);
        if (association.state() == SctpAssociation.State.ESTABLISHED) {
            association.send(stream, PPID_DCEP, open, false, -1, -1, clock.getAsLong());
        } else {
            pendingOpens.put(stream, open); // sent once the association is up
        }
        return ch;
    }

    /**
     * Sends a message; null when queued, else why not (channel not open, empty association, too large). A refusal
     * never closes the channel.
     */
    public String send(DataChannel ch, boolean binary, byte[] data) {
        if (ch.state != DataChannel.State.OPEN) {
            return "channel " + ch.label + " is " + ch.state;
        }
        int max = association.config().maxMessageSize();
        if (data.length > max) {
            return "message of " + data.length + " bytes exceeds the maximum of " + max;
        }
        boolean empty = data.length == 0;
        int ppid = binary ? (empty ? PPID_BINARY_EMPTY : PPID_BINARY) : (empty ? PPID_STRING_EMPTY : PPID_STRING);
        byte[] payload = empty ? new byte[1] : data;
        if (!association.send(
                ch.stream,
                ppid,
                payload,
                !ch.ordered(),
                ch.maxRetransmits(),
                ch.maxPacketLifeTimeMillis(),
                clock.getAsLong())) {
            return "association is " + association.state();
        }
        ch.messagesOut++;
        return null;
    }

    /** Closes a channel: our outgoing stream is reset, then the peer resets its own. */
    public void close(DataChannel ch) {
        if (ch.state == DataChannel.State.CLOSED || ch.state == DataChannel.State.CLOSING) {
            return;
        }
        ch.state = DataChannel.State.CLOSING;
        ch.outgoingReset = true;
        association.resetOutgoing(ch.stream, clock.getAsLong());
    }

    public List<DataChannel> channels() {
        return List.copyOf(channels.values());
    }

    public void addJson(ObjectNode o) {
        o.set("sctp", association.toJson());
        ArrayNode a = o.putArray("channels");
        channels.values().forEach(c -> a.add(c.toJson()));
    }

    private void onDcep(int stream, byte[] m) {
        if (m.length < 1) {
            association.counters().malformed(SctpMalformed.BAD_DCEP);
            return;
        }
        if (m[0] == DCEP_ACK) {
            DataChannel ch = channels.get(stream);
            if (ch != null && ch.state == DataChannel.State.CONNECTING) {
                ch.state = DataChannel.State.OPEN;
                listener.onOpen(ch);
            }
            return;
        }
        if (m[0] != DCEP_OPEN || m.length < 12) {
            association.counters().malformed(SctpMalformed.BAD_DCEP);
            return;
        }
        int labelLen = Bytes.u16(m, 8);
        int protocolLen = Bytes.u16(m, 10);
        if (12 + labelLen + protocolLen > m.length
                || channels.containsKey(stream)
                || channels.size() >= MAX_CHANNELS
                || (stream % 2 == 1) == dtlsServer) {
            association.counters().malformed(SctpMalformed.BAD_DCEP);
            return;
        }
        String label = new String(m, 12, labelLen, StandardCharsets.UTF_8);
        String protocol = new String(m, 12 + labelLen, protocolLen, StandardCharsets.UTF_8);
        int type = m[1] & 0xFF;
        long param = Bytes.i32(m, 4) & 0xFFFF_FFFFL;
        DataChannel ch = new DataChannel(stream, label, protocol, type, param, DataChannel.State.OPEN);
        channels.put(stream, ch);
        association.send(stream, PPID_DCEP, new byte[] {DCEP_ACK}, false, -1, -1, clock.getAsLong());
        listener.onOpen(ch);
    }

    private final class Glue implements SctpAssociation.Listener {
        @Override
        public void onEstablished() {
            pendingOpens.forEach(
                    (stream, open) -> association.send(stream, PPID_DCEP, open, false, -1, -1, clock.getAsLong()));
            pendingOpens.clear();
            listener.onAssociationEstablished();
        }

        @Override
        public void onMessage(int stream, int ppid, byte[] data) {
            if (ppid == PPID_DCEP) {
                onDcep(stream, data);
                return;
            }
            DataChannel ch = channels.get(stream);
            if (ch == null || ch.state == DataChannel.State.CLOSED) {
                association.counters().malformed(SctpMalformed.NO_CHANNEL);
                return;
            }
            boolean binary;
            byte[] payload = data;
            switch (ppid) {
                case PPID_STRING -> binary = false;
                case PPID_BINARY -> binary = true;
                case PPID_STRING_EMPTY -> {
                    binary = false;
                    payload = new byte[0];
                }
                case PPID_BINARY_EMPTY -> {
                    binary = true;
                    payload = new byte[0];
                }
                default -> {
                    association.counters().malformed(SctpMalformed.BAD_DCEP);
                    return;
                }
            }
            ch.messagesIn++;
            listener.onMessage(ch, binary, payload);
        }

        @Override
        public void onIncomingStreamsReset(int[] streams) {
            for (int s : streams) {
                DataChannel ch = channels.get(s);
                if (ch == null) {
                    continue;
                }
                if (!ch.outgoingReset) {
                    ch.outgoingReset = true;
                    association.resetOutgoing(s, clock.getAsLong());
                }
                channels.remove(s);
                ch.state = DataChannel.State.CLOSED;
                listener.onClose(ch);
            }
        }

        @Override
        public void onMessageTooLarge(int stream, long size) {
            DataChannel ch = channels.get(stream);
            if (ch != null) {
                listener.onError(
                        ch,
                        "message of " + size + " bytes exceeds the maximum of "
                                + association.config().maxMessageSize() + "; dropped");
            }
        }

        @Override
        public void onClosed(String reason) {
            for (DataChannel ch : channels.values()) {
                ch.state = DataChannel.State.CLOSED;
                listener.onClose(ch);
            }
            channels.clear();
            listener.onAssociationClosed(reason);
        }
    }
}
