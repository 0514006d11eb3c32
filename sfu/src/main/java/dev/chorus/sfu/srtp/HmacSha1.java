package dev.chorus.sfu.srtp;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA1 (RFC 2104) on one reused {@link MessageDigest} (the JDK's SHA-1, with its SHA-NI intrinsic), writing into
 * caller arrays: {@code javax.crypto.Mac.doFinal} returns a new array per call, this does not. Not thread-safe.
 */
final class HmacSha1 {
    private static final int BLOCK = 64;

    private final MessageDigest sha1;
    private final byte[] ipad = new byte[BLOCK];
    private final byte[] opad = new byte[BLOCK];
    private final byte[] digest = new byte[20];

    HmacSha1(byte[] key) {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
        byte[] k = key.length > BLOCK ? sha1.digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
    }

    void start() {
        sha1.reset();
        sha1.update(ipad, 0, BLOCK);
    }

    void update(byte[] b, int off, int len) {
        sha1.update(b, off, len);
    }

    void updateInt(int v) {
        Bytes.putInt(digest, 0, v);
        sha1.update(digest, 0, 4);
    }

    /** Writes the first {@code len} bytes of the MAC to {@code out[off..)}. */
    void finish(byte[] out, int off, int len) {
        try {
            sha1.digest(digest, 0, 20);
            sha1.update(opad, 0, BLOCK);
            sha1.update(digest, 0, 20);
            sha1.digest(digest, 0, 20);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(digest, 0, out, off, len);
    }

    /** True if the MAC's first {@code len} bytes equal {@code tag[off..)}; the comparison takes constant time. */
    boolean finishAndCheck(byte[] tag, int off, int len) {
        finish(digest, 0, 20);
        return Bytes.equalsConstantTime(digest, 0, tag, off, len);
    }
}
