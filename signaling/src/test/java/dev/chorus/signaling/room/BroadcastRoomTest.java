package dev.chorus.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.signaling.ice.IceServers;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.RoomRegistryTest.Inbox;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Broadcast rooms: participants (presenters) are listed, viewers only counted, and the count reaches the room
 * coalesced, with a fake clock and timers the test runs.
 */
class BroadcastRoomTest {

    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private final AtomicInteger ids = new AtomicInteger();
    private final FakeTimers timers = new FakeTimers();

    /** Timers that fire when the test moves the clock past them. */
    private final class FakeTimers implements Timers {
        private final List<long[]> due = new ArrayList<>();
        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void runAfter(long delayMillis, Runnable task) {
            due.add(new long[] {clock.get() + delayMillis});
            tasks.add(task);
        }

        void advance(long millis) {
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

        int pending() {
            return tasks.size();
        }
    }

    private RoomRegistry registry(int maxViewers, boolean viewerChat) {
        return new RoomRegistry(
                2,
                3,
                50,
                clock::get,
                () -> "p" + ids.incrementAndGet(),
                new ViewerSettings(maxViewers, viewerChat, 1000, 5),
                timers);
    }

    private static Participant join(RoomRegistry r, String room, String name, Role role, Inbox inbox)
            throws ProtocolException {
        return r.join(room, name, role, inbox, null, IceServers.NONE);
    }

    @Test
    void viewersSeeThePresentersAndAreNeverListed() throws Exception {
        RoomRegistry registry = registry(10, true);
        Inbox presenter = new Inbox();
        Participant p = join(registry, "live", "Ada", Role.PARTICIPANT, presenter);
        Inbox viewer = new Inbox();
        Participant v = join(registry, "live", "Bob", Role.VIEWER, viewer);

        JsonObject joined = viewer.last();
        assertEquals("joined", joined.getString("type"));
        assertEquals("viewer", joined.getJsonObject("you").getString("role"));
        assertTrue(joined.getJsonObject("you").getBoolean("audioMuted"), "a viewer sends nothing");
        assertEquals(1, joined.getJsonArray("participants").size());
        assertEquals(
                p.id(), joined.getJsonArray("participants").getJsonObject(0).getString("id"));
        assertEquals(1, joined.getInteger("viewers"));

        assertEquals(List.of(), presenter.ofType("participant-joined"), "a viewer is not announced");
        assertEquals(List.of(1), counts(presenter), "the first count goes out at once");

        Inbox second = new Inbox();
        join(registry, "live", "Cy", Role.VIEWER, second);
        assertEquals(
                0,
                second.last().getJsonArray("participants").stream()
                        .filter(o -> ((JsonObject) o).getString("id").equals(v.id()))
                        .count());
        assertEquals(1, registry.room("live").participantCount());
        assertEquals(2, registry.room("live").viewerCount());
        assertEquals(3, registry.room("live").size());
        assertEquals(2, registry.room("live").toJson().getInteger("viewers"));
    }

    @Test
    void viewersReceiveThePresentersPresenceAndMutes() throws Exception {
        RoomRegistry registry = registry(10, true);
        Inbox viewer = new Inbox();
        join(registry, "live", "Bob", Role.VIEWER, viewer);
        Inbox presenter = new Inbox();
        Participant p = join(registry, "live", "Ada", Role.PARTICIPANT, presenter);

        assertEquals(
                p.id(),
                viewer.ofType("participant-joined")
                        .get(0)
                        .getJsonObject("participant")
                        .getString("id"));
        registry.mute(p, true, null);
        assertEquals(1, viewer.ofType("mute").size());
        registry.leave(p, LeaveReason.LEFT);
        assertEquals(p.id(), viewer.ofType("participant-left").get(0).getString("id"));
    }

