package dev.chorus.sfu.worker;

import dev.chorus.sfu.buffer.PacketBuffer;

/**
 * Receives packets on the worker thread. The transport names the handler (its endpoint) when
 * it submits a packet; the handler owns the buffer from then on and must release it.
 */
public interface PacketHandler {
    void handleRtp(PacketBuffer packet);

    void handleRtcp(PacketBuffer packet);
}
