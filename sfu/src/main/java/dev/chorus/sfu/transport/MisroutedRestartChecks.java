package dev.chorus.sfu.transport;

import org.ice4j.security.CredentialsAuthority;

/**
 * Registered with an old ICE session's STUN stack during an ICE restart, it notices the restart's connectivity checks
 * arriving there instead of at the new session: the shared UDP port routes each remote address to the session that
 * first heard from it, so a client restarting from the same address (Chrome reuses its host socket) reaches the old
 * session, whose agent refuses the new ufrag (401). ice4j asks every credentials authority of the stack about an
 * unknown ufrag before it refuses; this one says no as well, and each time it is asked about the restart's ufrag runs
 * its action (see {@link SharedUdpPort#release}): more than once, as the client may first use a new socket of its own
 * for the old credentials (Chrome pairs its new candidates with the old ones until the answer arrives), which routes
 * that address to the old session too. The client retries the refused check, which then reaches the new session.
 * Runs on ice4j's STUN threads.
 */
final class MisroutedRestartChecks implements CredentialsAuthority {
    private final String restartUfrag;
    private final Runnable onMisrouted;

    MisroutedRestartChecks(String restartUfrag, Runnable onMisrouted) {
        this.restartUfrag = restartUfrag;
        this.onMisrouted = onMisrouted;
    }

    @Override
    public boolean checkLocalUserName(String username) {
        if (restartUfrag.equals(username)) {
            onMisrouted.run();
        }
        return false; // never this session's: ice4j refuses the check, and the client sends it again
    }

    @Override
    public byte[] getLocalKey(String username) {
        return null;
    }

    @Override
    public byte[] getRemoteKey(String username, String media) {
        return null;
    }
}
