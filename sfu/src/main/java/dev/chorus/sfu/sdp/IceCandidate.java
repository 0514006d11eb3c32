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
        // Kept in offer order so toSdp() writes the line back as it came.
        extensions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extensions));
    }

    /** A UDP candidate with no related address or extensions: what the SFU gathers itself. */
    public static IceCandidate udp(String foundation, long priority, String address, int port, String type) {
        return new IceCandidate(
                foundation,
                1,
                "udp",
                priority,
                address,
                port,
                type,
                Optional.empty(),
                OptionalInt.empty(),
                Optional.empty(),
                Map.of());
    }

    /** The SDP attribute value ("candidate:..."), without "a=" and without the line ending. */
    public String toSdp() {
        StringBuilder sb = new StringBuilder("candidate:")
                .append(foundation)
                .append(' ')
                .append(component)
                .append(' ')
                .append(transport)
                .append(' ')
                .append(priority)
                .append(' ')
                .append(address)
                .append(' ')
                .append(port)
                .append(" typ ")
                .append(type);
        relatedAddress.ifPresent(a -> sb.append(" raddr ").append(a));
        relatedPort.ifPresent(p -> sb.append(" rport ").append(p));
        tcpType.ifPresent(t -> sb.append(" tcptype ").append(t));
        extensions.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(v));
        return sb.toString();
    }

    public boolean isUdp() {
        return transport.equalsIgnoreCase("udp");
    }

    public boolean isTcp() {
        return transport.equalsIgnoreCase("tcp");
    }
}
