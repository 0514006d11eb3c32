package dev.chorus.sfu.srtp;

/**
 * GHASH (the authenticator of GCM, NIST SP 800-38D §6.4) for one hash key, allocation-free and reusable per packet.
 *
 * <p>Multiplication by H is table-driven, one table per {@code bits}-wide position of the 128-bit input: {@code X·H}
 * is the XOR of 128 / bits independent entries, with no per-bit reduction. With 8-bit positions (16 lookups per block,
 * 64 KB per key) it is about twice as fast as with 4-bit positions (32 lookups, 8 KB per key): the media direction
 * uses 8, SRTCP (a few packets per second) uses 4. Fields (AAD, ciphertext) are fed with {@link #update} in any number
 * of pieces and closed with {@link #pad}, which zero-fills the last partial block as GCM requires. Not thread-safe.
 */
final class Ghash {
    private static final long R = 0xE100000000000000L;

    private final int bits;
    /** Entry (position p, value v) at index (p << bits | v) * 2: high then low 64 bits. */
    private final long[] table;

    private long yHi;
    private long yLo;
    private final byte[] pending = new byte[16];
    private int pendingLength;

    /** {@code bits}: 4 or 8, the width of one table lookup. */
    Ghash(byte[] h, int bits) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits " + bits);
        }
        this.bits = bits;
        int positions = 128 / bits;
        int values = 1 << bits;
        table = new long[positions * values * 2];
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
        for (int p = 0; p < positions; p++) {
            for (int v = 0; v < values; v++) {
                long th = 0;
                long tl = 0;
                for (int bit = 0; bit < bits; bit++) { // the value's most significant bit is x^(bits * p)
                    if ((v & (1 << (bits - 1 - bit))) != 0) {
                        th ^= pHi[bits * p + bit];
                        tl ^= pLo[bits * p + bit];
                    }
                }
                table[((p << bits) | v) * 2] = th;
                table[((p << bits) | v) * 2 + 1] = tl;
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
        if (bits == 8) {
            block8(yHi ^ hi, yLo ^ lo);
        } else {
            block4(yHi ^ hi, yLo ^ lo);
        }
    }

    private void block8(long xh, long xl) {
        long[] t = table;
        long zh = 0;
        long zl = 0;
        for (int i = 0; i < 8; i++) {
            int idx = ((i << 8) | (int) ((xh >>> (56 - 8 * i)) & 0xFF)) << 1;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        for (int i = 0; i < 8; i++) {
            int idx = (((8 + i) << 8) | (int) ((xl >>> (56 - 8 * i)) & 0xFF)) << 1;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        yHi = zh;
        yLo = zl;
    }

    private void block4(long xh, long xl) {
        long[] t = table;
        long zh = 0;
        long zl = 0;
        for (int i = 0; i < 16; i++) {
            int idx = ((i << 4) | (int) ((xh >>> (60 - 4 * i)) & 15)) << 1;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        for (int i = 0; i < 16; i++) {
            int idx = (((16 + i) << 4) | (int) ((xl >>> (60 - 4 * i)) & 15)) << 1;
            zh ^= t[idx];
            zl ^= t[idx + 1];
        }
        yHi = zh;
        yLo = zl;
    }
}
