package dev.chorus.signaling.room;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room: its participants in join order, its viewers, and its recent chat. Lives from its first join to
 * its last leave; confined to the signaling thread, so it needs no locks. Participants are listed to
 * everyone; viewers (a broadcast room's audience) are only counted, see {@link ViewerCountAnnouncer}.
 */
public final class Room {

    private final String name;
    private final int historyCapacity;
    private final Map<String, Participant> members = new LinkedHashMap<>();
    private final Map<String, Participant> viewers = new LinkedHashMap<>();
    private final ArrayDeque<ChatMessage> history = new ArrayDeque<>();
    private final long createdAtMillis;
    private long lastChatSeq;
    /** Members connected to other cluster nodes (cluster mode), among {@link #members}. */
    private int remoteCount;

    private int viewerCountSent;
    private long viewerCountSentAt = -1;
    private boolean viewerCountPending;
    private boolean closed;
    /** The id of the room's running recording, null when it is not recorded. */
    private String recording;

    private RoomSettings settings = RoomSettings.JOINED;
    /** When the room last became empty (or was made empty by the server API), epoch ms. */
    private long emptySinceMillis;
    /** A room's viewers together: a thousand within their sockets' limits would still flood every member. */
    private final TokenBucket viewerChat;

    Room(String name, int historyCapacity, long createdAtMillis, int viewerChatPerSecond) {
        this.name = name;
        this.historyCapacity = historyCapacity;
        this.createdAtMillis = createdAtMillis;
        this.viewerChat = new TokenBucket(viewerChatPerSecond, 2 * viewerChatPerSecond, createdAtMillis * 1_000_000L);
    }

    /** Whether one more viewer chat message fits the room's viewer chat rate now. */
    boolean takeViewerChat(long nowMillis) {
        return viewerChat.tryTake(nowMillis * 1_000_000L);
    }

    public String name() {
        return name;
    }

    /** Everyone in the room, participants and viewers. */
    public int size() {
        return members.size() + viewers.size();
    }

    /** The listed members (not viewers). */
    public int participantCount() {
        return members.size();
    }

    public int viewerCount() {
        return viewers.size();
    }

    /** The listed members (not viewers), in join order. */
    public Collection<Participant> members() {
        return Collections.unmodifiableCollection(members.values());
    }

    void add(Participant p) {
        if ((p.isViewer() ? viewers : members).put(p.id(), p) == null && p.isRemote()) {
            remoteCount++;
        }
    }

    boolean remove(Participant p) {
        boolean removed = (p.isViewer() ? viewers : members).remove(p.id(), p);
        if (removed && p.isRemote()) {
            remoteCount--;
        }
        return removed;
    }

    /** Members and viewers connected to this node: the room lives here while it has any. */
    public int localSize() {
        return size() - remoteCount;
    }

    /** The listed member {@code id}, or null. */
    Participant member(String id) {
        return members.get(id);
    }

    /** This node's own listed members, in join order. */
    public List<Participant> localMembers() {
        return members.values().stream().filter(p -> !p.isRemote()).toList();
    }

    boolean contains(Participant p) {
        return (p.isViewer() ? viewers : members).get(p.id()) == p;
    }

    /** The viewers (a broadcast room's audience), in join order. */
    public Collection<Participant> viewers() {
        return Collections.unmodifiableCollection(viewers.values());
    }

    public RoomSettings settings() {
        return settings;
    }

    void setSettings(RoomSettings settings) {
        this.settings = settings;
    }

    /** When the room was made, epoch ms. */
    public long createdAtMillis() {
        return createdAtMillis;
    }

    long emptySinceMillis() {
        return emptySinceMillis;
    }

    void setEmptySince(long millis) {
        emptySinceMillis = millis;
    }

    /** The viewer count last sent to the room, and when (epoch ms; -1 never). */
    int viewerCountSent() {
        return viewerCountSent;
    }

    long lastViewerCountSentAt() {
        return viewerCountSentAt;
    }

    void viewerCountSent(int count, long atMillis) {
        viewerCountSent = count;
        viewerCountSentAt = atMillis;
    }

    boolean viewerCountPending() {
        return viewerCountPending;
    }

    void setViewerCountPending(boolean pending) {
        viewerCountPending = pending;
    }

    /** The id of the room's running recording, or null. */
    public String recording() {
        return recording;
    }

    void setRecording(String recording) {
        this.recording = recording;
    }

    /** The room emptied and is gone from the registry; a timer still set for it does nothing. */
    boolean isClosed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    ChatMessage appendChat(Participant from, String text, long ts) {
        return appendChat(from.id(), from.name(), text, ts);
    }

    /** The last chat number given out or delivered here. */
    public long lastChatSeq() {
        return lastChatSeq;
    }

    /**
     * A message numbered elsewhere (cluster mode: by the room's owner node): kept and returned when it is new, null
     * when a message with that number or a later one was delivered already.
     */
    ChatMessage appendNumberedChat(long seq, String fromId, String fromName, String text, long ts) {
        if (seq <= lastChatSeq) {
            return null;
        }
        lastChatSeq = seq - 1;
        return appendChat(fromId, fromName, text, ts);
    }

    /** A message from {@code fromId} (null: the server) under {@code name}. */
    ChatMessage appendChat(String fromId, String fromName, String text, long ts) {
        ChatMessage message = new ChatMessage(++lastChatSeq, fromId, fromName, text, ts);
        if (historyCapacity > 0) {
            if (history.size() == historyCapacity) {
                history.removeFirst();
            }
            history.addLast(message);
        }
        return message;
    }

    /** The chat history kept here, oldest first, as {@code joined} lists it. */
    public JsonArray historyJson() {
        JsonArray array = new JsonArray();
        history.forEach(m -> array.add(m.toHistoryJson()));
        return array;
    }

    /** Sends to every member, viewers included, except {@code except} (null sends to all). */
    void broadcast(JsonObject message, Participant except) {
        // A copy: a send may fail and make its receiver leave while we iterate.
        for (Participant p : List.copyOf(members.values())) {
            if (p != except) {
                p.send(message);
            }
        }
        for (Participant p : List.copyOf(viewers.values())) {
            if (p != except) {
                p.send(message);
            }
        }
    }

    /** State for /debug. */
    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        members.values().forEach(p -> list.add(p.toJson().put("joinedAt", p.joinedAtMillis())));
        return new JsonObject()
                .put("name", name)
                .put("createdAt", createdAtMillis)
                .put("participants", list)
                .put("viewers", viewers.size())
                .put("recording", recording)
                .put("chatMessages", lastChatSeq)
                .put("chatHistorySize", history.size());
    }
}
