package dev.chorus.sfu.buffer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.collect.MpmcArrayQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Preallocated pool of {@link PacketBuffer}s shared by transport threads (which acquire for
 * reads) and media workers (which acquire for sends and release everything). Lock-free.
 *
 * <p>When the free list is empty, {@link #acquire} allocates a fresh buffer and counts a miss,
 * until {@code maxOutstanding} buffers are out: then it returns null, which callers count as a
 * POOL_EXHAUSTED drop. That bound keeps a stalled consumer from eating the heap. Allocated
 * buffers join the free list on release when there is room, so a pool that was too small
 * grows to fit its steady state.
 *
 * <p>A release of a buffer already in the pool is a bug: it is counted and ignored, or thrown
 * when the pool is {@code strict} (tests turn that on).
 */
public final class PacketBufferPool {
    private final MpmcArrayQueue<PacketBuffer> free;
    private final int maxOutstanding;
    private final boolean strict;
    // LongAdder: acquires and releases run on many threads; striping avoids a shared hot line.
    private final LongAdder acquires = new LongAdder();
    private final LongAdder releases = new LongAdder();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong exhausted = new AtomicLong();
    private final AtomicLong doubleReleases = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();

    public PacketBufferPool(int size, int maxOutstanding, boolean strict) {
        if (size < 1 || maxOutstanding < size) {
            throw new IllegalArgumentException("need 1 <= size <= maxOutstanding");
        }
        this.free = new MpmcArrayQueue<>(size);
        this.maxOutstanding = maxOutstanding;
        this.strict = strict;
        for (int i = 0; i < size; i++) {
            PacketBuffer b = new PacketBuffer(true);
            b.free = true;
            free.offer(b);
        }
    }

    /** A pool of {@code size} buffers that may grow to four times that before refusing. */
    public static PacketBufferPool create(int size) {
        return new PacketBufferPool(size, size * 4, false);
    }

    /** A buffer with offset {@link PacketBuffer#HEADROOM} and length 0, or null when exhausted. */
    public PacketBuffer acquire() {
        PacketBuffer b = free.poll();
        if (b == null) {
            if (outstanding() >= maxOutstanding) {
                exhausted.incrementAndGet();
                return null;
            }
            misses.incrementAndGet();
            b = new PacketBuffer(false);
        }
        b.free = false;
        b.reset();
        acquires.increment();
        return b;
    }

    /** Returns {@code b} to the pool; the caller must not touch it afterwards. */
    public void release(PacketBuffer b) {
        if (b.free) {
            doubleReleases.incrementAndGet();
            if (strict) {
                throw new IllegalStateException("packet buffer released twice");
            }
            return;
        }
        b.free = true;
        b.setRouting(PacketBuffer.Kind.RTP, null);
        releases.increment();
        if (!free.offer(b)) {
            discarded.incrementAndGet();
        }
    }

    /** Buffers acquired and not yet released. */
    public long outstanding() {
        return acquires.sum() - releases.sum();
    }

    public long misses() {
        return misses.get();
    }

    public long exhaustedCount() {
        return exhausted.get();
    }

    public long doubleReleases() {
        return doubleReleases.get();
    }

    public int available() {
        return free.size();
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("capacity", free.capacity());
        n.put("available", available());
        n.put("outstanding", outstanding());
        n.put("acquires", acquires.sum());
        n.put("releases", releases.sum());
        n.put("misses", misses.get());
        n.put("exhausted", exhausted.get());
        n.put("doubleReleases", doubleReleases.get());
        n.put("discarded", discarded.get());
        return n;
    }
}
