package dev.chorus.signaling.room;

import dev.chorus.sfu.conference.PublishedTrack;
import dev.chorus.signaling.ice.IceServers;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.protocol.ServerMessages;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All rooms and their membership. Every method must be called on the single signaling
 * thread (a Vert.x context): that confinement, not locks, keeps membership and chat
 * order consistent.
 */
public final class RoomRegistry {
    private RoomRecorder recorder;

    private static final Logger log = LoggerFactory.getLogger(RoomRegistry.class);

    private final int maxParticipantsPerRoom;
    private final int maxRooms;
    private final int chatHistory;
    private final LongSupplier clockMillis;
    private final Supplier<String> idGenerator;
    private final ViewerSettings viewerSettings;
    private final ViewerCountAnnouncer viewerCounts;
    private final Timers timers;
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, Participant> participantsById = new HashMap<>();
    private boolean acceptingJoins = true;
    /** Integrations told about rooms, members and tracks (webhooks); see {@link RoomListener}. */
    // Copy-on-write: added once at start-up (maybe from another thread), read on every join and leave.
    private final List<RoomListener> listeners = new CopyOnWriteArrayList<>();
    /** Cluster mode's chat numbering by owner node; null on a single node. */
    private ChatOrdering chatOrdering;

    public RoomRegistry(
            int maxParticipantsPerRoom,
            int maxRooms,
            int chatHistory,
            LongSupplier clockMillis,
            Supplier<String> idGenerator) {
        this(maxParticipantsPerRoom, maxRooms, chatHistory, clockMillis, idGenerator, ViewerSettings.NONE, (d, t) -> {
            throw new IllegalStateException("no timers: this registry takes no viewers");
        });
    }

    /**
     * @param viewers how rooms take viewers (broadcast rooms)
     * @param timers  runs the coalesced viewer counts later, on the signaling thread
     */
    public RoomRegistry(
            int maxParticipantsPerRoom,
            int maxRooms,
            int chatHistory,
            LongSupplier clockMillis,
            Supplier<String> idGenerator,
            ViewerSettings viewers,
            Timers timers) {
        this.maxParticipantsPerRoom = maxParticipantsPerRoom;
        this.maxRooms = maxRooms;
        this.chatHistory = chatHistory;
        this.clockMillis = clockMillis;
        this.idGenerator = idGenerator;
        this.viewerSettings = viewers;
        this.viewerCounts = new ViewerCountAnnouncer(viewers.countIntervalMillis(), clockMillis, timers);
        this.timers = timers;
    }

    /**
     * Adds a participant, sends it {@code joined} and tells the others. Creates the room on
     * its first join.
     */
    public Participant join(String roomName, String displayName, MessageSink sink, Object requestId)
            throws ProtocolException {
        return join(roomName, displayName, sink, requestId, IceServers.NONE);
    }

    /**
     * As {@link #join(String, String, MessageSink, Object)}, with {@code iceServers} minting the
     * participant's STUN/TURN list for its {@code joined} message.
     */
    public Participant join(
            String roomName, String displayName, MessageSink sink, Object requestId, IceServers iceServers)
            throws ProtocolException {
        return join(roomName, displayName, Role.PARTICIPANT, sink, requestId, iceServers);
    }

    /**
     * Adds a participant or a viewer and sends it {@code joined}. A participant is announced to the whole room
     * ({@code participant-joined}); a viewer only changes the room's coalesced viewer count.
     */
    public Participant join(
            String roomName, String displayName, Role role, MessageSink sink, Object requestId, IceServers iceServers)
            throws ProtocolException {
        return join(roomName, displayName, role, null, Permissions.OPEN, sink, requestId, iceServers);
    }