    @Test
    void aCrowdJoiningCostsEachMemberOneCountPerInterval() throws Exception {
        RoomRegistry registry = registry(1000, true);
        Inbox presenter = new Inbox();
        join(registry, "live", "Ada", Role.PARTICIPANT, presenter);
        List<Inbox> viewers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Inbox inbox = new Inbox();
            join(registry, "live", "v" + i, Role.VIEWER, inbox);
            viewers.add(inbox);
            if (i % 100 == 99) {
                timers.advance(100); // 500 viewers over half a second
            }
        }
        assertEquals(List.of(1), counts(presenter), "the first at once, the rest wait for the interval");
        assertEquals(1, timers.pending(), "one timer per room, not per viewer");

        timers.advance(600);
        assertEquals(List.of(1, 500), counts(presenter));
        assertEquals(List.of(500), counts(viewers.get(499)));
        for (Inbox v : viewers) {
            assertTrue(v.messages.size() <= 3, "joined and at most two counts, got " + v.messages.size());
            assertEquals(List.of(), v.ofType("participant-joined"));
        }

        timers.advance(5000);
        assertEquals(List.of(1, 500), counts(presenter), "no change, no message");
    }

    @Test
    void aCountIsSentOnlyWhenItChanged() throws Exception {
        RoomRegistry registry = registry(10, true);
        Inbox presenter = new Inbox();
        join(registry, "live", "Ada", Role.PARTICIPANT, presenter);
        join(registry, "live", "v1", Role.VIEWER, new Inbox());
        timers.advance(200);
        Participant brief = join(registry, "live", "v2", Role.VIEWER, new Inbox());
        registry.leave(brief, LeaveReason.LEFT);
        timers.advance(1000);
        assertEquals(List.of(1), counts(presenter), "v2 came and went within the interval: still 1");

        timers.advance(2000);
        registry.leave(brief, LeaveReason.LEFT); // idempotent: no count
        Participant v3 = join(registry, "live", "v3", Role.VIEWER, new Inbox());
        assertEquals(List.of(1, 2), counts(presenter), "after a quiet interval a change goes out at once");
        registry.leave(v3, LeaveReason.DISCONNECTED);
        assertEquals(List.of(1, 2), counts(presenter));
        timers.advance(1000);
        assertEquals(List.of(1, 2, 1), counts(presenter));
        assertEquals(List.of(), presenter.ofType("participant-left"), "a viewer's leaving is not announced");
    }

    @Test
    void viewersHaveTheirOwnLimitBesidesTheParticipants() throws Exception {
        RoomRegistry registry = registry(2, true);
        join(registry, "live", "Ada", Role.PARTICIPANT, new Inbox());
        join(registry, "live", "Bea", Role.PARTICIPANT, new Inbox());
        join(registry, "live", "v1", Role.VIEWER, new Inbox());
        join(registry, "live", "v2", Role.VIEWER, new Inbox());

        ProtocolException viewersFull =
                assertThrows(ProtocolException.class, () -> join(registry, "live", "v3", Role.VIEWER, new Inbox()));
        assertEquals(ErrorCode.ROOM_FULL, viewersFull.code());
        assertTrue(viewersFull.getMessage().contains("2 viewers"), viewersFull.getMessage());
        ProtocolException participantsFull = assertThrows(
                ProtocolException.class, () -> join(registry, "live", "Cy", Role.PARTICIPANT, new Inbox()));
        assertEquals(ErrorCode.ROOM_FULL, participantsFull.code());
        assertTrue(participantsFull.getMessage().contains("2 participants"), participantsFull.getMessage());
        assertEquals(4, registry.room("live").size());
    }

