package dev.chorus.signaling.cluster;

import dev.chorus.sfu.conference.MediaService;
import dev.chorus.signaling.config.ServerConfig;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
        return directory.start().map(v -> {
            rooms.addListener(directory);
            return directory;
        });
    }
}