    /**
     * As {@link #join(String, String, Role, MessageSink, Object, IceServers)}, for a member whose join token
     * gave it an {@code identity} (or null) and {@code permissions}.
     */
    public Participant join(
            String roomName,
            String displayName,
            Role role,
            String identity,
            Permissions permissions,
            MessageSink sink,
            Object requestId,
            IceServers iceServers)
            throws ProtocolException {
        if (!acceptingJoins) {
            throw new ProtocolException(ErrorCode.SHUTTING_DOWN, "the server is shutting down", null, requestId);
        }
        if (role == Role.VIEWER && viewerSettings.maxViewers() == 0) {
            throw new ProtocolException(
                    ErrorCode.NOT_ALLOWED,
                    "this server takes no viewers (chorus.rooms.max-viewers = 0); join as a participant",
                    "role",
                    requestId);
        }
        Room room = rooms.get(roomName);
        if (room == null) {
            if (rooms.size() >= maxRooms) {
                throw new ProtocolException(
                        ErrorCode.TOO_MANY_ROOMS,
                        "the server has reached its limit of " + maxRooms + " rooms",
                        null,
                        requestId);
            }
        } else if (role == Role.VIEWER && room.viewerCount() >= viewerSettings.maxViewers()) {
            throw new ProtocolException(
                    ErrorCode.ROOM_FULL,
                    "room " + roomName + " is full (" + viewerSettings.maxViewers() + " viewers)",
                    null,
                    requestId);
        } else if (role == Role.PARTICIPANT && room.participantCount() >= maxParticipants(room)) {
            throw new ProtocolException(
                    ErrorCode.ROOM_FULL,
                    "room " + roomName + " is full (" + maxParticipants(room) + " participants)",
                    null,
                    requestId);
        }
        if (room == null) {
            room = new Room(roomName, chatHistory, clockMillis.getAsLong(), viewerSettings.chatPerSecond());
            rooms.put(roomName, room);
            log.info("room={} created", roomName);
            Room started = room;
            listeners.forEach(l -> l.roomStarted(started));
        }

        Participant participant = new Participant(
                uniqueId(), displayName, room, role, identity, permissions, sink, clockMillis.getAsLong());
        JsonArray others = new JsonArray();
        room.members().forEach(p -> others.add(p.toJson()));
        room.add(participant);
        participantsById.put(participant.id(), participant);

        participant.send(ServerMessages.joined(
                        requestId,
                        roomName,
                        participant.toSelfJson(),
                        others,
                        room.historyJson(),
                        iceServers.forParticipant(participant.id(), clockMillis.getAsLong()),
                        room.viewerCount())
                .put("recording", room.recording() != null));
        if (participant.isViewer()) {
            viewerCounts.changed(room, participant);
            log.debug(
                    "{} joined as viewer '{}' ({} viewers)", participant.logContext(), displayName, room.viewerCount());
        } else {
            room.broadcast(ServerMessages.participantJoined(participant.toJson()), participant);
            log.info("{} joined as '{}' ({} in room)", participant.logContext(), displayName, room.size());
        }
        listeners.forEach(l -> l.participantJoined(participant));
        return participant;
    }

    /** Removes a participant and tells the others; deletes the room when it empties. Idempotent. */
    public void leave(Participant participant, LeaveReason reason) {
        Room room = participant.room();
        if (!room.remove(participant)) {
            return;
        }
        participantsById.remove(participant.id());
        if (participant.isViewer()) {
            log.debug("{} viewer left ({}), {} viewers", participant.logContext(), reason.wire(), room.viewerCount());
        } else {
            room.broadcast(ServerMessages.participantLeft(participant.id(), reason.wire()), null);
            log.info("{} left ({}), {} remain", participant.logContext(), reason.wire(), room.size());
        }
        listeners.forEach(l -> l.participantLeft(participant, reason));
        if (room.localSize() == 0 && rooms.get(room.name()) == room) {
            emptied(room);
        } else if (participant.isViewer()) {
            viewerCounts.changed(room, null);
        }
    }

    /** A room's own limit (server API) or the server's. */
    private int maxParticipants(Room room) {
        int own = room.settings().maxParticipants();
        return own > 0 ? own : maxParticipantsPerRoom;
    }

    /** The room's last member left: it closes now, or after its empty timeout unless someone joins by then. */
    private void emptied(Room room) {
        long timeout = room.settings().emptyTimeoutMillis();
        if (timeout <= 0) {
            closeRoom(room);
            return;
        }
        long since = clockMillis.getAsLong();
        room.setEmptySince(since);
        timers.runAfter(timeout, () -> {
            // Still the same stretch of emptiness: nobody came and left since.
            if (!room.isClosed() && room.localSize() == 0 && room.emptySinceMillis() == since) {
                log.info("room={} empty for {} ms", room.name(), timeout);
                closeRoom(room);
            }
        });
    }