    @Test
    void aServerWithoutViewersRefusesThem() throws Exception {
        RoomRegistry registry = registry(0, true);
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> join(registry, "live", "v1", Role.VIEWER, new Inbox()));
        assertEquals(ErrorCode.NOT_ALLOWED, e.code());
        assertEquals("role", e.field());
        assertEquals(null, registry.room("live"), "no room is made for a refused join");
    }

    @Test
    void aViewerAloneKeepsTheRoomAndItClosesWithTheLastViewer() throws Exception {
        RoomRegistry registry = registry(10, true);
        Participant v = join(registry, "live", "v1", Role.VIEWER, new Inbox());
        assertEquals(1, registry.roomCount(), "waiting for the broadcast to start");
        Room room = registry.room("live");
        Participant v2 = join(registry, "live", "v2", Role.VIEWER, new Inbox()); // within the interval: a timer
        registry.leave(v, LeaveReason.LEFT);
        registry.leave(v2, LeaveReason.LEFT);
        assertEquals(0, registry.roomCount());
        assertTrue(room.isClosed());
        timers.advance(2000); // the timer of the closed room does nothing
        assertEquals(0, registry.participantCount());
    }

    @Test
    void viewerChatIsAllowedOrRefusedByConfiguration() throws Exception {
        RoomRegistry open = registry(10, true);
        Inbox presenter = new Inbox();
        join(open, "live", "Ada", Role.PARTICIPANT, presenter);
        Participant v = join(open, "live", "Bob", Role.VIEWER, new Inbox());
        open.chat(v, "hello", 7L);
        assertEquals("Bob", presenter.ofType("chat").get(0).getString("name"));

        RoomRegistry closed = registry(10, false);
        Inbox other = new Inbox();
        Participant p = join(closed, "live", "Ada", Role.PARTICIPANT, other);
        Participant w = join(closed, "live", "Bob", Role.VIEWER, new Inbox());
        ProtocolException e = assertThrows(ProtocolException.class, () -> closed.chat(w, "hello", 8L));
        assertEquals(ErrorCode.NOT_ALLOWED, e.code());
        assertEquals(8L, e.requestId());
        assertEquals(List.of(), other.ofType("chat"));
        closed.chat(p, "presenters still chat", null);
        assertEquals(1, other.ofType("chat").size());
    }

    @Test
    void theRoomsViewersShareOneChatRateAndParticipantsAreNotCounted() throws Exception {
        RoomRegistry registry = registry(10, true); // 5 viewer messages a second, bursts of 10
        Inbox presenter = new Inbox();
        Participant p = join(registry, "live", "Ada", Role.PARTICIPANT, presenter);
        Participant v1 = join(registry, "live", "Bob", Role.VIEWER, new Inbox());
        Participant v2 = join(registry, "live", "Cy", Role.VIEWER, new Inbox());
        for (int i = 0; i < 10; i++) {
            registry.chat(i % 2 == 0 ? v1 : v2, "burst " + i, null);
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> registry.chat(v2, "one too many", 9L));
        assertEquals(ErrorCode.RATE_LIMITED, e.code());
        assertEquals(9L, e.requestId());
        assertThrows(ProtocolException.class, () -> registry.chat(v1, "the other viewer too", null));
        registry.chat(p, "the presenter is not limited by the audience", null);
        assertEquals(11, presenter.ofType("chat").size(), "ten viewer messages and the presenter's");

        clock.addAndGet(1_000); // a second later: five more
        for (int i = 0; i < 5; i++) {
            registry.chat(v1, "later " + i, null);
        }
        assertThrows(ProtocolException.class, () -> registry.chat(v1, "sixth", null));
        assertEquals(16, presenter.ofType("chat").size());
    }

    @Test
    void aViewerHasNothingToMute() throws Exception {
        RoomRegistry registry = registry(10, true);
        Inbox presenter = new Inbox();
        join(registry, "live", "Ada", Role.PARTICIPANT, presenter);
        Participant v = join(registry, "live", "Bob", Role.VIEWER, new Inbox());
        ProtocolException e = assertThrows(ProtocolException.class, () -> registry.mute(v, false, false, null));
        assertEquals(ErrorCode.NOT_ALLOWED, e.code());
        assertEquals(List.of(), presenter.ofType("mute"));
        assertTrue(v.audioMuted() && v.videoMuted(), "a viewer stays muted");
    }

    private static List<Integer> counts(Inbox inbox) {
        return inbox.ofType("viewers").stream().map(m -> m.getInteger("count")).toList();
    }
}
