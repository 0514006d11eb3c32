package dev.chorus.sfu.buffer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The recent packets of one incoming RTP stream, kept so NACKs can be answered: a ring of
 * {@code capacity} slots (a power of two) indexed by extended sequence number, bounded both by
 * packet count (a newer packet overwrites the slot of the one {@code capacity} earlier) and by
 * age (a packet that arrived more than {@code maxAge} ago is not returned, and is swept out as
 * newer ones arrive).
 *
 * <p>Sequence numbers are the stream's <em>extended</em> (unwrapped, 64-bit) numbers, so the
 * 65535 -> 0 wrap is just the next slot. Each slot owns one byte array of
 * {@link PacketBuffer#MAX_PACKET_LENGTH}, allocated the first time the slot is used and reused
 * afterwards: memory is bounded by {@code capacity * MAX_PACKET_LENGTH} and storing allocates
 * nothing once the ring has gone round once. Single-threaded (the stream's worker).
 */
public final class RetransmissionBuffer {
    /** {@link #find} result: the sequence number is newer than anything stored (never received). */
    public static final int MISS_UNKNOWN = -1;
    /** {@link #find} result: the packet was stored but is gone (older than the count or age bound). */
    public static final int MISS_TOO_OLD = -2;
    /** {@link #find} result: inside the window but never stored (lost upstream, or not yet recovered). */
    public static final int MISS_NOT_STORED = -3;

    private static final long EMPTY = Long.MIN_VALUE;

    private final int capacity;
    private final int mask;
    private final long maxAgeNanos;
    private final byte[][] data;
    private final long[] seqs;
    private final long[] arrivals;
    private final int[] lengths;
    private boolean started;
    private long highest;
    /** Every stored packet is at or above this; below it the window was swept by age or count. */
    private long tail;

    private int size;
    private int slotsAllocated;
    private long stored;
    private long duplicates;
    private long tooOld;
    private long tooLarge;
    private long evictedByCount;
    private long evictedByAge;

    /**
     * @param packets wanted capacity in packets, rounded up to a power of two (1..32768)
     * @param maxAgeNanos packets older than this are not returned
     */
    public RetransmissionBuffer(int packets, long maxAgeNanos) {
        if (packets < 1 || packets > 32768 || maxAgeNanos <= 0) {
            throw new IllegalArgumentException("need 1..32768 packets and a positive age");
        }
        this.capacity = roundUp(packets);
        this.mask = capacity - 1;
        this.maxAgeNanos = maxAgeNanos;
        this.data = new byte[capacity][];
        this.seqs = new long[capacity];
        this.arrivals = new long[capacity];
        this.lengths = new int[capacity];
        java.util.Arrays.fill(seqs, EMPTY);
    }

    private static int roundUp(int n) {
        return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    public int capacity() {
        return capacity;
    }

    /** Packets currently held (some may be past their age until the next sweep). */
    public int size() {
        return size;
    }

    /**
     * Stores a copy of {@code buf[off, off+len)} as packet {@code extSeq}. Returns false (and
     * counts why) for a duplicate, a packet too old for the window, or one too long to keep.
     */
    public boolean store(long extSeq, byte[] buf, int off, int len, long nowNanos) {
        if (len < 0 || len > PacketBuffer.MAX_PACKET_LENGTH) {
            tooLarge++;
            return false;
        }
        if (!started) {
            started = true;
            highest = extSeq;
            tail = extSeq;
        } else if (extSeq > highest) {
            // Slots between the old and the new highest now belong to the new window: clear them.
            long clearTo = Math.min(extSeq, highest + capacity);
            for (long s = highest + 1; s <= clearTo; s++) {
                clear((int) (s & mask), false);
            }
            highest = extSeq;
            tail = Math.max(tail, highest - capacity + 1);
        } else if (highest - extSeq >= capacity) {
            tooOld++;
            return false;
        } else if (seqs[(int) (extSeq & mask)] == extSeq) {
            duplicates++;
            return false;
        }
        int i = (int) (extSeq & mask);
        if (seqs[i] != EMPTY) {
            clear(i, false);
        }
        byte[] slot = data[i];
        if (slot == null) {
            slot = new byte[PacketBuffer.MAX_PACKET_LENGTH];
            data[i] = slot;
            slotsAllocated++;
        }
        System.arraycopy(buf, off, slot, 0, len);
        seqs[i] = extSeq;
        arrivals[i] = nowNanos;
        lengths[i] = len;
        size++;
        stored++;
        if (extSeq < tail) {
            tail = extSeq;
        }
        sweep(nowNanos);
        return true;
    }

    /** Drops expired packets from the old end; stops at the first live one (amortised O(1)). */
    private void sweep(long nowNanos) {
        while (tail < highest) {
            int i = (int) (tail & mask);
            if (seqs[i] == tail) {
                if (nowNanos - arrivals[i] <= maxAgeNanos) {
                    return;
                }
                clear(i, true);
            }
            tail++;
        }
    }

    private void clear(int i, boolean byAge) {
        if (seqs[i] == EMPTY) {
            return;
        }
        seqs[i] = EMPTY;
        size--;
        if (byAge) {
            evictedByAge++;
        } else {
            evictedByCount++;
        }
    }

    /** True when packet {@code extSeq} is held (regardless of age): a second copy is a duplicate. */
    public boolean contains(long extSeq) {
        return started && extSeq <= highest && highest - extSeq < capacity && seqs[(int) (extSeq & mask)] == extSeq;
    }

    /**
     * The slot holding packet {@code extSeq} (read it with {@link #array} and {@link #length}),
     * or one of the negative {@code MISS_*} codes.
     */
    public int find(long extSeq, long nowNanos) {
        if (!started || extSeq > highest) {
            return MISS_UNKNOWN;
        }
        if (highest - extSeq >= capacity || extSeq < tail) {
            return MISS_TOO_OLD;
        }
        int i = (int) (extSeq & mask);
        if (seqs[i] != extSeq) {
            return MISS_NOT_STORED;
        }
        if (nowNanos - arrivals[i] > maxAgeNanos) {
            return MISS_TOO_OLD;
        }
        return i;
    }

    public byte[] array(int slot) {
        return data[slot];
    }

    public int length(int slot) {
        return lengths[slot];
    }

    /** Highest extended sequence number stored so far, or -1 before the first. */
    public long highest() {
        return started ? highest : -1;
    }

    public long stored() {
        return stored;
    }

    public long evictedByCount() {
        return evictedByCount;
    }

    public long evictedByAge() {
        return evictedByAge;
    }

    public long duplicates() {
        return duplicates;
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("capacity", capacity);
        n.put("maxAgeMillis", maxAgeNanos / 1_000_000);
        n.put("size", size);
        n.put("slotsAllocated", slotsAllocated);
        n.put("highest", highest());
        n.put("stored", stored);
        n.put("duplicates", duplicates);
        n.put("tooOld", tooOld);
        n.put("tooLarge", tooLarge);
        n.put("evictedByCount", evictedByCount);
        n.put("evictedByAge", evictedByAge);
        return n;
    }
}
