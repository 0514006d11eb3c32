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
 * A room: its members in join order and its recent chat. Lives from its first join to
 * its last leave; confined to the signaling thread, so it needs no locks.
 */
public final class Room {

    private final String name;
    private final int historyCapacity;
    private final Map<String, Participant> members = new LinkedHashMap<>();
    private final ArrayDeque<ChatMessage> history = new ArrayDeque<>();
    private final long createdAtMillis;
    private long lastChatSeq;

    Room(String name, int historyCapacity, long createdAtMillis) {
        this.name = name;
        this.historyCapacity = historyCapacity;
        this.createdAtMillis = createdAtMillis;
    }

    public String name() {
        return name;
    }

    public int size() {
        return members.size();
    }

    public Collection<Participant> members() {
        return Collections.unmodifiableCollection(members.values());
    }

    void add(Participant p) {
        members.put(p.id(), p);
    }

    boolean remove(Participant p) {
        return members.remove(p.id(), p);
    }

    boolean contains(Participant p) {
        return members.get(p.id()) == p;
    }

    ChatMessage appendChat(Participant from, String text, long ts) {
        ChatMessage message = new ChatMessage(++lastChatSeq, from.id(), from.name(), text, ts);
        if (historyCapacity > 0) {
            if (history.size() == historyCapacity) {
                history.removeFirst();
            }
            history.addLast(message);
        }
        return message;
    }

    JsonArray historyJson() {
        JsonArray array = new JsonArray();
        history.forEach(m -> array.add(m.toHistoryJson()));
        return array;
    }

    /** Sends to every member except {@code except} (null sends to all). */
    void broadcast(JsonObject message, Participant except) {
        // A copy: a send may fail and make its receiver leave while we iterate.
        for (Participant p : List.copyOf(members.values())) {
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
                .put("chatMessages", lastChatSeq)
                .put("chatHistorySize", history.size());
    }
}
