package dev.chorus.signaling.room;

import dev.chorus.sfu.conference.PublishedTrack;

/**
 * Hears what happens in rooms, for integrations such as webhooks. Called on the signaling thread, in the
 * order things happen: a room starts before its first member joins, a member's tracks are unpublished before
 * it leaves, and a room ends after its last member left. An implementation must not block or throw: it runs
 * inside joins and leaves, so it should only take note (enqueue) and return.
 */
public interface RoomListener {

    /** The server refuses joins from now on (its graceful shutdown began); its rooms carry on meanwhile. */
    default void joinsStopped() {}

    /** The room was created: by its first join, or empty by the server API. */
    default void roomStarted(Room room) {}

    /** {@code participant} (a listed participant or a viewer) joined its room. */
    default void participantJoined(Participant participant) {}

    /** {@code participant}'s mute flags or permissions changed (it is told to the room). */
    default void memberChanged(Participant participant) {}

    /** {@code participant} left its room, for {@code reason}. */
    default void participantLeft(Participant participant, LeaveReason reason) {}

    /** The room is gone: its last member left (an API room: its empty timeout passed), or the API ended it. */
    default void roomEnded(Room room) {}

    /** The SFU made a producer for one of {@code participant}'s sending lines. */
    default void trackPublished(Participant participant, PublishedTrack track) {}

    /** One of {@code participant}'s tracks is gone (its line stopped sending, its media ended, or it left). */
    default void trackUnpublished(Participant participant, PublishedTrack track) {}
}
