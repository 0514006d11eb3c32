package dev.chorus.signaling.room;

/**
 * What a member of a room is. Participants are listed to everyone and may publish; viewers (a broadcast room's
 * audience) only receive, and are counted, not listed.
 */
public enum Role {
    PARTICIPANT("participant"),
    VIEWER("viewer");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    /** The role as {@code join} and {@code joined} spell it. */
    public String wire() {
        return wire;
    }

    /** The role spelled {@code wire}, or null when there is none. */
    public static Role fromWire(String wire) {
        for (Role r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        return null;
    }
}
