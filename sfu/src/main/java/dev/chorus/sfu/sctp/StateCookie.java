package dev.chorus.sfu.sctp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The INIT-ACK's state cookie (RFC 9260 5.1.3): everything the association needs from the INIT, signed with an
 * HMAC-SHA256 (truncated to 16 bytes) under a key of this process, so the passive side keeps no state between INIT
 * and COOKIE-ECHO and a forged or stale cookie is refused.
 */
final class StateCookie {
    static final int BODY = 4 + 4 + 4 + 2 + 2 + 4 + 4 + 8 + 1;
    static final int MAC = 16;
    static final int SIZE = BODY + MAC;
    private static final byte[] KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(KEY);
    }

    /** The peer's INIT values, our tag and initial TSN, when the cookie was made, and the negotiated extensions. */
    record Contents(
            int peerTag,
            int peerInitialTsn,
            long peerRwnd,
            int peerOutStreams,
            int peerInStreams,
            int localTag,
            int localInitialTsn,
            long createdMillis,
            boolean forwardTsn,
            boolean reconfig) {}

    private StateCookie() {}

    static byte[] write(Contents c) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(c.peerTag())
                .putInt(c.peerInitialTsn())
                .putInt((int) c.peerRwnd())
                .putShort((short) c.peerOutStreams())
                .putShort((short) c.peerInStreams())
                .putInt(c.localTag())
                .putInt(c.localInitialTsn())
                .putLong(c.createdMillis())
                .put((byte) ((c.forwardTsn() ? 1 : 0) | (c.reconfig() ? 2 : 0)));
        b.put(mac(b.array(), 0, BODY));
        return b.array();
    }

    /** The contents, or null when the cookie is not ours, is damaged, or is older than {@code lifeMillis}. */
    static Contents read(byte[] buf, int off, int len, long nowMillis, long lifeMillis) {
        if (len != SIZE) {
            return null;
        }
        byte[] expected = mac(buf, off, BODY);
        byte[] actual = java.util.Arrays.copyOfRange(buf, off + BODY, off + SIZE);
        if (!MessageDigest.isEqual(expected, actual)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, off, BODY);
        Contents c = new Contents(
                b.getInt(),
                b.getInt(),
                b.getInt() & 0xFFFF_FFFFL,
                b.getShort() & 0xFFFF,
                b.getShort() & 0xFFFF,
                b.getInt(),
                b.getInt(),
                b.getLong(),
                false,
                false);
        int flags = b.get();
        long age = nowMillis - c.createdMillis();
        if (age < -1000 || age > lifeMillis) {
            return null;
        }
        return new Contents(
                c.peerTag(),
                c.peerInitialTsn(),
                c.peerRwnd(),
                c.peerOutStreams(),
                c.peerInStreams(),
                c.localTag(),
                c.localInitialTsn(),
                c.createdMillis(),
                (flags & 1) != 0,
                (flags & 2) != 0);
    }

    private static byte[] mac(byte[] buf, int off, int len) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(KEY, "HmacSHA256"));
            m.update(buf, off, len);
            return java.util.Arrays.copyOf(m.doFinal(), MAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }
}
