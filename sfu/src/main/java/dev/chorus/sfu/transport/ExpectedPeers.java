package dev.chorus.sfu.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The peer's ICE ufrag of each SERVER ICE session, by the session's local ufrag. A new remote address on the shared
 * UDP port, or a new ICE-TCP connection, is bound to a session only by a binding request whose USERNAME names both
 * ("local:remote"); others are refused and counted. ice4j checks only its own half, and during an ICE restart Chrome
 * checks from its new sockets against the old session until the answer arrives: the old session answered, and with
 * an answer 300 ms slow the restart failed every time (ICE_CHECKS_FAILED; ResumeBrowserIT, 3 of 3), against none with
 * this check. Any thread.
 */
final class ExpectedPeers {
    private final ConcurrentHashMap<String, String> remoteByLocal = new ConcurrentHashMap<>();
    private final LongAdder refused = new LongAdder();

    /** From now on session {@code localUfrag} is bound to new addresses only with {@code remoteUfrag} as the peer's. */
    void expect(String localUfrag, String remoteUfrag) {
        remoteByLocal.put(localUfrag, remoteUfrag);
    }

    /** The session {@code localUfrag} closed. */
    void forget(String localUfrag) {
        remoteByLocal.remove(localUfrag);
    }

    /**
     * Whether the binding request in {@code buf[off..off+len)} may bind a new address or connection to session
     * {@code localUfrag}: its remote ufrag is the session's peer's, or the session was given none yet. Counts a
     * refusal.
     */
    boolean admits(String localUfrag, byte[] buf, int off, int len) {
        String expected = remoteByLocal.get(localUfrag);
        if (expected == null || expected.equals(StunUfrag.remoteUfragOf(buf, off, len))) {
            return true;
        }
        refused.increment();
        return false;
    }

    /** Binding requests refused because they named another peer than their session's. */
    long refused() {
        return refused.sum();
    }
}
