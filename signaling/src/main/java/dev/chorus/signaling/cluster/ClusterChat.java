package dev.chorus.signaling.cluster;

import dev.chorus.signaling.room.Room;
import dev.chorus.signaling.room.RoomRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
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

    public void start() {
        vertx.eventBus().<JsonObject>consumer(DELIVER_ADDRESS, m -> deliver(m.body()));
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
        send(message, true);
    }

    private void send(JsonObject message, boolean retry) {
        directory
                .owner(message.getString("room"))
                .compose(owner -> {
                    if (owner.equals(directory.nodeId())) {
                        number(message);
                        return io.vertx.core.Future.succeededFuture();
                    }
                    return vertx.eventBus()
                            .request(
                                    orderAddress(owner),
                                    message,
                                    new DeliveryOptions().setSendTimeout(ORDER_TIMEOUT_MILLIS))
                            .mapEmpty();
                })
                .onFailure(e -> {
                    if (retry) {
                        // The owner died with the message in flight: once more, through whoever owns the room now.
                        send(message, false);
                    } else {
                        lost++;
                        log.warn(
                                "[room={} participant={}] chat message lost: its room's owner node did not answer: {}",
                                message.getString("room"),
                                message.getString("fromId"),
                                e.toString());
                    }
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

    /** A room ended here: its numbering, if this node had it, starts from what the next owner saw. */
    void roomEnded(String room) {
        numbered.remove(room);
    }

    JsonObject toJson() {
        return new JsonObject().put("roomsNumberedHere", numbered.size()).put("messagesLost", lost);
    }
}
