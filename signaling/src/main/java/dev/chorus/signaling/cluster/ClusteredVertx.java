package dev.chorus.signaling.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Starts Vert.x clustered over Hazelcast for {@code chorus.cluster}. Hazelcast is bound to the configured address
 * and finds members only through the configured list: its multicast, cloud auto-detection (which would probe the
 * cloud metadata address) and phone-home are switched off, so a node contacts nothing but its peers.
 */
public final class ClusteredVertx {

    private ClusteredVertx() {}

    /** Vert.x joined to the cluster, and the cluster's membership. */
    public record Started(Vertx vertx, ClusterMembers members) {}

    /** Vert.x with {@code options}, joined to the cluster; fails if Hazelcast cannot bind or start. */
    public static Future<Started> start(VertxOptions options, ClusterConfig cluster) {
        options.getEventBusOptions().setHost(cluster.host()).setPort(0);
        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cluster));
        return Vertx.builder()
                .with(options)
                .withClusterManager(manager)
                .buildClustered()
                .map(vertx -> new Started(vertx, members(manager)));
    }

    private static ClusterMembers members(HazelcastClusterManager manager) {
        Cluster hz = manager.getHazelcastInstance().getCluster();
        return new ClusterMembers() {
            @Override
            public String selfId() {
                return hz.getLocalMember().getUuid().toString();
            }

            @Override
            public Set<String> ids() {
                return hz.getMembers().stream()
                        .map(m -> m.getUuid().toString())
                        .collect(Collectors.toUnmodifiableSet());
            }

            @Override
            public void onRemoved(Consumer<String> removed) {
                hz.addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent e) {}

                    @Override
                    public void memberRemoved(MembershipEvent e) {
                        removed.accept(e.getMember().getUuid().toString());
                    }
                });
            }
        };
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
        // A member that stops answering (cut off, frozen) is dropped after the configured timeout, not 60 s.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty(
                "hazelcast.max.no.heartbeat.seconds",
                Long.toString(cluster.memberTimeout().toSeconds()));
        // After a partition heals, the two sides merge within seconds (Hazelcast waits 5 minutes by default).
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(cluster.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));
        network.setPublicAddress(cluster.host() + ":" + cluster.port());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
        return config;
    }
}
