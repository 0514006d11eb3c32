package dev.chorus.signaling.room;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;

/** A member of a room. Mutable state is touched only on the signaling thread. */
public final class Participant {

    private final String id;
    private final String name;
    private final Room room;
    private final Role role;
    private final MessageSink sink;
    private final long joinedAtMillis;
    private final String identity;
    private Permissions permissions;
    /** Sources ("mic", "camera", "screen") the server API muted: the member may not unmute them itself. */
    private final Set<String> mutedByServer = new HashSet<>();

    private boolean audioMuted;
    private boolean videoMuted;
    /** Cluster mode: the node a member of another node is connected to; null for this node's own members. */
    private final String homeNode;
    /** How that node shows the member ({@link #toJson()}), mute flags aside. */
    private JsonObject remoteView;

    Participant(String id, String name, Room room, Role role, MessageSink sink, long joinedAtMillis) {
        this(id, name, room, role, null, Permissions.OPEN, sink, joinedAtMillis);
    }

    /**
     * @param identity    the join token's {@code sub}, or null
     * @param permissions what the member may do (its token's, or {@link Permissions#OPEN})
     */
    Participant(
            String id,
            String name,
            Room room,
            Role role,
            String identity,
            Permissions permissions,
            MessageSink sink,
            long joinedAtMillis) {
        this(id, name, room, role, identity, permissions, sink, joinedAtMillis, null);
    }

    private Participant(
            String id,
            String name,
            Room room,
            Role role,
            String identity,
            Permissions permissions,
            MessageSink sink,
            long joinedAtMillis,
            String homeNode) {
        this.homeNode = homeNode;
        this.id = id;
        this.identity = identity;
        this.permissions = permissions;
        this.name = name;
        this.room = room;
        this.role = role;
        this.sink = sink;
        this.joinedAtMillis = joinedAtMillis;
        // A viewer sends nothing, and says so; so does a member whose token forbids a kind.
        this.audioMuted = role == Role.VIEWER || !permissions.publishAudio();
        this.videoMuted = role == Role.VIEWER || !permissions.publishVideo();
    }

    /**
     * A member of the room connected to another cluster node, as that node describes it ({@code view}: its
     * {@link #toJson()} there). Nothing is sent to it here; its own node does that.
     */
    static Participant remote(String node, JsonObject view, Room room, long joinedAtMillis) {
        Participant p = new Participant(
                view.getString("id"),
                view.getString("name", ""),
                room,
                Role.PARTICIPANT,
                view.getString("identity"),
                Permissions.OPEN,
                message -> {},
                joinedAtMillis,
                node);
        p.remoteView = view.copy();
        p.setMuted(view.getBoolean("audioMuted", false), view.getBoolean("videoMuted", false));
        return p;
    }

    /** The cluster node a member of another node is connected to; null for this node's own members. */
    public String homeNode() {
        return homeNode;
    }

    public boolean isRemote() {
        return homeNode != null;
    }

    void setRemoteView(JsonObject view) {
        remoteView = view.copy();
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Room room() {
        return room;
    }

    public Role role() {
        return role;
    }

    /** The join token's {@code sub}, or null. */
    public String identity() {
        return identity;
    }

    public Permissions permissions() {
        return permissions;
    }

    /** The server API changed what the member may do; enforced from the next thing it does. */
    void setPermissions(Permissions permissions) {
        this.permissions = permissions;
    }

    /** Whether the server API muted this member's track of {@code source} ("mic", "camera", "screen"). */
    public boolean mutedByServer(String source) {
        return mutedByServer.contains(source);
    }

    void setMutedByServer(String source, boolean muted) {
        if (muted) {
            mutedByServer.add(source);
        } else {
            mutedByServer.remove(source);
        }
    }

    /** Its running session's controls for the server API, or null (a test's plain sink). */
    public MemberControl control() {
        return sink instanceof MemberControl c ? c : null;
    }

    /** A viewer only receives and is counted, not listed. */
    public boolean isViewer() {
        return role == Role.VIEWER;
    }

    public boolean audioMuted() {
        return audioMuted;
    }

    public boolean videoMuted() {
        return videoMuted;
    }

    public long joinedAtMillis() {
        return joinedAtMillis;
    }

    void setMuted(Boolean audio, Boolean video) {
        if (audio != null) {
            audioMuted = audio;
        }
        if (video != null) {
            videoMuted = video;
        }
    }

    void send(JsonObject message) {
        sink.send(message);
    }

    /** The participant as other clients see it. */
    public JsonObject toJson() {
        if (remoteView != null) {
            return remoteView.copy().put("audioMuted", audioMuted).put("videoMuted", videoMuted);
        }
        JsonObject json = new JsonObject()
                .put("id", id)
                .put("name", name)
                .put("audioMuted", audioMuted)
                .put("videoMuted", videoMuted)
                // Everyone sees who may moderate the room.
                .put("moderator", permissions.moderate());
        if (identity != null) {
            json.put("identity", identity);
        }
        return json;
    }

    /** The participant as it is told about itself in {@code joined}: as others see it, with its role. */
    public JsonObject toSelfJson() {
        return toJson().put("role", role.wire()).put("permissions", permissions.toJson());
    }

    /** For logs: enough context to find every line about this participant. */
    public String logContext() {
        return "room=" + room.name() + " participant=" + id;
    }
}
