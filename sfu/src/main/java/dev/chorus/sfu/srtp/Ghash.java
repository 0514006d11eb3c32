package dev.chorus.sfu.srtp;

/**
 * GHASH (the authenticator of GCM, NIST SP 800-38D §6.4) for one hash key, allocation-free and reusable per packet.
 *
 * <p>Multiplication by H uses one 16-entry table per nibble position of the 128-bit input (32 tables, 8 KB per key):
 * {@code X·H} is the XOR of 32 independent table entries, with no per-bit reduction, and the tables stay small enough to
 * sit in L1 while a packet is hashed. Fields (AAD, ciphertext) are fed with {@link #update} in any number of pieces and
 * closed with {@link #pad}, which zero-fills the last partial block as GCM requires. Not thread-safe.
 */
final class Ghash {
    private static final long R = 0xE100000000000000L;

    /** Entry (position p, nibble n) at index (p * 16 + n) * 2: high then low 64 bits. */
    private final long[] table = new long[32 * 16 * 2];

    private long yHi;
    private long yLo;
    private final byte[] pending = new byte[16];
    private int pendingLength;

    Ghash(byte[] h) {
        long[] pHi = new long[128];
        long[] pLo = new long[128];
        long hi = Bytes.getLong(h, 0);
        long lo = Bytes.getLong(h, 8);
        for (int k = 0; k < 128; k++) { // P_k = H * x^k
            pHi[k] = hi;
            pLo[k] = lo;
            long carry = lo & 1;
            lo = (lo >>> 1) | (hi << 63);
            hi = (hi >>> 1) ^ (carry != 0 ? R : 0);
        }
        for (int p = 0; p < 32; p++) {
            for (int n = 0; n < 16; n++) {
                long th = 0;
                long tl = 0;
                for (int bit = 0; bit < 4; bit++) {
                    if ((n & (8 >>> bit)) != 0) {
                        th ^= pHi[4 * p + bit];
                        tl ^= pLo[4 * p + bit];
                    }
                }
                table[(p * 16 + n) * 2] = th;
                table[(p * 16 + n) * 2 + 1] = tl;
            }
        }
    }

    void reset() {
        yHi = 0;
        yLo = 0;
        pendingLength = 0;
    }

    void update(byte[] b, int off, int len) {
        if (pendingLength > 0) {
            int n = Math.min(len, 16 - pendingLength);
            System.arraycopy(b, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength < 16) {
                return;
            }
            block(Bytes.getLong(pending, 0), Bytes.getLong(pending, 8));
            pendingLength = 0;
        }
        int end = off + (len & ~15);
        for (; off < end; off += 16) {
            block(Bytes.getLong(b, off), Bytes.getLong(b, off + 8));
        }
        int rest = len & 15;
        if (rest > 0) {
            System.arraycopy(b, off, pending, 0, rest);
            pendingLength = rest;
        }
    }

    /** Ends a field: a partial last block is hashed zero-padded. */
    void pad() {
        if (pendingLength > 0) {
            for (int i = pendingLength; i < 16; i++) {
                pending[i] = 0;
            }
            block(Bytes.getLong(pending, 0), Bytes.getLong(pending, 8));
            pendingLength = 0;
        }
    }

    /** Hashes the length block (lengths in bytes, as GCM's len(A) || len(C) in bits) and writes the 16-byte result. */
    void finish(long aadBytes, long textBytes, byte[] out, int outOff) {
        pad();
        block(aadBytes << 3, textBytes << 3);
        Bytes.putLong(out, outOff, yHi);
        Bytes.putLong(out, outOff + 8, yLo);
    }

    private void block(long hi, long lo) {
        long xh = yHi ^ hi;
        long xl = yLo ^ lo;
        long[] t = table;
        long zh = 0;
        long zl = 0;
        for (int i = 0; i < 16; i++) {
            int n = (int) (xh >>> (60 - 4 * i)) & 15;
            int idx = (i * 16 + n) * 2;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        for (int i = 0; i < 16; i++) {
            int n = (int) (xl >>> (60 - 4 * i)) & 15;
            int idx = ((16 + i) * 16 + n) * 2;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        yHi = zh;
        yLo = zl;
    }
}
