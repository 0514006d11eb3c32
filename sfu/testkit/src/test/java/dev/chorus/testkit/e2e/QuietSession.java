package dev.chorus.testkit.e2e;

import dev.chorus.sfu.conference.MediaSessionListener;

/**
 * A media session listener for tests that drive the media service directly: the test reads what it needs from the
 * peers and from {@code /debug}, and no renegotiation is asked of it.
 */
final class QuietSession implements MediaSessionListener {
    @Override
    public void renegotiationNeeded(int audioTracks, int videoTracks) {}

    @Override
    public void mediaConnected() {}

    @Override
    public void mediaFailed(String reason) {}

    @Override
    public void mediaLost(String reason) {}
}
