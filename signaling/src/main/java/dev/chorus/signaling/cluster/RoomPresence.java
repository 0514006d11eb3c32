package dev.chorus.signaling.cluster;

import dev.chorus.sfu.conference.MediaRoom;
import dev.chorus.sfu.conference.MediaService;
import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.sfu.conference.RelayedTrack;
import dev.chorus.signaling.room.LeaveReason;
import dev.chorus.signaling.room.Participant;
import dev.chorus.signaling.room.RemoteMembers;
import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomListener;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The members of rooms that span nodes, the same on every node that serves part of a room. Each node publishes, to
 * every node, its own members of each of its rooms (as their neighbours see them, plus the tracks they publish):
 * whenever one joins, leaves, mutes or publishes, and again every heartbeat. A node that serves the room too makes
 * its copy match ({@link RemoteMembers}) and wires the members' media ({@link MediaRelays}). A node that leaves
 * the cluster (killed, cut off, frozen past the member timeout), takes its
 * members with it (the membership says so; a description silent for three entry TTLs is the backstop). A room that
 * starts here asks the others to describe theirs at once. Signaling thread.
 */
public final class RoomPresence implements RoomListener {
    static final String ADDRESS = "chorus.cluster.presence";
    /**
     * A node still a member but silent about a room this many entry TTLs is taken to have left it (its last, empty
     * description lost). A dead or cut-off node is known sooner, from the membership ({@link #departed}): a slow
     * node (a long pause, a loaded machine) must not flap its members out and in.
     */
    static final int SILENCE_TTLS = 3;

    private final Vertx vertx;
    private final String selfId;
    private final RoomRegistry rooms;
    private final RemoteMembers remote;
    private final MediaRelays relays;
    private final ClusterChat chat;
    private final MediaService media;
    private final long ttlMillis;
    private final LongSupplier clockMillis;
    /** Room, then node: when that node last described its members of the room. */
    private final Map<String, Map<String, Long>> heard = new HashMap<>();
    /** The live nodes as the directory last read them. */
    private Map<String, NodeInfo> live = Map.of();

    private long descriptionsSent;
    private long descriptionsReceived;

    public RoomPresence(
            Vertx vertx,
            String selfId,
            RoomRegistry rooms,
            RemoteMembers remote,
            MediaRelays relays,
            ClusterChat chat,
            MediaService media,
            long ttlMillis,
            LongSupplier clockMillis) {
        this.vertx = vertx;
        this.selfId = selfId;
        this.rooms = rooms;
        this.remote = remote;
        this.relays = relays;
        this.chat = chat;
        this.media = media;
        this.ttlMillis = ttlMillis;
        this.clockMillis = clockMillis;
    }

    public void start() {
        vertx.eventBus().<JsonObject>consumer(ADDRESS, m -> received(m.body()));
    }

    /**
     * Every heartbeat: each room that other nodes serve too is described again (a room of this node alone costs the
     * cluster nothing); rooms of nodes gone silent lose those nodes' members.
     */
    public void tick() {
        for (String name : rooms.roomNames()) {
            if (heard.containsKey(name) || servedElsewhere(name)) {
                describe(name, false);
            }
        }
        long now = clockMillis.getAsLong();
        for (Map.Entry<String, Map<String, Long>> r : List.copyOf(heard.entrySet())) {
            for (Map.Entry<String, Long> n : List.copyOf(r.getValue().entrySet())) {
                if (now - n.getValue() > SILENCE_TTLS * ttlMillis) {
                    r.getValue().remove(n.getKey());
                    remote.roomLost(r.getKey(), n.getKey());
                    relays.nodeLost(r.getKey(), n.getKey());
                }
            }
        }
    }

    private boolean servedElsewhere(String room) {
        for (NodeInfo n : live.values()) {
            if (!n.id().equals(selfId) && n.serves(room)) {
                return true;
            }
        }
        return false;
    }

    /** The directory's live nodes, for which rooms other nodes serve. */
    void liveNodes(Map<String, NodeInfo> live) {
        this.live = live;
    }

    /** Nodes whose cluster member left: their members leave every room here. */
    void departed(List<String> nodes) {
        for (String node : nodes) {
            heard.values().forEach(m -> m.remove(node));
            remote.nodeLost(node);
            relays.nodeLost(null, node);
        }
    }

    private void describe(String roomName, boolean askOthers) {
        Room room = rooms.room(roomName);
        JsonArray members = new JsonArray();
        if (room != null) {
            MediaRoom mediaRoom = media.existingRoom(roomName);
            for (Participant p : room.localMembers()) {
                JsonObject view = p.toJson();
                if (mediaRoom != null) {
                    List<RelayedTrack> tracks = mediaRoom.relayedTracks(p.id());
                    view.put("tracks", new JsonArray(RelayedTrack.toJson(tracks).toString()));
                }
                members.add(view);
            }
        }
        descriptionsSent++;
        vertx.eventBus()
                .publish(
                        ADDRESS,
                        new JsonObject()
                                .put("node", selfId)
                                .put("room", roomName)
                                .put("members", members)
                                .put("ask", askOthers));
    }

    private void received(JsonObject d) {
        String node = d.getString("node");
        String roomName = d.getString("room");
        if (node == null || roomName == null || node.equals(selfId) || rooms.room(roomName) == null) {
            return;
        }
        descriptionsReceived++;
        List<JsonObject> members = new ArrayList<>();
        for (Object o : d.getJsonArray("members", new JsonArray())) {
            if (o instanceof JsonObject m) {
                members.add(m);
            }
        }
        heard.computeIfAbsent(roomName, r -> new HashMap<>()).put(node, clockMillis.getAsLong());
        remote.apply(roomName, node, members);
        relays.described(roomName, node, members);
        if (d.getBoolean("ask", false)) {
            describe(roomName, false);
        }
    }

    @Override
    public void roomStarted(Room room) {
        describe(room.name(), true);
        chat.roomStarted(room.name());
    }

    @Override
    public void participantJoined(Participant participant) {
        describe(participant.room().name(), false);
    }

    @Override
    public void participantLeft(Participant participant, LeaveReason reason) {
        describe(participant.room().name(), false);
    }

    @Override
    public void memberChanged(Participant participant) {
        describe(participant.room().name(), false);
    }

    @Override
    public void trackPublished(Participant participant, PublishedTrack track) {
        describe(participant.room().name(), false);
    }

    @Override
    public void trackUnpublished(Participant participant, PublishedTrack track) {
        describe(participant.room().name(), false);
    }

    @Override
    public void roomEnded(Room room) {
        describe(room.name(), false); // nobody here any more: the others drop this node's members at once
        heard.remove(room.name());
        relays.roomEnded(room.name());
        chat.roomEnded(room.name());
    }

    JsonObject toJson() {
        JsonObject rooms = new JsonObject();
        heard.forEach((room, nodes) -> rooms.put(room, new JsonArray(List.copyOf(nodes.keySet()))));
        return new JsonObject()
                .put("descriptionsSent", descriptionsSent)
                .put("descriptionsReceived", descriptionsReceived)
                .put("roomsSharedWith", rooms);
    }
}
