package dev.chorus.signaling.room;

/**
 * Runs a task later on the signaling thread: a Vert.x timer on the server's context in production, a queue the
 * test drives with its own clock in tests.
 */
@FunctionalInterface
public interface Timers {
    void runAfter(long delayMillis, Runnable task);
}
