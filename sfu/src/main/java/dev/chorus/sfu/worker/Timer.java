package dev.chorus.sfu.worker;

/**
 * A reusable one-shot timer owned by one object on the worker (a producer's keyframe
 * requester, a router's RTCP schedule). Allocate it once, then {@link TimerQueue#schedule}
 * it as often as needed: rescheduling moves it, so it is never pending twice.
 */
public final class Timer {
    /** Callback run on the worker thread when the timer is due. */
    @FunctionalInterface
    public interface Task {
        void onTimer(long nowNanos);
    }

    final Task task;
    final String name;
    long deadlineNanos;
    /** Position in the queue's heap, or -1 when not scheduled. */
    int heapIndex = -1;

    public Timer(String name, Task task) {
        this.name = name;
        this.task = task;
    }

    public boolean isScheduled() {
        return heapIndex >= 0;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public String name() {
        return name;
    }
}
