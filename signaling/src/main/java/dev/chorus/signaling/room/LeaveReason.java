package dev.chorus.signaling.room;

/** Why a participant left, as told to the others in {@code participant-left}. */
public enum LeaveReason {
    LEFT("left"),
    DISCONNECTED("disconnected"),
    TIMEOUT("timeout"),
    /** Its media transport stopped answering (ICE consent expired). */
    MEDIA_TIMEOUT("media_timeout"),
    /** The server API removed it. */
    REMOVED("removed"),
    /** A member holding the moderate permission removed it ({@code remove-participant}). */
    REMOVED_BY_MODERATOR("removed_by_moderator"),
    /** The server API ended its room. */
    ROOM_ENDED("room_ended"),
    /** Cluster mode: the other node it was connected to is gone (or no longer reachable from here). */
    NODE_LOST("node_lost");

    private final String wire;

    LeaveReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
