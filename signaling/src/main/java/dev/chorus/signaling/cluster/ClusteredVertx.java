package dev.chorus.signaling.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts Vert.x clustered over Hazelcast for {@code chorus.cluster}. Hazelcast is bound to the configured address
 * and finds members only through the configured list: its multicast, cloud auto-detection (which would probe the
 * cloud metadata address) and phone-home are switched off, so a node contacts nothing but its peers.
 */
public final class ClusteredVertx {

    private ClusteredVertx() {}

    /** Vert.x with {@code options}, joined to the cluster; fails if Hazelcast cannot bind or start. */
    public static Future<Vertx> start(VertxOptions options, ClusterConfig cluster) {
        options.getEventBusOptions().setHost(cluster.host()).setPort(0);
        return Vertx.builder()
                .with(options)
                .withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)))
                .buildClustered();
    }

    static Config hazelcastConfig(ClusterConfig cluster) {
        // Vert.x's own map and multimap settings (its event bus subscriptions live there), then ours.
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(cluster.name());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // Chorus stops Vert.x (and so Hazelcast) itself, after draining its rooms.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Only the configured interface, not every address of the machine.
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(cluster.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(cluster.host()));
        network.setPublicAddress(cluster.host() + ":" + cluster.port());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
        return config;
    }
}
