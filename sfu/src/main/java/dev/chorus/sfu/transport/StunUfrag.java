package dev.chorus.sfu.transport;

import java.nio.charset.StandardCharsets;

/**
 * Reads which session a STUN binding request is for without parsing it whole: its USERNAME attribute ("local:remote",
 * RFC 8445 section 7.2.2). The ICE-TCP listener binds a new connection by the local ufrag before ice4j sees the
 * connection; the shared UDP port checks the remote ufrag before it routes a new address (see SharedUdpPort).
 */
final class StunUfrag {
    private StunUfrag() {}

    /**
     * The local ufrag from a STUN binding request's USERNAME, or null if {@code buf[off..off+len)} is not a binding
     * request with one. Bounds-checked: any malformed message gives null.
     */
    static String localUfragOf(byte[] buf, int off, int len) {
        String user = usernameOf(buf, off, len);
        int colon = user == null ? -1 : user.indexOf(':');
        return colon <= 0 ? null : user.substring(0, colon);
    }

    /**
     * The remote ufrag from a STUN binding request's USERNAME (after the colon), or null if there is none.
     * Bounds-checked.
     */
    static String remoteUfragOf(byte[] buf, int off, int len) {
        String user = usernameOf(buf, off, len);
        int colon = user == null ? -1 : user.indexOf(':');
        return colon <= 0 || colon == user.length() - 1 ? null : user.substring(colon + 1);
    }

    /** A binding request's whole USERNAME, or null. */
    private static String usernameOf(byte[] buf, int off, int len) {
        if (len < 20 || buf[off] != 0 || buf[off + 1] != 1) {
            return null; // not a binding request
        }
        if ((buf[off + 4] & 0xff) != 0x21
                || (buf[off + 5] & 0xff) != 0x12
                || (buf[off + 6] & 0xff) != 0xA4
                || (buf[off + 7] & 0xff) != 0x42) {
            return null; // no magic cookie
        }
        int msgLen = ((buf[off + 2] & 0xff) << 8) | (buf[off + 3] & 0xff);
        int end = off + Math.min(len, 20 + msgLen);
        int i = off + 20;
        while (i + 4 <= end) {
            int type = ((buf[i] & 0xff) << 8) | (buf[i + 1] & 0xff);
            int alen = ((buf[i + 2] & 0xff) << 8) | (buf[i + 3] & 0xff);
            if (i + 4 + alen > end) {
                return null;
            }
            if (type == 0x0006) {
                return new String(buf, i + 4, alen, StandardCharsets.UTF_8);
            }
            i += 4 + ((alen + 3) & ~3);
        }
        return null;
    }
}
