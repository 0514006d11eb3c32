package dev.chorus.sfu.worker;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binary min-heap of {@link Timer}s by deadline, run by the worker loop. Single-threaded:
 * only the owning worker schedules, cancels and runs. Scheduling an already scheduled timer
 * moves it. Allocation happens only when the heap array grows.
 */
public final class TimerQueue {
    private static final Logger LOG = LoggerFactory.getLogger(TimerQueue.class);
    private Timer[] heap = new Timer[16];
    private int size;
    private long failures;

    public int size() {
        return size;
    }

    /** Tasks that threw (each was logged and not run again unless it was rescheduled). */
    public long failures() {
        return failures;
    }

    /** Schedules (or reschedules) {@code timer} to fire at {@code deadlineNanos}. */
    public void schedule(Timer timer, long deadlineNanos) {
        if (timer.heapIndex >= 0) {
            timer.deadlineNanos = deadlineNanos;
            siftUp(timer.heapIndex);
            siftDown(timer.heapIndex);
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.deadlineNanos = deadlineNanos;
        timer.heapIndex = size;
        heap[size++] = timer;
        siftUp(size - 1);
    }

    public void cancel(Timer timer) {
        int i = timer.heapIndex;
        if (i < 0) {
            return;
        }
        Timer last = heap[--size];
        heap[size] = null;
        timer.heapIndex = -1;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            siftUp(i);
            siftDown(last.heapIndex);
        }
    }

    /** Deadline of the earliest timer, or {@link Long#MAX_VALUE} when none is scheduled. */
    public long nextDeadlineNanos() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadlineNanos;
    }

    /**
     * Runs every timer due at {@code nowNanos}, earliest first. A task may reschedule its own
     * timer; one rescheduled into the past would run again in the same call, so callers
     * schedule strictly in the future. Returns how many ran.
     */
    public int runDue(long nowNanos) {
        int ran = 0;
        while (size > 0 && heap[0].deadlineNanos - nowNanos <= 0) {
            Timer t = heap[0];
            cancel(t);
            try {
                t.task.onTimer(nowNanos);
            } catch (RuntimeException e) {
                // The failed task is not rescheduled; every other timer on the worker keeps running.
                failures++;
                LOG.error("timer {} failed and stops", t.name(), e);
            }
            ran++;
        }
        return ran;
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (p.deadlineNanos - t.deadlineNanos <= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].deadlineNanos - heap[child].deadlineNanos < 0) {
                child++;
            }
            if (t.deadlineNanos - heap[child].deadlineNanos <= 0) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
