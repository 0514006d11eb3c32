package dev.chorus.signaling.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** The server-wide join rate, on a hand-driven clock and timers. */
class JoinQueueTest {

    /** Timers on the test's clock: {@link #advance} runs what falls due, in order. */
    private final class FakeTimers {
        private record Due(long atMillis, long seq, Runnable task) {}

        private final PriorityQueue<Due> due = new PriorityQueue<>(
                (a, b) -> a.atMillis != b.atMillis ? Long.compare(a.atMillis, b.atMillis) : Long.compare(a.seq, b.seq));
        private long seq;

        void runAfter(long delayMillis, Runnable task) {
            due.add(new Due(nowMillis + delayMillis, seq++, task));
        }

        void advance(long millis) {
            long end = nowMillis + millis;
            while (!due.isEmpty() && due.peek().atMillis <= end) {
                Due d = due.poll();
                nowMillis = d.atMillis;
                d.task.run();
            }
            nowMillis = end;
        }
    }

    private long nowMillis;
    private final FakeTimers timers = new FakeTimers();
    private final List<String> admitted = new ArrayList<>();

    private JoinQueue queue(double perSecond, int burst, int maxWaiting) {
        return new JoinQueue(perSecond, burst, maxWaiting, () -> nowMillis * 1_000_000, timers::runAfter);
    }

    private final class Join implements JoinQueue.Ticket {
        final String name;
        boolean gone;

        Join(String name) {
            this.name = name;
        }

        @Override
        public boolean cancelled() {
            return gone;
        }

        @Override
        public void admit() {
            admitted.add(name);
        }
    }

    @Test
    void joinsWithinTheBurstGoThroughAtOnceAndTheRestWaitTheirTurnInOrder() {
        JoinQueue q = queue(2, 2, 100);
        assertInstanceOf(JoinQueue.Admitted.class, q.submit(new Join("a")));
        assertInstanceOf(JoinQueue.Admitted.class, q.submit(new Join("b")));
        JoinQueue.Queued c = assertInstanceOf(JoinQueue.Queued.class, q.submit(new Join("c")));
        JoinQueue.Queued d = assertInstanceOf(JoinQueue.Queued.class, q.submit(new Join("d")));
        assertEquals(1, c.position());
        assertEquals(2, d.position());
        assertEquals(500, c.waitMillis(), "one turn every 500 ms at 2 per second");
        assertEquals(1000, d.waitMillis());
        assertEquals(List.of("a", "b"), admitted);

        timers.advance(499);
        assertEquals(List.of("a", "b"), admitted, "no turn before the rate allows");
        timers.advance(1);
        assertEquals(List.of("a", "b", "c"), admitted);
        timers.advance(500);
        assertEquals(List.of("a", "b", "c", "d"), admitted);
        assertEquals(0, q.waiting());
        assertEquals(4, q.toJson().getLong("admitted"));
        assertEquals(2, q.toJson().getLong("queued"));
        assertEquals(1000, q.toJson().getLong("longestWaitMs"));
    }

    @Test
    void aNewJoinDoesNotOvertakeTheOnesWaitingEvenWhenATurnIsFree() {
        JoinQueue q = queue(1, 1, 100);
        q.submit(new Join("a"));
        q.submit(new Join("b"));
        nowMillis += 2000; // the bucket refilled, but no timer has run yet
        assertInstanceOf(JoinQueue.Queued.class, q.submit(new Join("c")), "b waits: c goes behind it");
        timers.advance(0);
        timers.advance(1000);
        assertEquals(List.of("a", "b", "c"), admitted);
    }

    @Test
    void aJoinWhoseClientLeftIsSkippedWithoutUsingATurn() {
        JoinQueue q = queue(1, 1, 100);
        q.submit(new Join("a"));
        Join gone = new Join("gone");
        q.submit(gone);
        q.submit(new Join("c"));
        gone.gone = true;
        timers.advance(1000);
        assertEquals(List.of("a", "c"), admitted, "c takes the turn the departed join would have had");
        assertEquals(1, q.toJson().getLong("leftWhileWaiting"));
    }

    @Test
    void beyondTheQueueAJoinIsRefusedAndTheOthersStillGetTheirTurn() {
        JoinQueue q = queue(1, 1, 2);
        q.submit(new Join("a"));
        q.submit(new Join("b"));
        q.submit(new Join("c"));
        JoinQueue.Full full = assertInstanceOf(JoinQueue.Full.class, q.submit(new Join("d")));
        assertEquals(2, full.waiting());
        timers.advance(3000);
        assertEquals(List.of("a", "b", "c"), admitted);
        assertEquals(1, q.toJson().getLong("refusedQueueFull"));
        assertInstanceOf(JoinQueue.Admitted.class, q.submit(new Join("e")), "the queue drained: room again");
    }

    @Test
    void aRateBelowOnePerSecondSpacesTheTurnsOut() {
        JoinQueue q = queue(0.5, 1, 10);
        q.submit(new Join("a"));
        JoinQueue.Queued b = assertInstanceOf(JoinQueue.Queued.class, q.submit(new Join("b")));
        assertEquals(2000, b.waitMillis());
        timers.advance(1999);
        assertEquals(List.of("a"), admitted);
        timers.advance(1);
        assertEquals(List.of("a", "b"), admitted);
    }

    @Test
    void zeroPerSecondAdmitsEveryJoinAtOnce() {
        JoinQueue q = queue(0, 0, 0);
        for (int i = 0; i < 1000; i++) {
            assertInstanceOf(JoinQueue.Admitted.class, q.submit(new Join("j" + i)));
        }
        assertEquals(1000, admitted.size());
        assertEquals(0.0, q.toJson().getDouble("joinsPerSecond"));
    }
}
