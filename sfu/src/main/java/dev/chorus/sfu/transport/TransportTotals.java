package dev.chorus.sfu.transport;

import dev.chorus.sfu.drop.DropReason;

/**
 * Traffic and drop totals over every {@link WebRtcTransport} a {@link MediaPorts} has carried,
 * closed ones included, so they only grow (see {@link MediaPorts#totals()}). Wire sizes: SRTP
 * and DTLS as sent and received, STUN excluded (ice4j handles it before the transport sees it).
 *
 * @param drops by {@link DropReason#ordinal()}
 */
public record TransportTotals(
        long packetsReceived, long bytesReceived, long packetsSent, long bytesSent, long[] drops) {

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }
}
