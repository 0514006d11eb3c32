package dev.chorus.signaling.cluster;

import com.sun.management.OperatingSystemMXBean;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomRegistry;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** This node's directory entry as of now: its addresses and its load. Called on the signaling thread. */
public final class LocalNode implements Supplier<NodeInfo> {

    private final String id;
    /** Read each time: Hazelcast gives a member a new id when it merges back after a partition. */
    private final Supplier<String> memberId;

    private final String url;
    private final String mediaAddress;
    private final int mediaPort;
    private final RoomRegistry rooms;
    private final IntSupplier joinsWaiting;
    private final LongSupplier packetsSent;
    private long lastPackets = -1;
    private long lastMillis;
    private final LongSupplier wallClock;
    private final OperatingSystemMXBean os;
    /** The relay port's {@code host:port}, once it is open. */
    private Supplier<String> relayAddress = () -> "";

    /**
     * @param httpScheme, httpHost, httpPort what the node listens on, for the id and URL when not configured
     */
    public LocalNode(
            ClusterConfig config,
            Supplier<String> memberId,
            String httpScheme,
            String httpHost,
            int httpPort,
            String mediaAddress,
            int mediaPort,
            RoomRegistry rooms,
            IntSupplier joinsWaiting,
            LongSupplier packetsSent,
            LongSupplier wallClock) {
        this.memberId = memberId;
        this.id = config.nodeId().isBlank() ? config.host() + ":" + httpPort : config.nodeId();
        String host = httpHost.contains(":") ? "[" + httpHost + "]" : httpHost;
        this.url = config.publicUrl().isBlank()
                ? httpScheme + "://" + host + ":" + httpPort
                : config.publicUrl().replaceAll("/+$", "");
        this.mediaAddress = mediaAddress;
        this.mediaPort = mediaPort;
        this.rooms = rooms;
        this.joinsWaiting = joinsWaiting;
        this.packetsSent = packetsSent;
        this.wallClock = wallClock;
        this.os = ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean b ? b : null;
    }

    void relayAddress(Supplier<String> address) {
        this.relayAddress = address;
    }

    private Map<String, Integer> localParticipantsByRoom() {
        Map<String, Integer> m = new HashMap<>();
        for (String name : rooms.roomNames()) {
            Room r = rooms.room(name);
            if (r != null) {
                m.put(name, r.localMembers().size());
            }
        }
        return m;
    }

    @Override
    public NodeInfo get() {
        long now = wallClock.getAsLong();
        long packets = packetsSent.getAsLong();
        long rate = lastPackets < 0 || now <= lastMillis ? 0 : (packets - lastPackets) * 1000 / (now - lastMillis);
        lastPackets = packets;
        lastMillis = now;
        return new NodeInfo(
                id,
                memberId.get(),
                url,
                mediaAddress,
                mediaPort,
                rooms.participantCount() + rooms.viewerCount(),
                rooms.roomCount(),
                joinsWaiting.getAsInt(),
                rate,
                os == null ? -1 : os.getProcessCpuLoad(),
                !rooms.acceptingJoins(),
                now,
                relayAddress.get(),
                localParticipantsByRoom());
    }
}
