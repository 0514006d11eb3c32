package dev.chorus.signaling.cluster;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * Which node a room nobody serves yet goes to: the live node, not draining, with the least load, where load is its
 * participants, plus the rooms this node placed there since that node last published (so a burst of new rooms
 * within one heartbeat spreads instead of all going to the node that looked emptiest), plus four per join waiting
 * in its queue (a node at its join-rate cap takes a newcomer last). Ties go to the node with less CPU in use
 * (in steps of a tenth), then to this node (no redirect), then by id. Pure, so it is tested without a cluster.
 */
final class Placement {

    /** Weight of one join waiting in a node's join queue, against one participant. */
    static final int QUEUED_JOIN_WEIGHT = 4;

    private Placement() {}

    /** The chosen node's id; {@code self} when no node is live and accepting (this one then serves). */
    static String choose(String self, Collection<NodeInfo> live, Map<String, Integer> placedSinceRefresh) {
        Comparator<NodeInfo> order = Comparator.<NodeInfo>comparingLong(n -> load(n, placedSinceRefresh))
                .thenComparingInt(Placement::cpuTenths)
                .thenComparing(n -> !n.id().equals(self))
                .thenComparing(NodeInfo::id);
        return live.stream()
                .filter(n -> !n.draining())
                .min(order)
                .map(NodeInfo::id)
                .orElse(self);
    }

    static long load(NodeInfo n, Map<String, Integer> placedSinceRefresh) {
        return (long) n.participants()
                + (long) QUEUED_JOIN_WEIGHT * n.joinsWaiting()
                + placedSinceRefresh.getOrDefault(n.id(), 0);
    }

    /** CPU in tenths; unknown sorts last. */
    private static int cpuTenths(NodeInfo n) {
        return n.cpu() < 0 ? 11 : (int) Math.floor(n.cpu() * 10);
    }
}
