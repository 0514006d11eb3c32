package dev.chorus.sfu.sdp;

import java.util.Optional;

/** The media direction attribute, always from the point of view of the side that wrote it. */
public enum Direction {
    SENDRECV(true, true),
    SENDONLY(true, false),
    RECVONLY(false, true),
    INACTIVE(false, false);

    private final boolean sends;
    private final boolean receives;

    Direction(boolean sends, boolean receives) {
        this.sends = sends;
        this.receives = receives;
    }

    public boolean sends() {
        return sends;
    }

    public boolean receives() {
        return receives;
    }

    /** The attribute name as written in SDP, e.g. {@code sendonly}. */
    public String attribute() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The same direction seen from the other side: our sendonly is their recvonly. */
    public Direction reversed() {
        return of(receives, sends);
    }

    public static Direction of(boolean sends, boolean receives) {
        if (sends) {
            return receives ? SENDRECV : SENDONLY;
        }
        return receives ? RECVONLY : INACTIVE;
    }

    public static Optional<Direction> fromAttribute(String name) {
        for (Direction d : values()) {
            if (d.attribute().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
