package dev.chorus.sfu.cc;

/**
 * What one transport sent, indexed by its transport-wide sequence number: send time, size and
 * probe cluster, for as long as feedback about a packet can reasonably arrive (the last
 * {@link #CAPACITY} packets). Assigns the sequence numbers itself, so they are gap-free per
 * transport as the transport-cc draft requires. Worker-thread only; allocates nothing after
 * construction.
 */
public final class SentPacketHistory {
    public static final int CAPACITY = 1 << 11;
    private static final int MASK = CAPACITY - 1;

    private final long[] extSeq = new long[CAPACITY];
    private final long[] sentNanos = new long[CAPACITY];
    private final int[] size = new int[CAPACITY];
    private final int[] probeCluster = new int[CAPACITY];
    private final boolean[] reported = new boolean[CAPACITY];
    /** Extended number the next packet gets. */
    private long next;

    private long sent;

    public SentPacketHistory() {
        java.util.Arrays.fill(extSeq, -1);
    }

    /**
     * Records a packet about to be sent and returns the 16-bit sequence number to write into its
     * transport-cc header extension.
     *
     * @param cluster probe cluster id (&gt; 0) for padding probes, 0 for media
     */
    public int onSent(long nowNanos, int bytes, int cluster) {
        long seq = next++;
        int slot = (int) (seq & MASK);
        extSeq[slot] = seq;
        sentNanos[slot] = nowNanos;
        size[slot] = bytes;
        probeCluster[slot] = cluster;
        reported[slot] = false;
        sent++;
        return (int) (seq & 0xFFFF);
    }

    /**
     * The slot of the newest packet sent with 16-bit number {@code seq}, or -1 when it is not
     * (or no longer) in the history: never sent, or too old.
     */
    public int find(int seq) {
        if (next == 0) {
            return -1;
        }
        long newest = next - 1;
        long back = (newest - seq) & 0xFFFF;
        long ext = newest - back;
        if (ext < 0 || back >= CAPACITY) {
            return -1;
        }
        int slot = (int) (ext & MASK);
        return extSeq[slot] == ext ? slot : -1;
    }

    /** Marks the packet in {@code slot} as covered by feedback; false if it already was. */
    public boolean markReported(int slot) {
        if (reported[slot]) {
            return false;
        }
        reported[slot] = true;
        return true;
    }

    public long sentNanos(int slot) {
        return sentNanos[slot];
    }

    public int size(int slot) {
        return size[slot];
    }

    public int probeCluster(int slot) {
        return probeCluster[slot];
    }

    /** Packets recorded so far. */
    public long sent() {
        return sent;
    }
}
