package dev.chorus.testkit.netsim;

import java.net.InetSocketAddress;

/**
 * A snapshot of one proxy flow (one client source address).
 *
 * @param client      the client's source address
 * @param iceUsername the STUN USERNAME ("serverUfrag:clientUfrag") last seen from the client, or null
 * @param toServer    client -> server direction
 * @param toClient    server -> client direction
 */
public record FlowStats(InetSocketAddress client, String iceUsername, Direction toServer, Direction toClient) {

    /** The server's ufrag (the part of the USERNAME before ':'), or null when no STUN request was seen. */
    public String iceUfrag() {
        if (iceUsername == null) {
            return null;
        }
        int colon = iceUsername.indexOf(':');
        return colon < 0 ? iceUsername : iceUsername.substring(0, colon);
    }

    /**
     * Counters of one direction.
     *
     * @param received        packets that arrived at the proxy
     * @param delivered       packets sent on after their impairment
     * @param droppedLoss     lost by the loss model
     * @param droppedQueue    dropped by a rate-limited link's full queue
     * @param droppedOverflow dropped because the proxy's per-direction packet cap was reached, the flow closed
     *                        before delivery, or the send failed
     * @param bytesReceived   payload bytes received
     * @param bytesDelivered  payload bytes delivered
     * @param queued          packets waiting for their delivery time now
     */
    public record Direction(
            long received,
            long delivered,
            long droppedLoss,
            long droppedQueue,
            long droppedOverflow,
            long bytesReceived,
            long bytesDelivered,
            long queued) {}
}
