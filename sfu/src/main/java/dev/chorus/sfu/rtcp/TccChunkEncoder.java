package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Packs transport-cc status symbols into the fewest 2-byte chunks, one symbol at a time.
 *
 * <p>Symbols collect in a pending chunk while some single chunk can still hold them all: any
 * 7 symbols (2-bit vector), 14 without a large delta (1-bit vector), or up to 8191 equal ones
 * (run length). When the next symbol would break that, the pending chunk is emitted (a vector
 * of 7 if that is what fits, keeping the rest pending). With no output array it only counts,
 * which lets the writer size a packet before writing it.
 */
final class TccChunkEncoder {
    static final int MAX_TWO_BIT = 7;
    static final int MAX_ONE_BIT = 14;
    static final int MAX_RUN = 0x1FFF;

    private final byte[] pending = new byte[MAX_ONE_BIT];
    private int size;
    private boolean allSame = true;
    private boolean hasLarge;
    private int emitted;
    private byte[] out;
    private int outPos;

    /** Starts over; chunks go to {@code out[outPos...]}, or are only counted if out is null. */
    void reset(byte[] out, int outPos) {
        this.out = out;
        this.outPos = outPos;
        this.size = 0;
        this.allSame = true;
        this.hasLarge = false;
        this.emitted = 0;
    }

    /** Chunks the symbols so far will take once {@link #finish()} is called. */
    int chunkCount() {
        return emitted + (size > 0 ? 1 : 0);
    }

    void add(int symbol) {
        if (!canAdd(symbol)) {
            emit();
        }
        allSame = size == 0 || (allSame && symbol == pending[0]);
        if (size < MAX_ONE_BIT) {
            pending[size] = (byte) symbol;
        }
        hasLarge |= symbol == TransportCcView.LARGE_DELTA;
        size++;
    }

    /** Same result as {@code n} calls to {@link #add}, but long runs cost O(1) per chunk. */
    void addRepeated(int symbol, int n) {
        while (n > 0) {
            if (allSame && size >= MAX_ONE_BIT && size < MAX_RUN && symbol == pending[0]) {
                int take = Math.min(n, MAX_RUN - size);
                size += take;
                n -= take;
            } else {
                add(symbol);
                n--;
            }
        }
    }

    /** Emits whatever is pending as one final chunk. */
    void finish() {
        if (size == 0) {
            return;
        }
        if (allSame) {
            writeRun(pending[0], size);
        } else if (size <= MAX_TWO_BIT) {
            writeTwoBit(size);
        } else {
            writeOneBit(size);
        }
        size = 0;
    }

    private boolean canAdd(int symbol) {
        if (size < MAX_TWO_BIT) {
            return true;
        }
        if (size < MAX_ONE_BIT && !hasLarge && symbol != TransportCcView.LARGE_DELTA) {
            return true;
        }
        return allSame && size < MAX_RUN && symbol == pending[0];
    }

    private void emit() {
        if (allSame) {
            writeRun(pending[0], size);
            size = 0;
        } else if (size == MAX_ONE_BIT) {
            // Only reachable without large deltas: more than 7 mixed symbols exclude them.
            writeOneBit(size);
            size = 0;
        } else {
            writeTwoBit(MAX_TWO_BIT);
            int rest = size - MAX_TWO_BIT;
            System.arraycopy(pending, MAX_TWO_BIT, pending, 0, rest);
            size = rest;
        }
        allSame = true;
        hasLarge = false;
        for (int i = 0; i < size; i++) {
            allSame &= pending[i] == pending[0];
            hasLarge |= pending[i] == TransportCcView.LARGE_DELTA;
        }
    }

    private void writeRun(int symbol, int run) {
        put((symbol << 13) | run);
    }

    private void writeOneBit(int n) {
        int chunk = 0x8000;
        for (int i = 0; i < n; i++) {
            chunk |= pending[i] << (13 - i);
        }
        put(chunk);
    }

    private void writeTwoBit(int n) {
        int chunk = 0xC000;
        for (int i = 0; i < n; i++) {
            chunk |= pending[i] << (12 - 2 * i);
        }
        put(chunk);
    }

    private void put(int chunk) {
        if (out != null) {
            BigEndian.put16(out, outPos, chunk);
            outPos += 2;
        }
        emitted++;
    }

    int outPos() {
        return outPos;
    }
}
