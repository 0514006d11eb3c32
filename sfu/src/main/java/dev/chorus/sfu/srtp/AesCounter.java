package dev.chorus.sfu.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES in counter mode for SRTP, with no allocation per packet: one AES/ECB {@link Cipher} keyed once (the JDK's AES,
 * with its AES-NI intrinsics) encrypts counter blocks laid out in a reused scratch array, and the keystream is XORed
 * into the packet. A javax.crypto CTR or GCM cipher would need a re-init per packet (a new IV), and that allocates.
 *
 * <p>A counter block is {@code w0 (8 bytes) | w1 (4 bytes) | start + k (4 bytes)} for block {@code k}: both SRTP's
 * AES-CM (RFC 3711 §4.1.1, 16-bit block counter under a 112-bit IV) and GCM's inc32 (RFC 7714 §8.1) have this shape.
 * Not thread-safe: one user at a time.
 */
final class AesCounter {
    /** Blocks encrypted per Cipher call; a packet longer than this is done in several calls. */
    private static final int CHUNK_BLOCKS = 96;

    private final Cipher ecb;
    private final byte[] counters = new byte[CHUNK_BLOCKS * 16];
    private final byte[] keystream = new byte[CHUNK_BLOCKS * 16];

    AesCounter(byte[] key) {
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB unavailable", e);
        }
    }

    /** XORs the keystream that starts at counter block {@code (w0, w1, start)} into {@code buf[off..off+len)}. */
    void xor(byte[] buf, int off, int len, long w0, int w1, int start) {
        int done = 0;
        int counter = start;
        while (done < len) {
            int n = Math.min(len - done, CHUNK_BLOCKS * 16);
            int blocks = (n + 15) >>> 4;
            for (int k = 0; k < blocks; k++) {
                int p = k << 4;
                Bytes.putLong(counters, p, w0);
                Bytes.putInt(counters, p + 8, w1);
                Bytes.putInt(counters, p + 12, counter + k);
            }
            encrypt(counters, blocks << 4, keystream);
            Bytes.xor(buf, off + done, keystream, 0, n);
            done += n;
            counter += blocks;
        }
    }

    /** {@code out[0..16) = AES(w0 | w1 | word)}. */
    void encryptBlock(long w0, int w1, int word, byte[] out) {
        Bytes.putLong(counters, 0, w0);
        Bytes.putInt(counters, 8, w1);
        Bytes.putInt(counters, 12, word);
        encrypt(counters, 16, out);
    }

    private void encrypt(byte[] in, int len, byte[] out) {
        try {
            ecb.update(in, 0, len, out, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // the scratch arrays are sized for CHUNK_BLOCKS
        }
    }
}