    private void closeRoom(Room room) {
        if (rooms.get(room.name()) == room) {
            rooms.remove(room.name());
        }
        if (!room.isClosed()) {
            room.close();
            log.info("room={} closed", room.name());
            listeners.forEach(l -> l.roomEnded(room));
        }
    }

    /**
     * Makes an empty room with its own settings (server API). It stays for its empty timeout if nobody joins.
     *
     * @throws ProtocolException shutting_down, too_many_rooms
     * @throws IllegalStateException when the room exists (callers check {@link #room} first)
     */
    public Room create(String name, RoomSettings settings) throws ProtocolException {
        if (!acceptingJoins) {
            throw new ProtocolException(ErrorCode.SHUTTING_DOWN, "the server is shutting down");
        }
        if (rooms.containsKey(name)) {
            throw new IllegalStateException("room " + name + " exists");
        }
        if (settings.emptyTimeoutMillis() <= 0) {
            throw new IllegalArgumentException("a room made empty needs an empty timeout");
        }
        if (rooms.size() >= maxRooms) {
            throw new ProtocolException(
                    ErrorCode.TOO_MANY_ROOMS, "the server has reached its limit of " + maxRooms + " rooms");
        }
        Room room = new Room(name, chatHistory, clockMillis.getAsLong(), viewerSettings.chatPerSecond());
        room.setSettings(settings);
        rooms.put(name, room);
        log.info(
                "room={} created by the server API (max participants {}, empty timeout {} ms)",
                name,
                maxParticipants(room),
                settings.emptyTimeoutMillis());
        listeners.forEach(l -> l.roomStarted(room));
        emptied(room);
        return room;
    }

    /** Takes a member out of its room (server API): its media ends, it is told {@code reason}, and so are the others. */
    public void remove(Participant participant, LeaveReason reason) {
        if (!isMember(participant)) {
            return;
        }
        MemberControl control = participant.control();
        if (control != null) {
            control.removeFromRoom(reason);
        }
        if (isMember(participant)) { // a plain sink (tests): leave here
            leave(participant, reason);
            participant.send(ServerMessages.removed(reason.wire()));
        }
    }

    /**
     * The room's recording started ({@code recording} its id) or stopped (null): everyone in it is told, so the page
     * shows it. Nothing is sent when that is the state already.
     */
    public void recordingChanged(Room room, String recording) {
        recordingChanged(room, recording, null, null);
    }

    /** As {@link #recordingChanged(Room, String)}, asked by {@code by} (its copy answers its request {@code re}). */
    public void recordingChanged(Room room, String recording, Participant by, Object re) {
        if (java.util.Objects.equals(room.recording(), recording)) {
            return;
        }
        room.setRecording(recording);
        log.info(
                "room={} recording {}{}",
                room.name(),
                recording == null ? "stopped" : recording + " started",
                by == null ? " (server API)" : " by " + by.id());
        room.broadcast(ServerMessages.recording(recording, null), by);
        if (by != null) {
            by.send(ServerMessages.recording(recording, re));
        }
    }

    /** Who starts and stops room recordings for members' {@code record} messages; null: nobody (no media). */
    public void setRecorder(RoomRecorder recorder) {
        this.recorder = recorder;
    }

    public RoomRecorder recorder() {
        return recorder;
    }

    /** Ends a room (server API): everyone in it is removed with {@code room_ended}, then the room closes. */
    public int end(Room room) {
        List<Participant> everyone = new ArrayList<>(room.localMembers());
        everyone.addAll(room.viewers());
        for (Participant p : everyone) {
            remove(p, LeaveReason.ROOM_ENDED);
        }
        closeRoom(room);
        log.info("room={} ended by the server API ({} removed)", room.name(), everyone.size());
        return everyone.size();
    }

    /** A message from the server (API) to everyone in the room, kept in its chat history. */
    public ChatMessage systemMessage(Room room, String name, String text) {
        ChatMessage message = room.appendChat(null, name, text, clockMillis.getAsLong());
        room.broadcast(message.toJson(), null);
        return message;
    }

