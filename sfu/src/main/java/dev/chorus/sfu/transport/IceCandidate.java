package dev.chorus.sfu.transport;

import java.util.Locale;

/**
 * One ICE candidate as it appears in SDP ("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host"),
 * UDP only (we speak UDP; TCP candidates are parsed so callers can ignore them by {@link #protocol()}).
 */
public record IceCandidate(String foundation, int component, String protocol, long priority,
                           String address, int port, String type) {

    /** RFC 8445 priority for a host candidate of component 1 with the given local preference. */
    public static long hostPriority(int localPreference) {
        return (126L << 24) | ((long) localPreference << 8) | (256 - 1);
    }

    /** The SDP attribute value, without "a=" and without the line ending. */
    public String toSdp() {
        return "candidate:" + foundation + " " + component + " " + protocol + " " + priority + " " + address
                + " " + port + " typ " + type;
    }

    /**
     * Parses "candidate:..." or "a=candidate:..." (extra attributes such as raddr/rport/generation are ignored).
     *
     * @throws IllegalArgumentException if it is not a candidate line
     */
    public static IceCandidate parse(String line) {
        String s = line.trim();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (!s.startsWith("candidate:")) {
            throw new IllegalArgumentException("not a candidate line: " + line);
        }
        String[] f = s.substring("candidate:".length()).split("\\s+");
        if (f.length < 8 || !"typ".equals(f[6])) {
            throw new IllegalArgumentException("malformed candidate: " + line);
        }
        try {
            return new IceCandidate(f[0], Integer.parseInt(f[1]), f[2].toLowerCase(Locale.ROOT),
                    Long.parseLong(f[3]), f[4], Integer.parseInt(f[5]), f[7]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed candidate: " + line, e);
        }
    }
}
