package dev.chorus.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SFU's side of the one BUNDLE transport: ICE credentials, candidates and DTLS certificate
 * fingerprint. Validated here so that a bad value fails at the server, not in the browser.
 *
 * @param candidates      {@code candidate:...} strings (an "a=" prefix is accepted and dropped)
 * @param endOfCandidates true when no more candidates will be trickled (our host candidates on
 *                        one shared port are all known up front)
 */
public record LocalTransport(
        String iceUfrag, String icePwd, Fingerprint fingerprint, List<String> candidates, boolean endOfCandidates) {
    private static final Pattern ICE_CHARS = Pattern.compile("[A-Za-z0-9+/]+");

    public LocalTransport {
        if (iceUfrag == null
                || iceUfrag.length() < 4
                || iceUfrag.length() > 256
                || !ICE_CHARS.matcher(iceUfrag).matches()) {
            throw new IllegalArgumentException("ICE ufrag must be 4-256 ice-chars: " + iceUfrag);
        }
        if (icePwd == null
                || icePwd.length() < 22
                || icePwd.length() > 256
                || !ICE_CHARS.matcher(icePwd).matches()) {
            throw new IllegalArgumentException("ICE pwd must be 22-256 ice-chars");
        }
        if (fingerprint == null || !fingerprint.isWellFormed()) {
            throw new IllegalArgumentException("DTLS fingerprint must be '<sha-N> XX:XX:...': " + fingerprint);
        }
        List<String> normalized = new ArrayList<>();
        for (String candidate : candidates) {
            String text = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
            try {
                IceCandidateParser.parse(text);
            } catch (SdpException e) {
                throw new IllegalArgumentException("local " + e.getMessage(), e);
            }
            normalized.add(text.trim());
        }
        candidates = List.copyOf(normalized);
    }
}
