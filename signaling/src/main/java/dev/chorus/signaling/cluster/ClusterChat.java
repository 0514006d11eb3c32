package dev.chorus.signaling.cluster;

import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat of rooms that span nodes, in one order on every node: a message goes to the room's owner node (the
 * directory's entry for the room), which numbers it and publishes it to every node; each node keeps and shows the
 * messages of its rooms by number, once. When the owner is gone the sender's node claims the room and numbers from
 * the highest number it has seen, so the order goes on. Signaling thread.
 */
public final class ClusterChat implements RoomRegistry.ChatOrdering {
    private static final Logger log = LoggerFactory.getLogger(ClusterChat.class);
    static final String DELIVER_ADDRESS = "chorus.cluster.chat";
    static final long ORDER_TIMEOUT_MILLIS = 2000;

    private final Vertx vertx;
    private final ClusterDirectory directory;
    private final RoomRegistry rooms;
    /** Messages of this node's members waiting to reach their room's owner, per room, oldest first. */
    private final Map<String, ArrayDeque<JsonObject>> pending = new HashMap<>();
    /** The last number this node gave out per room, as its owner. */
    private final Map<String, Long> numbered = new HashMap<>();

    private long lost;

    public ClusterChat(Vertx vertx, ClusterDirectory directory, RoomRegistry rooms) {
        this.vertx = vertx;
        this.directory = directory;
        this.rooms = rooms;
    }

    static String orderAddress(String node) {
        return "chorus.cluster.chat.order." + node;
    }

    static String historyAddress(String node) {
        return "chorus.cluster.chat.history." + node;
    }

    public void start() {
        vertx.eventBus().<JsonObject>consumer(DELIVER_ADDRESS, m -> deliver(m.body()));
        vertx.eventBus().<JsonObject>consumer(historyAddress(directory.nodeId()), m -> {
            Room room = rooms.room(m.body().getString("room", ""));
            m.reply(new JsonObject().put("messages", room == null ? new JsonArray() : room.historyJson()));
        });
        vertx.eventBus().<JsonObject>consumer(orderAddress(directory.nodeId()), m -> {
            number(m.body());
            m.reply(new JsonObject().put("ok", true));
        });
    }

    @Override
    public void order(Room room, String fromId, String fromName, String text, long ts) {
        JsonObject message = new JsonObject()
                .put("room", room.name())
                .put("fromId", fromId)
                .put("fromName", fromName)
                .put("text", text)
                .put("ts", ts)
                .put("seenSeq", room.lastChatSeq());
        ArrayDeque<JsonObject> queue = pending.computeIfAbsent(room.name(), r -> new ArrayDeque<>());
        queue.add(message);
        if (queue.size() == 1) {
            sendHead(room.name());
        }
    }

    /**
     * Sends the room's oldest waiting message, and the next once the owner took it: one at a time per room, since
     * the directory's and the event bus's answers may come back in any order, and a member's messages must not.
     */
    private void sendHead(String roomName) {
        ArrayDeque<JsonObject> queue = pending.get(roomName);
        JsonObject message = queue == null ? null : queue.peek();
        if (message == null) {
            return;
        }
        send(message, true).onComplete(ar -> {
            queue.poll();
            if (queue.isEmpty()) {
                pending.remove(roomName, queue);
            } else {
                sendHead(roomName);
            }
        });
    }

    private Future<Void> send(JsonObject message, boolean retry) {
        return directory
                .owner(message.getString("room"))
                .compose(owner -> {
                    if (owner.equals(directory.nodeId())) {
                        number(message);
                        return Future.<Void>succeededFuture();
                    }
                    return vertx.eventBus()
                            .request(
                                    orderAddress(owner),
                                    message,
                                    new DeliveryOptions().setSendTimeout(ORDER_TIMEOUT_MILLIS))
                            .<Void>mapEmpty();
                })
                .recover(e -> {
                    if (retry) {
                        // The owner died with the message in flight: once more, through whoever owns the room now.
                        return send(message, false);
                    }
                    lost++;
                    log.warn(
                            "[room={} participant={}] chat message lost: its room's owner node did not answer: {}",
                            message.getString("room"),
                            message.getString("fromId"),
                            e.toString());
                    return Future.succeededFuture();
                });
    }

    /** As the room's owner: the next number, then to every node (this one included). */
    private void number(JsonObject message) {
        String name = message.getString("room");
        Room room = rooms.room(name);
        long last = Math.max(numbered.getOrDefault(name, 0L), room == null ? 0 : room.lastChatSeq());
        last = Math.max(last, message.getLong("seenSeq", 0L));
        long seq = last + 1;
        numbered.put(name, seq);
        vertx.eventBus().publish(DELIVER_ADDRESS, message.copy().put("seq", seq));
    }

    private void deliver(JsonObject m) {
        if (m.getValue("seq") instanceof Number seq && m.getValue("room") instanceof String room) {
            rooms.deliverChat(
                    room,
                    seq.longValue(),
                    m.getString("fromId"),
                    m.getString("fromName", ""),
                    m.getString("text", ""),
                    m.getLong("ts", 0L));
        }
    }

    /**
     * The room began here while other nodes serve it: its chat so far comes from the owner node, in order, so the
     * members here see what was said before they came (as {@code chat} messages right after {@code joined}).
     */
    void roomStarted(String roomName) {
        directory
                .owner(roomName)
                .compose(owner -> owner.equals(directory.nodeId())
                        ? Future.succeededFuture(new JsonObject())
                        : vertx.eventBus()
                                .<JsonObject>request(
                                        historyAddress(owner),
                                        new JsonObject().put("room", roomName),
                                        new DeliveryOptions().setSendTimeout(ORDER_TIMEOUT_MILLIS))
                                .map(io.vertx.core.eventbus.Message::body))
                .onSuccess(reply -> {
                    for (Object o : reply.getJsonArray("messages", new JsonArray())) {
                        if (o instanceof JsonObject m && m.getValue("seq") instanceof Number seq) {
                            rooms.deliverChat(
                                    roomName,
                                    seq.longValue(),
                                    m.getString("from"),
                                    m.getString("name", ""),
                                    m.getString("text", ""),
                                    m.getLong("ts", 0L));
                        }
                    }
                })
                .onFailure(e -> log.warn("[room={}] chat history not read from its owner: {}", roomName, e.toString()));
    }

    /** A room ended here: its numbering, if this node had it, starts from what the next owner saw. */
    void roomEnded(String room) {
        numbered.remove(room);
    }

    JsonObject toJson() {
        return new JsonObject().put("roomsNumberedHere", numbered.size()).put("messagesLost", lost);
    }
}
