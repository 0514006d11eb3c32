package dev.chorus.sfu.conference;

import java.util.List;

/**
 * What a {@link MediaSession} tells its participant. Called on the control thread, never while a
 * {@link MediaSession} method is still running for the same participant.
 */
public interface MediaSessionListener {

    /** The participant should offer again with at least this many receiving lines of each kind. */
    void renegotiationNeeded(int audioTracks, int videoTracks);

    /** ICE and DTLS are up: media can flow. */
    void mediaConnected();

    /**
     * Media could not connect (ICE checks or DTLS failed). The participant stays in its room and
     * may retry by joining again.
     */
    void mediaFailed(String reason);

    /**
     * Media was connected and the peer stopped answering (RFC 7675 consent expired). Signaling
     * should remove the participant from its room; the session is closed already.
     */
    void mediaLost(String reason);

    /**
     * {@code participantId} became the room's dominant speaker (also sent once to a session that
     * joins after someone spoke). Default: ignored.
     */
    default void dominantSpeakerChanged(String participantId) {}

    /**
     * Of the videos the participant receives, those on these receiving lines (mids) are paused by
     * the server now (last-N, or not shown); the others flow. The whole set each time. Default:
     * ignored.
     */
    default void videosPaused(List<String> mids) {}

    /**
     * Dynacast: of the simulcast track the participant sends on line {@code mid} ({@code of}
     * layers, lowest first), only the lowest {@code layers} are wanted; the participant should
     * stop sending the others until told otherwise. Default: ignored.
     */
    default void publisherLayers(String mid, int layers, int of) {}
}
