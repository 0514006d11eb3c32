package dev.chorus.sfu.sdp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one candidate line as trickled by a browser
 * ({@code RTCIceCandidate.candidate}), with or without a leading "a=" and "candidate:".
 */
public final class IceCandidateParser {
    private static final int MAX_LENGTH = 1024;
    private static final Pattern FOUNDATION = Pattern.compile("[A-Za-z0-9+/]{1,32}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:%_\\-\\[\\]]{1,255}");
    private static final Set<String> TYPES = Set.of("host", "srflx", "prflx", "relay");
    private static final Set<String> TCP_TYPES = Set.of("active", "passive", "so");

    private IceCandidateParser() {}

    public static IceCandidate parse(String candidate) throws SdpException {
        if (candidate == null) {
            throw new SdpException("candidate is missing");
        }
        String text = candidate.trim();
        if (text.length() > MAX_LENGTH) {
            throw new SdpException("candidate is longer than " + MAX_LENGTH + " characters");
        }
        if (text.startsWith("a=")) {
            text = text.substring(2);
        }
        if (!text.startsWith("candidate:")) {
            throw new SdpException("candidate must start with 'candidate:'");
        }
        String[] t = text.substring("candidate:".length()).trim().split("\\s+");
        if (t.length < 8 || !t[6].equals("typ")) {
            throw new SdpException("candidate needs <foundation> <component> <transport> <priority>"
                    + " <address> <port> typ <type>: '" + text + "'");
        }
        if (!FOUNDATION.matcher(t[0]).matches()) {
            throw new SdpException("candidate foundation '" + t[0] + "' is not 1-32 ice-chars");
        }
        int component = (int) number(t[1], 1, 256, "component");
        String transport = t[2].toLowerCase(java.util.Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new SdpException("candidate transport '" + t[2] + "' is not udp or tcp");
        }
        long priority = number(t[3], 1, 0xFFFF_FFFFL, "priority");
        String address = address(t[4], "address");
        int port = (int) number(t[5], 0, 65535, "port");
        String type = t[7];
        if (!TYPES.contains(type)) {
            throw new SdpException("candidate type '" + type + "' is not host, srflx, prflx or relay");
        }

        String relatedAddress = null;
        Integer relatedPort = null;
        String tcpType = null;
        Map<String, String> extensions = new LinkedHashMap<>();
        for (int i = 8; i < t.length; i += 2) {
            if (i + 1 >= t.length) {
                throw new SdpException("candidate attribute '" + t[i] + "' has no value");
            }
            String value = t[i + 1];
            switch (t[i]) {
                case "raddr" -> relatedAddress = address(value, "raddr");
                case "rport" -> relatedPort = (int) number(value, 0, 65535, "rport");
                case "tcptype" -> {
                    if (!TCP_TYPES.contains(value)) {
                        throw new SdpException("candidate tcptype '" + value + "' is not active, passive or so");
                    }
                    tcpType = value;
                }
                default -> extensions.put(t[i], value);
            }
        }
        if (transport.equals("tcp") && tcpType == null) {
            throw new SdpException("tcp candidate has no tcptype");
        }
        return new IceCandidate(
                t[0],
                component,
                transport,
                priority,
                address,
                port,
                type,
                Optional.ofNullable(relatedAddress),
                relatedPort == null ? OptionalInt.empty() : OptionalInt.of(relatedPort),
                Optional.ofNullable(tcpType),
                extensions);
    }

    private static long number(String token, long min, long max, String what) throws SdpException {
        if (token.isEmpty() || token.length() > 10 || !token.chars().allMatch(Character::isDigit)) {
            throw new SdpException("candidate " + what + " '" + token + "' is not a number");
        }
        long value = Long.parseLong(token);
        if (value < min || value > max) {
            throw new SdpException("candidate " + what + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }

    private static String address(String token, String what) throws SdpException {
        if (!ADDRESS.matcher(token).matches()) {
            throw new SdpException("candidate " + what + " '" + token + "' is not an IP address or host name");
        }
        return token;
    }
}
