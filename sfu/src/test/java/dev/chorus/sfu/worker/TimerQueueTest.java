package dev.chorus.sfu.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    @Test
    void runsDueTimersInDeadlineOrderAndSupportsRescheduleAndCancel() {
        TimerQueue q = new TimerQueue();
        List<String> fired = new ArrayList<>();
        Timer a = new Timer("a", now -> fired.add("a@" + now));
        Timer b = new Timer("b", now -> fired.add("b@" + now));
        Timer c = new Timer("c", now -> fired.add("c@" + now));
        q.schedule(a, 30);
        q.schedule(b, 10);
        q.schedule(c, 20);
        q.schedule(a, 5); // moves, not duplicated
        q.cancel(c);
        assertEquals(5, q.nextDeadlineNanos());
        assertEquals(0, q.runDue(4));
        assertEquals(2, q.runDue(100));
        assertEquals(List.of("a@100", "b@100"), fired);
        assertFalse(a.isScheduled());
        assertEquals(Long.MAX_VALUE, q.nextDeadlineNanos());
    }

    @Test
    void manyTimersComeOutSorted() {
        TimerQueue q = new TimerQueue();
        List<Long> fired = new ArrayList<>();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 500; i++) {
            Timer t = new Timer("t" + i, now -> {});
            long deadline = r.nextInt(1_000_000);
            Timer recorder = new Timer("r" + i, now -> fired.add(deadline));
            q.schedule(recorder, deadline);
            q.schedule(t, deadline);
            q.cancel(t);
        }
        q.runDue(Long.MAX_VALUE / 2);
        assertEquals(500, fired.size());
        for (int i = 1; i < fired.size(); i++) {
            assertFalse(fired.get(i) < fired.get(i - 1), "sorted");
        }
    }
}
