package dev.chorus.sfu.sdp;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One ICE candidate (RFC 8839 section 5.1). {@code address} may be an IP literal or, for
 * browsers hiding local addresses, an mDNS name ending in ".local". {@code extensions} keeps
 * the trailing name/value pairs (generation, ufrag, network-id, ...) in order.
 */
public record IceCandidate(
        String foundation,
        int component,
        String transport,
        long priority,
        String address,
        int port,
        String type,
        Optional<String> relatedAddress,
        OptionalInt relatedPort,
        Optional<String> tcpType,
        Map<String, String> extensions) {

    public IceCandidate {
        extensions = Map.copyOf(extensions);
    }

    public boolean isUdp() {
        return transport.equalsIgnoreCase("udp");
    }

    public boolean isTcp() {
        return transport.equalsIgnoreCase("tcp");
    }
}
