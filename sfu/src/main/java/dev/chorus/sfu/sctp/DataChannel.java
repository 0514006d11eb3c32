package dev.chorus.sfu.sctp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One data channel (RFC 8831) on its SCTP stream, with the reliability its DCEP OPEN asked for (RFC 8832 5.1).
 */
public final class DataChannel {
    static final int RELIABLE = 0x00;
    static final int PARTIAL_RELIABLE_REXMIT = 0x01;
    static final int PARTIAL_RELIABLE_TIMED = 0x02;
    static final int UNORDERED_BIT = 0x80;

    public enum State {
        CONNECTING,
        OPEN,
        CLOSING,
        CLOSED
    }

    final int stream;
    final String label;
    final String protocol;
    final int channelType;
    final long reliabilityParameter;
    volatile State state;
    boolean outgoingReset;
    long messagesIn;
    long messagesOut;

    DataChannel(int stream, String label, String protocol, int channelType, long reliabilityParameter, State state) {
        this.stream = stream;
        this.label = label;
        this.protocol = protocol;
        this.channelType = channelType;
        this.reliabilityParameter = reliabilityParameter;
        this.state = state;
    }

    public int stream() {
        return stream;
    }

    public String label() {
        return label;
    }

    public String protocol() {
        return protocol;
    }

    public State state() {
        return state;
    }

    public boolean ordered() {
        return (channelType & UNORDERED_BIT) == 0;
    }

    /** -1 when the channel is reliable or timed. */
    public int maxRetransmits() {
        return (channelType & 0x7F) == PARTIAL_RELIABLE_REXMIT ? (int) reliabilityParameter : -1;
    }

    /** -1 when the channel has no packet lifetime. */
    public long maxPacketLifeTimeMillis() {
        return (channelType & 0x7F) == PARTIAL_RELIABLE_TIMED ? reliabilityParameter : -1;
    }

    public boolean reliable() {
        return (channelType & 0x7F) == RELIABLE;
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("stream", stream);
        o.put("label", label);
        o.put("state", state.name());
        o.put("ordered", ordered());
        if (!reliable()) {
            o.put("maxRetransmits", maxRetransmits());
            o.put("maxPacketLifeTime", maxPacketLifeTimeMillis());
        }
        o.put("messagesIn", messagesIn);
        o.put("messagesOut", messagesOut);
        return o;
    }
}