    /**
     * New permissions for a member (server API): enforced from its next chat or offer on, and sent to it
     * ({@code permissions}). A kind it may no longer publish is marked muted for everyone.
     */
    public void updatePermissions(Participant participant, Permissions permissions) {
        boolean moderatorChanged = participant.permissions().moderate() != permissions.moderate();
        participant.setPermissions(permissions);
        participant.send(ServerMessages.permissions(permissions.toJson()));
        if (moderatorChanged && !participant.isViewer()) {
            // The others show who moderates.
            participant.room().broadcast(ServerMessages.participantUpdated(participant.toJson()), participant);
        }
        boolean muteAudio = !permissions.publishAudio() && !participant.audioMuted();
        boolean muteVideo = !permissions.publishVideo() && !participant.videoMuted();
        if (!participant.isViewer() && (muteAudio || muteVideo)) {
            mute(participant, muteAudio ? Boolean.TRUE : null, muteVideo ? Boolean.TRUE : null);
        }
        listeners.forEach(l -> l.memberChanged(participant));
        log.info("{} permissions changed by the server API: {}", participant.logContext(), permissions.toJson());
    }

    /**
     * The server API muted or unmuted one of the member's tracks (its session already stopped or resumed forwarding
     * it): the room hears {@code track-muted}; a muted mic or camera also shows as muted ({@code mute}). After an
     * unmute the member may unmute itself again; its flags stay as they are until it does.
     */
    public void trackMuted(Participant participant, MemberControl.Track track, boolean muted) {
        trackMuted(participant, track, muted, null);
    }

    /** As {@link #trackMuted(Participant, MemberControl.Track, boolean)}; {@code by} the moderator, or null. */
    void trackMuted(Participant participant, MemberControl.Track track, boolean muted, Participant by) {
        participant.setMutedByServer(track.source(), muted);
        JsonObject moderator =
                by == null ? null : new JsonObject().put("id", by.id()).put("name", by.name());
        participant
                .room()
                .broadcast(ServerMessages.trackMuted(participant.id(), track.toJson(), muted, moderator), null);
        if (muted && "mic".equals(track.source()) && !participant.audioMuted()) {
            mute(participant, Boolean.TRUE, null);
        } else if (muted && "camera".equals(track.source()) && !participant.videoMuted()) {
            mute(participant, null, Boolean.TRUE);
        }
    }

    /** Appends to the room's history and sends to every member, the sender included. */
    public ChatMessage chat(Participant from, String text, Object requestId) throws ProtocolException {
        if (!from.permissions().chat()) {
            throw new ProtocolException(
                    ErrorCode.PERMISSION_DENIED,
                    "your permissions do not allow chat (join token or server API)",
                    null,
                    requestId);
        }
        if (from.isViewer() && !viewerSettings.viewerChat()) {
            throw new ProtocolException(
                    ErrorCode.NOT_ALLOWED,
                    "viewers cannot chat on this server (chorus.rooms.viewer-chat = false)",
                    null,
                    requestId);
        }
        if (from.isViewer() && !from.room().takeViewerChat(clockMillis.getAsLong())) {
            throw new ProtocolException(
                    ErrorCode.RATE_LIMITED,
                    "the room's viewers have sent their chat for now (chorus.rooms.viewer-chat-per-second = "
                            + viewerSettings.chatPerSecond() + " together); the message was dropped",
                    null,
                    requestId);
        }
        return chat(from, text);
    }

    /**
     * As {@link #chat(Participant, String, Object)}, without the viewer check (participants). In cluster mode the
     * message is numbered by the room's owner node and comes back through {@link #deliverChat}; null is returned.
     */
    public ChatMessage chat(Participant from, String text) {
        Room room = from.room();
        if (chatOrdering != null) {
            chatOrdering.order(room, from.id(), from.name(), text, clockMillis.getAsLong());
            return null;
        }
        ChatMessage message = room.appendChat(from, text, clockMillis.getAsLong());
        room.broadcast(message.toJson(), null);
        return message;
    }

    /** Cluster mode: chat is numbered by each room's owner node, so that every node shows it in one order. */
    public interface ChatOrdering {
        void order(Room room, String fromId, String fromName, String text, long ts);
    }

    public void setChatOrdering(ChatOrdering ordering) {
        this.chatOrdering = ordering;
    }

    /** A message its room's owner numbered: kept and sent to the room here, unless it came already. */
    public void deliverChat(String roomName, long seq, String fromId, String fromName, String text, long ts) {
        Room room = rooms.get(roomName);
        ChatMessage message = room == null ? null : room.appendNumberedChat(seq, fromId, fromName, text, ts);
        if (message != null) {
            room.broadcast(message.toJson(), null);
        }
    }

