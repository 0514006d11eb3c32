package dev.chorus.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RoomRegistryTest {

    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private final AtomicInteger ids = new AtomicInteger();
    private final RoomRegistry registry = new RoomRegistry(3, 2, 50, clock::get, () -> "p" + ids.incrementAndGet());

    /** A client's inbox. */
    static final class Inbox implements MessageSink {
        final List<JsonObject> messages = new ArrayList<>();

        @Override
        public void send(JsonObject message) {
            messages.add(message);
        }

        List<JsonObject> ofType(String type) {
            return messages.stream()
                    .filter(m -> type.equals(m.getString("type")))
                    .toList();
        }

        JsonObject last() {
            return messages.get(messages.size() - 1);
        }
    }

    @Test
    void joinTellsTheNewcomerWhoIsThereAndTellsTheOthers() throws Exception {
        Inbox ada = new Inbox();
        Inbox grace = new Inbox();
        Participant a = registry.join("room", "Ada", ada, 1L);
        JsonObject joinedA = ada.last();
        assertEquals("joined", joinedA.getString("type"));
        assertEquals(1L, joinedA.getLong("re"));
        assertEquals(a.id(), joinedA.getJsonObject("you").getString("id"));
        assertEquals(0, joinedA.getJsonArray("participants").size());

        Participant g = registry.join("room", "Grace", grace, null);
        JsonArray others = grace.last().getJsonArray("participants");
        assertEquals(1, others.size());
        assertEquals("Ada", others.getJsonObject(0).getString("name"));
        assertNull(grace.last().getValue("re"));

        JsonObject notice = ada.last();
        assertEquals("participant-joined", notice.getString("type"));
        assertEquals(g.id(), notice.getJsonObject("participant").getString("id"));
        assertEquals(2, registry.participantCount());
        assertEquals(1, registry.roomCount());
    }

    @Test
    void roomExistsFromFirstJoinToLastLeave() throws Exception {
        Inbox ada = new Inbox();
        Inbox grace = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        Participant g = registry.join("room", "Grace", grace, null);
        registry.chat(a, "before");
        registry.leave(a, LeaveReason.LEFT);
        JsonObject left = grace.last();
        assertEquals("participant-left", left.getString("type"));
        assertEquals(a.id(), left.getString("id"));
        assertEquals("left", left.getString("reason"));
        assertTrue(registry.room("room") != null);

        registry.leave(g, LeaveReason.TIMEOUT);
        assertNull(registry.room("room"));
        assertEquals(0, registry.participantCount());

        // A new room of the same name starts empty, without the old chat.
        Inbox later = new Inbox();
        registry.join("room", "Later", later, null);
        assertEquals(0, later.last().getJsonArray("chat").size());
    }

    @Test
    void leaveIsIdempotent() throws Exception {
        Inbox ada = new Inbox();
        Inbox grace = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        registry.join("room", "Grace", grace, null);
        registry.leave(a, LeaveReason.DISCONNECTED);
        registry.leave(a, LeaveReason.TIMEOUT);
        assertEquals(1, grace.ofType("participant-left").size());
        assertEquals("disconnected", grace.ofType("participant-left").get(0).getString("reason"));
    }

    @Test
    void chatIsOrderedEchoedAndStampedWithServerTime() throws Exception {
        Inbox ada = new Inbox();
        Inbox grace = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        Participant g = registry.join("room", "Grace", grace, null);
        clock.set(42_000L);
        registry.chat(a, "one");
        registry.chat(g, "two");
        registry.chat(a, "three");
        for (Inbox inbox : List.of(ada, grace)) {
            List<JsonObject> chats = inbox.ofType("chat");
            assertEquals(
                    List.of("one", "two", "three"),
                    chats.stream().map(c -> c.getString("text")).toList());
            assertEquals(
                    List.of(1L, 2L, 3L),
                    chats.stream().map(c -> c.getLong("seq")).toList());
            assertEquals(42_000L, chats.get(0).getLong("ts"));
            assertEquals(g.id(), chats.get(1).getString("from"));
            assertEquals("Grace", chats.get(1).getString("name"));
        }
    }

    @Test
    void lateJoinerGetsTheLastFiftyMessagesOldestFirst() throws Exception {
        Inbox ada = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        for (int i = 1; i <= 60; i++) {
            registry.chat(a, "m" + i);
        }
        Inbox late = new Inbox();
        registry.join("room", "Late", late, null);
        JsonArray history = late.last().getJsonArray("chat");
        assertEquals(50, history.size());
        assertEquals("m11", history.getJsonObject(0).getString("text"));
        assertEquals(11L, history.getJsonObject(0).getLong("seq"));
        assertEquals("m60", history.getJsonObject(49).getString("text"));
        assertNull(history.getJsonObject(0).getValue("type"));
    }

    @Test
    void fullRoomAndTooManyRoomsAreRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            registry.join("full", "P" + i, new Inbox(), null);
        }
        ProtocolException full =
                assertThrows(ProtocolException.class, () -> registry.join("full", "Extra", new Inbox(), 9L));
        assertEquals(ErrorCode.ROOM_FULL, full.code());
        assertEquals(9L, full.requestId());
        assertEquals(3, registry.room("full").size());

        registry.join("second", "X", new Inbox(), null);
        ProtocolException tooMany =
                assertThrows(ProtocolException.class, () -> registry.join("third", "Y", new Inbox(), null));
        assertEquals(ErrorCode.TOO_MANY_ROOMS, tooMany.code());
        assertNull(registry.room("third"));
    }

    @Test
    void roomsAreIsolated() throws Exception {
        Inbox ada = new Inbox();
        Inbox bob = new Inbox();
        Participant a = registry.join("one", "Ada", ada, null);
        registry.join("two", "Bob", bob, null);
        registry.chat(a, "only for room one");
        registry.mute(a, true, null);
        assertEquals(0, bob.last().getJsonArray("participants").size());
        assertEquals(1, bob.messages.size());
    }

    @Test
    void muteKeepsUnspecifiedFlagAndBroadcasts() throws Exception {
        Inbox ada = new Inbox();
        Inbox grace = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        registry.join("room", "Grace", grace, null);
        registry.mute(a, true, null);
        registry.mute(a, null, true);
        registry.mute(a, false, null);
        JsonObject last = grace.last();
        assertEquals("mute", last.getString("type"));
        assertEquals(false, last.getBoolean("audioMuted"));
        assertEquals(true, last.getBoolean("videoMuted"));
        assertEquals(3, ada.ofType("mute").size());

        Inbox late = new Inbox();
        registry.join("room", "Late", late, null);
        JsonObject adaAsSeen = late.last().getJsonArray("participants").getJsonObject(0);
        assertEquals(true, adaAsSeen.getBoolean("videoMuted"));
    }

    @Test
    void drainingRefusesNewJoinsButKeepsRooms() throws Exception {
        Inbox ada = new Inbox();
        Participant a = registry.join("room", "Ada", ada, null);
        registry.stopAcceptingJoins();
        assertEquals(
                ErrorCode.SHUTTING_DOWN,
                assertThrows(ProtocolException.class, () -> registry.join("room", "Late", new Inbox(), null))
                        .code());
        registry.chat(a, "still here");
        assertEquals("still here", ada.last().getString("text"));
    }

    @Test
    void idClashesAreRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RoomRegistry clashing =
                new RoomRegistry(5, 5, 50, clock::get, () -> calls.incrementAndGet() <= 2 ? "same" : "other");
        Participant first = clashing.join("r", "A", new Inbox(), null);
        Participant second = clashing.join("r", "B", new Inbox(), null);
        assertEquals("same", first.id());
        assertEquals("other", second.id());
    }
}
