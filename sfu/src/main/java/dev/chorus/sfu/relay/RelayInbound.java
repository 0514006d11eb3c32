package dev.chorus.sfu.relay;

/** Where the packets a remote node sends under one tag go; called on the relay reader thread, never blocking. */
@FunctionalInterface
public interface RelayInbound {
    /** One plain RTP or RTCP packet in {@code buf[off, off+len)}; the buffer is the reader's again on return. */
    void onRelayPacket(byte[] buf, int off, int len);
}
