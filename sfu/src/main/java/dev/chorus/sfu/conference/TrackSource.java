package dev.chorus.sfu.conference;

import java.util.Locale;

/** What a published track shows; decides where the subscriber's page puts it. */
public enum TrackSource {
    MIC,
    CAMERA,
    SCREEN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The source named {@code wire} ("mic", "camera", "screen"), or null. */
    public static TrackSource fromWire(String wire) {
        for (TrackSource s : values()) {
            if (s.wire().equals(wire)) {
                return s;
            }
        }
        return null;
    }
}
