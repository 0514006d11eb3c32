package dev.chorus.signaling.room;

/**
 * How a room made through the server API behaves; a room a join creates has {@link #JOINED}.
 *
 * @param maxParticipants    listed members at most (viewers apart); 0: the server's {@code chorus.rooms.max-participants}
 * @param emptyTimeoutMillis how long the room stays while nobody is in it (after it is made, and after its last
 *                           member leaves); 0: it closes as soon as it is empty, as a joined room does
 * @param metadata           what the application attached to it (any string, returned as given), or null
 */
public record RoomSettings(int maxParticipants, long emptyTimeoutMillis, String metadata) {

    /** A room made by its first join: the server's limits, gone when it empties. */
    public static final RoomSettings JOINED = new RoomSettings(0, 0, null);
}
