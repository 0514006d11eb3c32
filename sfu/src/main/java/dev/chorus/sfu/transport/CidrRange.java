package dev.chorus.sfu.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** An IPv4 or IPv6 address range in CIDR notation ("127.0.0.0/8", "::1/128", "10.1.2.3"). Immutable. */
public final class CidrRange {
    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private CidrRange(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /** Parses "address/prefix" or a bare literal address (full-length prefix). Never resolves host names. */
    public static CidrRange parse(String cidr) {
        String s = cidr.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        // Only literals: an IPv6 literal contains ':', an IPv4 one is four dotted numbers. Never a name (no DNS).
        if (!(addr.indexOf(':') >= 0 || addr.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("not a literal address: " + cidr);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal: never a DNS lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address in " + cidr, e);
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        return new CidrRange(mask(bytes, prefix), prefix, s);
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xFF << (8 - bits));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rem = prefixLength % 8;
        if (rem != 0) {
            int m = (0xFF << (8 - rem)) & 0xFF;
            return (a[full] & m) == (network[full] & 0xFF);
        }
        return true;
    }

    /**
     * Whether {@code address}, an IP literal as a socket reports it (never a host name: no DNS lookup is made), lies
     * in one of {@code ranges}; false for an empty or unparsable one.
     */
    public static boolean anyContains(List<CidrRange> ranges, String address) {
        if (ranges.isEmpty() || address == null || address.isEmpty()) {
            return false;
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return false;
        }
        for (CidrRange r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
