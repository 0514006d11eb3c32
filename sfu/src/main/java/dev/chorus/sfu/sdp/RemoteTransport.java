package dev.chorus.sfu.sdp;

import java.util.List;

/**
 * The browser's side of the BUNDLE transport, taken from the offer's first accepted bundled
 * m= line: what the ICE agent and the DTLS server need to know about the peer.
 */
public record RemoteTransport(
        String iceUfrag,
        String icePwd,
        Fingerprint fingerprint,
        SetupRole setup,
        List<String> candidates,
        boolean endOfCandidates) {
    public RemoteTransport {
        candidates = List.copyOf(candidates);
    }
}
