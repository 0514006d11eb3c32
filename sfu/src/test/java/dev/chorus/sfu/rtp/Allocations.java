package dev.chorus.sfu.rtp;

import java.lang.management.ManagementFactory;

/**
 * Test helper: bytes the current thread allocates while running a task, after a warm-up so
 * class loading and first-call effects are excluded. Uses HotSpot's per-thread counter.
 */
public final class Allocations {
    private Allocations() {}

    public static boolean supported() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()
                && bean.isThreadAllocatedMemoryEnabled();
    }

    public static long bytesAllocatedBy(Runnable task, int warmups) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmups; i++) {
            task.run();
        }
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        task.run();
        return bean.getThreadAllocatedBytes(id) - before;
    }
}
