package dev.chorus.sfu.conference;

import dev.chorus.sfu.transport.TransportTotals;
import dev.chorus.sfu.worker.ForwardingStats;

/**
 * One consistent-enough copy of the SFU's numbers for a metrics scrape (see
 * {@link MediaService#metrics()}): levels (rooms, sessions, transports, buffers in use) and
 * monotonic totals (transport traffic and drops, forwarding counters and drops, bridge drops).
 * Every part was read on the thread that owns it, so any thread may read this.
 *
 * @param rooms                 rooms with a media side (a router)
 * @param sessions              participants' media sessions
 * @param transports            open ICE/DTLS/SRTP transports on the shared port
 * @param rejectedIceSessions   first STUN requests refused because of their source address
 * @param buffersInUse          pooled packet buffers handed out and not yet returned
 * @param bridgeBeforeEndpoint  decrypted packets that arrived before their endpoint existed
 * @param bridgePoolExhausted   decrypted packets dropped because no pooled buffer was free
 * @param bridgeTooLarge        decrypted packets too large for a pooled buffer
 */
public record MediaMetrics(int rooms, int sessions, int transports, long rejectedIceSessions, long buffersInUse,
                           TransportTotals transport, ForwardingStats forwarding,
                           long bridgeBeforeEndpoint, long bridgePoolExhausted, long bridgeTooLarge) {
}
