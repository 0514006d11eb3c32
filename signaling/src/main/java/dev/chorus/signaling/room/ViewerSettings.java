package dev.chorus.signaling.room;

/**
 * How rooms take viewers ({@code chorus.rooms.max-viewers}, {@code viewer-chat}, {@code viewer-count-interval}).
 *
 * @param maxViewers          viewers per room; 0 refuses every viewer
 * @param viewerChat          whether viewers may chat (their messages go to the whole room)
 * @param countIntervalMillis the shortest time between two {@code viewers} counts sent to a room
 * @param chatPerSecond       chat messages per second a room's viewers may send together (bursts of twice that)
 */
public record ViewerSettings(int maxViewers, boolean viewerChat, long countIntervalMillis, int chatPerSecond) {

    /** No viewers at all: rooms as they were before broadcast rooms. */
    public static final ViewerSettings NONE = new ViewerSettings(0, false, 1000, 1);

    public ViewerSettings {
        if (chatPerSecond <= 0) {
            throw new IllegalArgumentException("chatPerSecond must be positive, got " + chatPerSecond);
        }
        if (maxViewers < 0 || countIntervalMillis <= 0) {
            throw new IllegalArgumentException("maxViewers must be >= 0 and countIntervalMillis positive, got "
                    + maxViewers + ", " + countIntervalMillis);
        }
    }
}
