package dev.chorus.signaling.cluster;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * {@code chorus.cluster}: whether this server is one node of a cluster, how it finds the other members, and the
 * URL it hands out in redirects. Defaults in reference.conf.
 *
 * @param nodeId            empty: {@code <host>:<http port>}, set at start
 * @param members           {@code host:port} of Hazelcast members to contact at start
 * @param publicUrl         empty: derived from the HTTP listener at start
 * @param heartbeatInterval how often this node publishes its load and renews its rooms
 * @param entryTtl          how long a node's or a room's entry lives without renewal
 * @param memberTimeout     how long a silent member stays a member
 * @param roomParticipantsPerNode a room's participants on each of its nodes before it spans to another; 0 never
 * @param relayPort         UDP port other nodes relay media to; 0 any free port
 */
public record ClusterConfig(
        boolean enabled,
        String name,
        String nodeId,
        String host,
        int port,
        List<String> members,
        String publicUrl,
        Duration heartbeatInterval,
        Duration entryTtl,
        Duration memberTimeout,
        int roomParticipantsPerNode,
        int relayPort) {

    public static ClusterConfig from(Config c) {
        ClusterConfig config = new ClusterConfig(
                c.getBoolean("chorus.cluster.enabled"),
                c.getString("chorus.cluster.name"),
                c.getString("chorus.cluster.node-id"),
                c.getString("chorus.cluster.host"),
                c.getInt("chorus.cluster.port"),
                c.getStringList("chorus.cluster.members"),
                c.getString("chorus.cluster.public-url"),
                c.getDuration("chorus.cluster.heartbeat-interval"),
                c.getDuration("chorus.cluster.entry-ttl"),
                c.getDuration("chorus.cluster.member-timeout"),
                c.getInt("chorus.cluster.room-participants-per-node"),
                c.getInt("chorus.cluster.relay-port"));
        config.validate();
        return config;
    }

    private void validate() {
        if (!enabled) {
            return;
        }
        require(!name.isBlank(), "chorus.cluster.name must not be empty");
        require(!host.isBlank(), "chorus.cluster.host must not be empty");
        require(port > 0 && port < 65536, "chorus.cluster.port must be 1-65535, not " + port);
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            require(
                    colon > 0
                            && colon < m.length() - 1
                            && m.substring(colon + 1).matches("\\d{1,5}"),
                    "chorus.cluster.members: '" + m + "' is not host:port");
        }
        if (!publicUrl.isBlank()) {
            URI u;
            try {
                u = URI.create(publicUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("chorus.cluster.public-url: " + e.getMessage(), e);
            }
            require(
                    ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
                    "chorus.cluster.public-url must be an http(s) URL, not '" + publicUrl + "'");
        }
        require(!heartbeatInterval.isNegative() && !heartbeatInterval.isZero(), "chorus.cluster.heartbeat-interval");
        require(
                entryTtl.compareTo(heartbeatInterval.multipliedBy(2)) >= 0,
                "chorus.cluster.entry-ttl must be at least twice chorus.cluster.heartbeat-interval,"
                        + " or a live node's entries could expire between two renewals");
        requireMemberTimeout(memberTimeout);
        require(roomParticipantsPerNode >= 0, "chorus.cluster.room-participants-per-node must be 0 or more");
        require(relayPort >= 0 && relayPort < 65536, "chorus.cluster.relay-port must be 0-65535, not " + relayPort);
    }

    private static void requireMemberTimeout(Duration t) {
        require(t.toSeconds() >= 2, "chorus.cluster.member-timeout must be at least 2s");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
