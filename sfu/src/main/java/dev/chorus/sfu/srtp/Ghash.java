package dev.chorus.sfu.srtp;

/**
 * GHASH (the authenticator of GCM, NIST SP 800-38D §6.4) for one hash key, allocation-free and reusable per packet.
 *
 * <p>Multiplication by a constant is table-driven, one 16-entry table per nibble position of the 128-bit input: the
 * product is the XOR of 32 independent entries, with no per-bit reduction (8 KB per constant, small enough for L1).
 * Hashing block after block is a chain (each block waits for the product of the one before), so with {@code
 * powers = 4} runs of four blocks are folded at once with H^4, H^3, H^2 and H (Y' = (Y ^ B1)·H^4 ^ B2·H^3 ^ B3·H^2 ^
 * B4·H): four independent products, one chain step per four blocks (32 KB of tables). SRTCP, a few packets per
 * second, uses {@code powers = 1}. Fields (AAD, ciphertext) are fed with {@link #update} in any number of pieces and
 * closed with {@link #pad}, which zero-fills the last partial block as GCM requires. Not thread-safe.
 */
final class Ghash {
    private static final long R = 0xE100000000000000L;
    /** Longs per constant: 32 positions x 16 values x (high, low). */
    private static final int TABLE = 32 * 16 * 2;

    private final int powers;
    /** Table of H^(k+1) at offset k * TABLE; entry (position p, nibble n) at (p * 16 + n) * 2: high then low. */
    private final long[] table;

    private long yHi;
    private long yLo;
    /** Product accumulator of {@link #mulInto}. */
    private long zHi;

    private long zLo;
    private final byte[] pending = new byte[16];
    private int pendingLength;

    /** {@code powers}: 1 (one block at a time) or 4 (four at a time, four times the tables). */
    Ghash(byte[] h, int powers) {
        if (powers != 1 && powers != 4) {
            throw new IllegalArgumentException("powers " + powers);
        }
        this.powers = powers;
        table = new long[powers * TABLE];
        long hHi = Bytes.getLong(h, 0);
        long hLo = Bytes.getLong(h, 8);
        long pHi = hHi;
        long pLo = hLo;
        for (int k = 0; k < powers; k++) {
            fill(k * TABLE, pHi, pLo);
            // next power: (pHi, pLo) * H, with the table of H just built
            zHi = 0;
            zLo = 0;
            mulInto(0, pHi, pLo);
            pHi = zHi;
            pLo = zLo;
        }
    }

    /** Entries of the constant c at {@code base}: value n at nibble position p is (n · x^(4p)) · c. */
    private void fill(int base, long cHi, long cLo) {
        long[] xHi = new long[128];
        long[] xLo = new long[128];
        long hi = cHi;
        long lo = cLo;
        for (int k = 0; k < 128; k++) { // c * x^k
            xHi[k] = hi;
            xLo[k] = lo;
            long carry = lo & 1;
            lo = (lo >>> 1) | (hi << 63);
            hi = (hi >>> 1) ^ (carry != 0 ? R : 0);
        }
        for (int p = 0; p < 32; p++) {
            for (int n = 0; n < 16; n++) {
                long th = 0;
                long tl = 0;
                for (int bit = 0; bit < 4; bit++) { // the nibble's most significant bit is x^(4p)
                    if ((n & (8 >>> bit)) != 0) {
                        th ^= xHi[4 * p + bit];
                        tl ^= xLo[4 * p + bit];
                    }
                }
                table[base + (p * 16 + n) * 2] = th;
                table[base + (p * 16 + n) * 2 + 1] = tl;
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
        if (powers == 4) {
            for (; off + 64 <= end; off += 64) {
                zHi = 0;
                zLo = 0;
                mulInto(3 * TABLE, yHi ^ Bytes.getLong(b, off), yLo ^ Bytes.getLong(b, off + 8));
                mulInto(2 * TABLE, Bytes.getLong(b, off + 16), Bytes.getLong(b, off + 24));
                mulInto(TABLE, Bytes.getLong(b, off + 32), Bytes.getLong(b, off + 40));
                mulInto(0, Bytes.getLong(b, off + 48), Bytes.getLong(b, off + 56));
                yHi = zHi;
                yLo = zLo;
            }
        }
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

    /** Y = (Y ^ block) · H. */
    private void block(long hi, long lo) {
        zHi = 0;
        zLo = 0;
        mulInto(0, yHi ^ hi, yLo ^ lo);
        yHi = zHi;
        yLo = zLo;
    }

    /** (zHi, zLo) ^= x · the constant whose table starts at {@code base}. */
    private void mulInto(int base, long xh, long xl) {
        long[] t = table;
        long h = zHi;
        long l = zLo;
        for (int i = 0; i < 16; i++) {
            int idx = base + (((i << 4) | (int) ((xh >>> (60 - 4 * i)) & 15)) << 1);
            h ^= t[idx];
            l ^= t[idx + 1];
        }
        for (int i = 0; i < 16; i++) {
            int idx = base + ((((16 + i) << 4) | (int) ((xl >>> (60 - 4 * i)) & 15)) << 1);
            h ^= t[idx];
            l ^= t[idx + 1];
        }
        zHi = h;
        zLo = l;
    }
}
