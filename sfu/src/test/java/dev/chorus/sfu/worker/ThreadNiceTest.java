package dev.chorus.sfu.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The kernel's own record of a thread's nice value, before and after, on fresh threads (the test's stays as is). */
@EnabledOnOs(OS.LINUX)
class ThreadNiceTest {

    private static <T> T onNewThread(java.util.function.Supplier<T> body) throws InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        Thread t = new Thread(() -> result.set(body.get()), "nice-test");
        t.start();
        t.join(10_000);
        return result.get();
    }

    @Test
    void aThreadLowersItselfAndOnlyItself() throws Exception {
        int before = ThreadNice.currentNice();
        int target = Math.min(19, before + 7);
        int[] seen = onNewThread(() -> {
            boolean lowered = ThreadNice.lowerCurrentThread(target);
            return new int[] {lowered ? 1 : 0, ThreadNice.currentNice()};
        });
        assertEquals(1, seen[0], "lowering one's own priority needs no privilege");
        assertEquals(target, seen[1]);
        assertEquals(before, ThreadNice.currentNice(), "the calling thread is untouched");
    }

    @Test
    void aThreadStartedByALoweredThreadInheritsItsValue() throws Exception {
        int target = Math.min(19, ThreadNice.currentNice() + 5);
        AtomicInteger child = new AtomicInteger(Integer.MIN_VALUE);
        onNewThread(() -> {
            ThreadNice.lowerCurrentThread(target);
            Thread c = new Thread(() -> child.set(ThreadNice.currentNice()));
            c.start();
            try {
                c.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertEquals(target, child.get(), "why media threads must start before the set-up threads lower themselves");
    }

    @Test
    void zeroOrAValueAlreadyReachedChangesNothing() throws Exception {
        assertFalse(ThreadNice.lowerCurrentThread(0));
        int before = ThreadNice.currentNice();
        boolean atOrAbove = onNewThread(() -> ThreadNice.lowerCurrentThread(Math.max(1, before)));
        assertTrue(atOrAbove);
    }
}
