package dev.chorus.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ice.IceServers;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.RoomRegistryTest.Inbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the server API does to room state, with a fake clock and timers the test fires: rooms made with their own
 * settings and empty timeout, removal, ending, system messages, permissions and the server's mute hold.
 */
class ApiRoomStateTest {

    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private final AtomicInteger ids = new AtomicInteger();
    private final List<long[]> due = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();
    private final RoomRegistry registry = new RoomRegistry(
            5, 3, 50, clock::get, () -> "p" + ids.incrementAndGet(), new ViewerSettings(10, true, 1000, 5), (d, t) -> {
                due.add(new long[] {clock.get() + d});
                tasks.add(t);
            });

    private void advance(long millis) {
        clock.addAndGet(millis);
        for (int i = 0; i < tasks.size(); i++) {
            if (due.get(i)[0] <= clock.get()) {
                Runnable task = tasks.remove(i);
                due.remove(i);
                i--;
                task.run();
            }
        }
    }

    private Participant join(String room, String name, Inbox inbox) throws ProtocolException {
        return registry.join(room, name, Role.PARTICIPANT, inbox, null, IceServers.NONE);
    }

    @Test
    void aCreatedRoomHasItsOwnLimitAndLastsItsEmptyTimeout() throws Exception {
        Room room = registry.create("planned", new RoomSettings(2, 10_000, "m"));
        assertSame(room, registry.room("planned"));
        assertEquals("m", room.settings().metadata());
        advance(9_000);
        Participant a = join("planned", "Ada", new Inbox());
        join("planned", "Bob", new Inbox());
        ProtocolException full = assertThrows(ProtocolException.class, () -> join("planned", "Cy", new Inbox()));
        assertEquals(ErrorCode.ROOM_FULL, full.code());
        advance(5_000); // the creation's timer fires while the room is occupied: kept
        assertSame(room, registry.room("planned"));
        registry.leave(a, LeaveReason.LEFT);
        registry.leave(registry.room("planned").members().iterator().next(), LeaveReason.LEFT);
        advance(9_000);
        assertSame(room, registry.room("planned"), "empty for less than its timeout");
        Participant back = join("planned", "Ada", new Inbox());
        advance(2_000); // the timer of that emptiness fires: someone came back since
        assertSame(room, registry.room("planned"));
        registry.leave(back, LeaveReason.LEFT);
        advance(10_000);
        assertNull(registry.room("planned"));
        assertTrue(room.isClosed());
    }

    @Test
    void aJoinedRoomStillClosesWhenItEmpties() throws Exception {
        Participant a = join("adhoc", "Ada", new Inbox());
        registry.leave(a, LeaveReason.LEFT);
        assertNull(registry.room("adhoc"));
    }

    @Test
    void createRespectsTheRoomLimitAndShutdown() throws Exception {
        registry.create("a", new RoomSettings(0, 1000, null));
        registry.create("b", new RoomSettings(0, 1000, null));
        assertThrows(IllegalStateException.class, () -> registry.create("a", new RoomSettings(0, 1000, null)));
        registry.create("c", new RoomSettings(0, 1000, null));
        assertEquals(
                ErrorCode.TOO_MANY_ROOMS,
                assertThrows(ProtocolException.class, () -> registry.create("d", new RoomSettings(0, 1000, null)))
                        .code());
        registry.stopAcceptingJoins();
        assertEquals(
                ErrorCode.SHUTTING_DOWN,
                assertThrows(ProtocolException.class, () -> registry.create("e", new RoomSettings(0, 1000, null)))
                        .code());
    }

    @Test
    void removeAndEndTellEveryoneWhy() throws Exception {
        Inbox ada = new Inbox();
        Inbox bob = new Inbox();
        Inbox viewer = new Inbox();
        Participant a = join("r", "Ada", ada);
        Participant b = join("r", "Bob", bob);
        registry.join("r", "Vi", Role.VIEWER, viewer, null, IceServers.NONE);
        registry.remove(b, LeaveReason.REMOVED);
        assertFalse(registry.isMember(b));
        assertEquals("removed", bob.last().getString("reason"));
        assertEquals("left", bob.last().getString("type"));
        assertEquals("removed", ada.ofType("participant-left").get(0).getString("reason"));
        Room room = registry.room("r");
        assertEquals(2, registry.end(room));
        assertEquals("room_ended", ada.last().getString("reason"));
        assertEquals("room_ended", viewer.last().getString("reason"));
        assertNull(registry.room("r"));
        assertEquals(0, registry.participantCount());
        assertFalse(registry.isMember(a));
    }

    @Test
    void systemMessagesPermissionsAndTheServersMuteHold() throws Exception {
        Inbox ada = new Inbox();
        Participant a = join("r", "Ada", ada);
        ChatMessage m = registry.systemMessage(a.room(), "Server", "hello");
        assertNull(m.from());
        assertTrue(ada.last().getBoolean("system"));
        assertTrue(a.room().toJson().getLong("chatMessages") >= 1);

        registry.updatePermissions(a, new Permissions(false, true, true, true, false, false, false, false));
        assertEquals("permissions", ada.ofType("permissions").get(0).getString("type"));
        assertTrue(a.audioMuted(), "may no longer publish audio: shown muted");
        assertEquals(
                ErrorCode.PERMISSION_DENIED,
                assertThrows(ProtocolException.class, () -> registry.chat(a, "hi", 1))
                        .code());

        registry.trackMuted(a, new MemberControl.Track("t2", "1", "video", "camera", true), true);
        assertTrue(a.videoMuted());
        assertNotNull(ada.ofType("track-muted").get(0).getJsonObject("track"));
        assertEquals(
                ErrorCode.MUTED_BY_SERVER,
                assertThrows(ProtocolException.class, () -> registry.mute(a, null, false, 2))
                        .code());
        registry.trackMuted(a, new MemberControl.Track("t2", "1", "video", "camera", false), false);
        registry.mute(a, null, false, 3);
        assertFalse(a.videoMuted());
    }
}