    /** Changes the participant's mute flags and tells the room. A viewer has nothing to mute. */
    public void mute(Participant participant, Boolean audioMuted, Boolean videoMuted, Object requestId)
            throws ProtocolException {
        if (participant.isViewer()) {
            throw new ProtocolException(
                    ErrorCode.NOT_ALLOWED, "a viewer sends no audio or video, so has nothing to mute", null, requestId);
        }
        Permissions may = participant.permissions();
        if ((Boolean.FALSE.equals(audioMuted) && !may.publishAudio())
                || (Boolean.FALSE.equals(videoMuted) && !may.publishVideo())) {
            throw new ProtocolException(
                    ErrorCode.PERMISSION_DENIED,
                    "your token does not allow publishing " + (may.publishAudio() ? "video" : "audio")
                            + ", so it stays muted",
                    null,
                    requestId);
        }
        if ((Boolean.FALSE.equals(audioMuted) && participant.mutedByServer("mic"))
                || (Boolean.FALSE.equals(videoMuted) && participant.mutedByServer("camera"))) {
            throw new ProtocolException(
                    ErrorCode.MUTED_BY_SERVER,
                    "the server muted your " + (participant.mutedByServer("mic") ? "microphone" : "camera")
                            + "; it stays muted until the server unmutes it",
                    null,
                    requestId);
        }
        mute(participant, audioMuted, videoMuted);
    }

    public void mute(Participant participant, Boolean audioMuted, Boolean videoMuted) {
        participant.setMuted(audioMuted, videoMuted);
        participant
                .room()
                .broadcast(
                        ServerMessages.mute(participant.id(), participant.audioMuted(), participant.videoMuted()),
                        null);
        if (!participant.isRemote()) {
            listeners.forEach(l -> l.memberChanged(participant));
        }
        log.info(
                "{} mute audio={} video={}",
                participant.logContext(),
                participant.audioMuted(),
                participant.videoMuted());
    }

    /** Adds an integration told about rooms, members and tracks from now on. */
    public void addListener(RoomListener listener) {
        listeners.add(listener);
    }

    /**
     * A member's published tracks changed (an offer was answered, or its media ended): tells the listeners,
     * withdrawn tracks first. Nothing is sent to the room: its members learn of tracks through renegotiation.
     */
    public void tracksChanged(Participant participant, List<PublishedTrack> removed, List<PublishedTrack> added) {
        for (PublishedTrack t : removed) {
            listeners.forEach(l -> l.trackUnpublished(participant, t));
        }
        for (PublishedTrack t : added) {
            listeners.forEach(l -> l.trackPublished(participant, t));
        }
    }

    /** Draining: existing rooms carry on, new joins are refused with {@code shutting_down}. */
    public void stopAcceptingJoins() {
        if (acceptingJoins) {
            acceptingJoins = false;
            listeners.forEach(RoomListener::joinsStopped);
        }
    }

    public boolean acceptingJoins() {
        return acceptingJoins;
    }

    public boolean isMember(Participant participant) {
        return participant.room().contains(participant);
    }

    public Room room(String name) {
        return rooms.get(name);
    }

    /** Names of the rooms that exist now, in creation order. */
    public java.util.List<String> roomNames() {
        return java.util.List.copyOf(rooms.keySet());
    }

    public int roomCount() {
        return rooms.size();
    }

    public int participantCount() {
        return participantsById.size();
    }

    /** Viewers in every room; they are also in {@link #participantCount()}. */
    public int viewerCount() {
        int n = 0;
        for (Room r : rooms.values()) {
            n += r.viewerCount();
        }
        return n;
    }

    public Participant participant(String id) {
        return participantsById.get(id);
    }

    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        rooms.values().forEach(r -> list.add(r.toJson()));
        return new JsonObject()
                .put("roomCount", rooms.size())
                .put("participantCount", participantsById.size())
                .put("maxViewersPerRoom", viewerSettings.maxViewers())
                .put("rooms", list);
    }

    private String uniqueId() {
        // Ids are random, so a clash is only possible, not likely; make it impossible.
        String id;
        do {
            id = idGenerator.get();
        } while (participantsById.containsKey(id));
        return id;
    }
}
