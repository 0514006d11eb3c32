package dev.chorus.signaling.room;

import dev.chorus.signaling.protocol.ProtocolException;

/**
 * Starts and stops room recordings for a member's {@code record} message (the server API has its own face on the same
 * recordings). Signaling thread only.
 */
public interface RoomRecorder {
    /**
     * Starts recording {@code by}'s room; the room is told, {@code by}'s copy answering {@code re}.
     *
     * @throws ProtocolException recording_running, media_unavailable
     */
    void start(Participant by, Object re) throws ProtocolException;

    /**
     * Stops recording {@code by}'s room; the room is told, {@code by}'s copy answering {@code re}.
     *
     * @throws ProtocolException not_recording, media_unavailable
     */
    void stop(Participant by, Object re) throws ProtocolException;
}
