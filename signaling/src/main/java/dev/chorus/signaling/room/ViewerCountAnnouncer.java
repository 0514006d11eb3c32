package dev.chorus.signaling.room;

import dev.chorus.signaling.protocol.ServerMessages;
import java.util.function.LongSupplier;

/**
 * Tells a room how many viewers it has, coalesced: at most one {@code viewers} message per room per interval,
 * and only when the count differs from the one last sent. The first change after a quiet interval goes out at
 * once; changes within the interval wait for its end and go out as one count. So a thousand viewers joining
 * within a second cost each member one or two messages, not a thousand. Signaling thread only.
 */
final class ViewerCountAnnouncer {

    private final long intervalMillis;
    private final LongSupplier clockMillis;
    private final Timers timers;

    ViewerCountAnnouncer(long intervalMillis, LongSupplier clockMillis, Timers timers) {
        this.intervalMillis = intervalMillis;
        this.clockMillis = clockMillis;
        this.timers = timers;
    }

    /**
     * The room's viewer count changed (a viewer joined or left).
     *
     * @param newcomer the viewer who just joined (its {@code joined} has the count already), or null
     */
    void changed(Room room, Participant newcomer) {
        if (room.viewerCountPending()) {
            return; // the timer already set will send the latest count
        }
        long now = clockMillis.getAsLong();
        long wait = room.lastViewerCountSentAt() + intervalMillis - now;
        if (room.lastViewerCountSentAt() < 0 || wait <= 0) {
            announce(room, now, newcomer);
            return;
        }
        room.setViewerCountPending(true);
        timers.runAfter(wait, () -> {
            room.setViewerCountPending(false);
            if (!room.isClosed()) {
                announce(room, clockMillis.getAsLong(), null);
            }
        });
    }

    private static void announce(Room room, long now, Participant except) {
        int count = room.viewerCount();
        if (count == room.viewerCountSent()) {
            return; // joined and left within the interval: nothing to tell
        }
        room.viewerCountSent(count, now);
        room.broadcast(ServerMessages.viewers(count), except);
    }
}
