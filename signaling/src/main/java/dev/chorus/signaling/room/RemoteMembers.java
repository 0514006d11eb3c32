package dev.chorus.signaling.room;

import dev.chorus.signaling.protocol.ServerMessages;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: the members of this node's rooms that are connected to other nodes. Each node describes its own
 * members of a room in full, again and again; {@link #apply} makes the room here match the latest description
 * of that node, telling this node's members who came, who left and whose mute flags changed, exactly as for their
 * own neighbours. Such members are listed, never sent to, not counted in this node's load, and not reported to
 * the room listeners (webhooks): their own node does that. Signaling thread.
 */
public final class RemoteMembers {
    private static final Logger log = LoggerFactory.getLogger(RemoteMembers.class);

    private final RoomRegistry rooms;
    private final LongSupplier clockMillis;

    public RemoteMembers(RoomRegistry rooms, LongSupplier clockMillis) {
        this.rooms = rooms;
        this.clockMillis = clockMillis;
    }

    /**
     * Makes {@code node}'s members of {@code roomName} here what {@code members} lists (each as that node's
     * {@link Participant#toJson()}); nothing when the room does not live here. Entries without an id are skipped.
     *
     * @return the room's members of that node after the change
     */
    public List<Participant> apply(String roomName, String node, List<JsonObject> members) {
        Room room = rooms.room(roomName);
        if (room == null) {
            return List.of();
        }
        Map<String, JsonObject> next = new LinkedHashMap<>();
        for (JsonObject m : members) {
            if (m.getValue("id") instanceof String id && !id.isEmpty()) {
                next.put(id, m);
            }
        }
        for (Participant p : of(room, node)) {
            if (!next.containsKey(p.id())) {
                leave(p, LeaveReason.LEFT);
            }
        }
        List<Participant> now = new ArrayList<>();
        for (JsonObject view : next.values()) {
            Participant p = room.member(view.getString("id"));
            if (p != null && !node.equals(p.homeNode())) {
                continue; // the same id on two nodes: the first one stays
            }
            if (p == null) {
                p = Participant.remote(node, view, room, clockMillis.getAsLong());
                room.add(p);
                room.broadcast(ServerMessages.participantJoined(p.toJson()), p);
                log.info("{} joined on node {} ({} in room)", p.logContext(), node, room.size());
            } else {
                boolean audio = view.getBoolean("audioMuted", false);
                boolean video = view.getBoolean("videoMuted", false);
                boolean muteChanged = audio != p.audioMuted() || video != p.videoMuted();
                p.setRemoteView(view);
                if (muteChanged) {
                    p.setMuted(audio, video);
                    room.broadcast(ServerMessages.mute(p.id(), audio, video), null);
                }
            }
            now.add(p);
        }
        return now;
    }

    /** Everyone of {@code node} leaves every room here (the node is gone, or cut off from this one). */
    public void nodeLost(String node) {
        for (String name : rooms.roomNames()) {
            Room room = rooms.room(name);
            for (Participant p : of(room, node)) {
                leave(p, LeaveReason.NODE_LOST);
            }
        }
    }

    /** {@code node}'s members of {@code roomName} leave here (its description of the room stopped coming). */
    public void roomLost(String roomName, String node) {
        Room room = rooms.room(roomName);
        if (room != null) {
            for (Participant p : of(room, node)) {
                leave(p, LeaveReason.NODE_LOST);
            }
        }
    }

    private void leave(Participant p, LeaveReason reason) {
        Room room = p.room();
        if (room.remove(p)) {
            room.broadcast(ServerMessages.participantLeft(p.id(), reason.wire()), null);
            log.info("{} left on node {} ({})", p.logContext(), p.homeNode(), reason.wire());
        }
    }

    private static List<Participant> of(Room room, String node) {
        return room.members().stream().filter(p -> node.equals(p.homeNode())).toList();
    }
}
