package dev.chorus.signaling.cluster;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.relay.RelayPort;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.RemoteMembers;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/** Puts a started server into the cluster directory: its entry, its rooms, and the directory that routes joins. */
public final class ClusterNode {

    private ClusterNode() {}

    /**
     * Publishes this node (listening on {@code httpPort}, its media from {@code media}) and starts its directory,
     * which then hears of {@code rooms}' rooms starting and ending. Call on the signaling thread.
     *
     * @param onNodesChanged gets the {@code cluster} message to send to every socket when a node comes or goes
     */
    public static Future<ClusterDirectory> join(
            Vertx vertx,
            ServerConfig config,
            ClusterMembers members,
            boolean tls,
            int httpPort,
            MediaService media,
            RoomRegistry rooms,
            IntSupplier joinsWaiting,
            Consumer<JsonObject> onNodesChanged) {
        String mediaAddress = config.media().publicAddress().isBlank()
                ? config.media().address()
                : config.media().publicAddress();
        LocalNode self = new LocalNode(
                config.cluster(),
                members::selfId,
                tls ? "https" : "http",
                config.http().host(),
                httpPort,
                mediaAddress,
                media.udpPort(),
                rooms,
                joinsWaiting,
                media::packetsSent,
                System::currentTimeMillis);
        ClusterDirectory directory = new ClusterDirectory(vertx, config.cluster(), members, self, onNodesChanged);
        directory.localParticipants(room -> {
            Room r = rooms.room(room);
            return r == null ? 0 : r.localMembers().size();
        });
        Runnable spanning = () -> {};
        if (config.cluster().roomParticipantsPerNode() > 0) {
            try {
                spanning = spanRooms(vertx, config, media, rooms, self, directory);
            } catch (IOException e) {
                return Future.failedFuture(e);
            }
        }
        Runnable startSpanning = spanning;
        return directory.start().map(v -> {
            rooms.addListener(directory);
            startSpanning.run();
            return directory;
        });
    }

    /**
     * Rooms that span nodes: the relay port, and what keeps each room's members, chat and media the same on every
     * node serving part of it. Returns what starts them once the directory runs.
     */
    private static Runnable spanRooms(
            Vertx vertx,
            ServerConfig config,
            MediaService media,
            RoomRegistry rooms,
            LocalNode self,
            ClusterDirectory directory)
            throws IOException {
        ClusterConfig c = config.cluster();
        RelayPort port = media.openRelay(new InetSocketAddress(InetAddress.getByName(c.host()), c.relayPort()));
        MediaRelays relays = new MediaRelays(
                vertx,
                directory.nodeId(),
                media,
                port,
                id -> directory.liveNodes().get(id));
        self.relayAddress(relays::relayAddress);
        ClusterChat chat = new ClusterChat(vertx, directory, rooms);
        RoomPresence presence = new RoomPresence(
                vertx,
                directory.nodeId(),
                rooms,
                new RemoteMembers(rooms, System::currentTimeMillis),
                relays,
                chat,
                media,
                c.entryTtl().toMillis(),
                System::currentTimeMillis);
        directory.addDebug("relays", relays::toJson);
        directory.addDebug("chat", chat::toJson);
        directory.addDebug("presence", presence::toJson);
        return () -> {
            relays.start();
            chat.start();
            presence.start();
            rooms.setChatOrdering(chat);
            rooms.addListener(presence);
            directory.onLiveNodes(live -> {
                relays.liveNodes(live);
                presence.liveNodes(live);
            });
            directory.onDeparted(gone -> {
                presence.departed(gone);
                relays.departed(directory.liveNodes());
            });
            relays.liveNodes(directory.liveNodes());
            vertx.setPeriodic(c.heartbeatInterval().toMillis(), id -> presence.tick());
        };
    }
}
