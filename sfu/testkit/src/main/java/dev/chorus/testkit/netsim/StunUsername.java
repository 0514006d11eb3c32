package dev.chorus.testkit.netsim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the ICE USERNAME ("serverUfrag:clientUfrag") of a STUN Binding request (RFC 5389), which is how the proxy
 * tells which WebRTC participant a flow belongs to. Anything that is not a well-formed Binding request yields null.
 */
final class StunUsername {

    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int ATTR_USERNAME = 0x0006;
    private static final int HEADER_LENGTH = 20;
    private static final int MAX_USERNAME_LENGTH = 513;

    private StunUsername() {}

    /**
     * The USERNAME of a well-formed STUN Binding request in {@code b} (position to limit, not consumed), else
     * null.
     */
    static String read(ByteBuffer b) {
        int p = b.position();
        int len = b.remaining();
        if (len < HEADER_LENGTH) {
            return null;
        }
        int type = b.getShort(p) & 0xFFFF;
        int msgLen = b.getShort(p + 2) & 0xFFFF;
        if ((type & 0xC000) != 0
                || type != BINDING_REQUEST
                || b.getInt(p + 4) != MAGIC_COOKIE
                || (msgLen & 3) != 0
                || HEADER_LENGTH + msgLen > len) {
            return null;
        }
        int at = p + HEADER_LENGTH;
        int end = at + msgLen;
        while (end - at >= 4) {
            int attrType = b.getShort(at) & 0xFFFF;
            int attrLen = b.getShort(at + 2) & 0xFFFF;
            int value = at + 4;
            if (attrLen > end - value) {
                return null;
            }
            if (attrType == ATTR_USERNAME) {
                if (attrLen == 0 || attrLen > MAX_USERNAME_LENGTH) {
                    return null;
                }
                byte[] u = new byte[attrLen];
                b.get(value, u);
                return new String(u, StandardCharsets.UTF_8);
            }
            at = value + ((attrLen + 3) & ~3);
        }
        return null;
    }
}
