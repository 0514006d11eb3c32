package dev.chorus.sfu.worker;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority (raises the nice value) of the calling thread, for the threads that set sessions up
 * (signaling, DTLS handshakes) so that on a busy machine the kernel runs the media threads first: a join storm
 * then slows joins down instead of delaying every running room's packets. Java has no API for a thread's nice
 * value (its thread priorities are ignored on Linux), so this calls libc's {@code setpriority} on the thread's
 * id through JNA. Lowering one's own priority needs no privilege. Where it cannot (not Linux, no JNA, a
 * sandbox that refuses the call) it logs once and the thread keeps its priority: slower under load, not wrong.
 *
 * <p>A thread starts with the nice value of the thread that starts it, and an unprivileged process cannot bring
 * it back down: lower only threads that start no media thread (after the media threads are running).
 */
public final class ThreadNice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
    private static final int PRIO_PROCESS = 0;

    /** The libc calls used; {@code gettid} needs glibc 2.30 or later. */
    interface LibC extends Library {
        int gettid();

        int setpriority(int which, int who, int prio);

        int getpriority(int which, int who);
    }

    private static final AtomicInteger LOWERED = new AtomicInteger();
    private static volatile boolean unavailableLogged;
    private static volatile LibC libc;

    private ThreadNice() {}

    /**
     * Sets the calling thread's nice value to {@code nice} (1..19; 0 or less: leaves it) unless it is already that
     * high. Returns whether the thread now runs at that value or lower priority.
     */
    public static boolean lowerCurrentThread(int nice) {
        if (nice <= 0) {
            return false;
        }
        LibC c = libc();
        if (c == null) {
            return false;
        }
        try {
            int tid = c.gettid();
            int now = c.getpriority(PRIO_PROCESS, tid);
            if (now >= nice) {
                return true;
            }
            if (c.setpriority(PRIO_PROCESS, tid, Math.min(19, nice)) != 0) {
                unavailable("setpriority refused (errno " + Native.getLastError() + ")");
                return false;
            }
            LOWERED.incrementAndGet();
            return true;
        } catch (RuntimeException | LinkageError e) {
            unavailable(e.toString());
            return false;
        }
    }

    /** How many threads this process lowered so far (for /debug). */
    public static int lowered() {
        return LOWERED.get();
    }

    /** The calling thread's nice value, or Integer.MIN_VALUE when it cannot be read. */
    public static int currentNice() {
        LibC c = libc();
        if (c == null) {
            return Integer.MIN_VALUE;
        }
        try {
            return c.getpriority(PRIO_PROCESS, c.gettid());
        } catch (RuntimeException | LinkageError e) {
            return Integer.MIN_VALUE;
        }
    }

    private static LibC libc() {
        LibC c = libc;
        if (c != null || unavailableLogged) {
            return c;
        }
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            unavailable("not Linux");
            return null;
        }
        try {
            c = Native.load("c", LibC.class);
            libc = c;
            return c;
        } catch (RuntimeException | LinkageError e) {
            unavailable(e.toString());
            return null;
        }
    }

    private static void unavailable(String why) {
        if (!unavailableLogged) {
            unavailableLogged = true;
            LOG.info(
                    "session set-up threads keep normal CPU priority ({}): a join storm competes with media for CPU",
                    why);
        }
    }
}
