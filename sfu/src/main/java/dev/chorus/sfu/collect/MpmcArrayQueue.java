package dev.chorus.sfu.collect;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bounded, lock-free, array-backed queue after Dmitry Vyukov's bounded MPMC design: every slot
 * carries a sequence number that tells producers and consumers whose turn the slot is, so a
 * single CAS on the enqueue (or dequeue) position is all the coordination needed.
 *
 * <p>Used as the MPSC work ring of a media worker (many transport threads offer, one worker
 * polls) and as the free list of the packet pool (any thread acquires and releases). Never
 * blocks, never allocates after construction; {@link #offer} returns false when full.
 *
 * <p>Memory ordering: the element is written with a plain store before the slot sequence is
 * published with release semantics, and read after the sequence is observed with acquire
 * semantics, so the element (and everything written before offering it) is visible to the
 * thread that polls it.
 */
public final class MpmcArrayQueue<E> {
    private final int mask;
    private final Object[] elements;
    private final AtomicLongArray sequences;
    private final AtomicLong enqueuePosition = new AtomicLong();
    private final AtomicLong dequeuePosition = new AtomicLong();

    /** @param requestedCapacity rounded up to a power of two (at least 2) */
    public MpmcArrayQueue(int requestedCapacity) {
        if (requestedCapacity < 1 || requestedCapacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity out of range: " + requestedCapacity);
        }
        int capacity = Math.max(2, Integer.highestOneBit(requestedCapacity - 1) << 1);
        this.mask = capacity - 1;
        this.elements = new Object[capacity];
        this.sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
    }

    public int capacity() {
        return mask + 1;
    }

    /** Adds {@code e} (non-null); false when the queue is full. */
    public boolean offer(E e) {
        if (e == null) {
            throw new NullPointerException("null element");
        }
        long position = enqueuePosition.get();
        while (true) {
            int index = (int) (position & mask);
            long difference = sequences.getAcquire(index) - position;
            if (difference == 0) {
                if (enqueuePosition.compareAndSet(position, position + 1)) {
                    elements[index] = e;
                    sequences.setRelease(index, position + 1);
                    return true;
                }
                position = enqueuePosition.get();
            } else if (difference < 0) {
                return false;
            } else {
                position = enqueuePosition.get();
            }
        }
    }

    /** Removes and returns the oldest element, or null when empty. */
    @SuppressWarnings("unchecked")
    public E poll() {
        long position = dequeuePosition.get();
        while (true) {
            int index = (int) (position & mask);
            long difference = sequences.getAcquire(index) - (position + 1);
            if (difference == 0) {
                if (dequeuePosition.compareAndSet(position, position + 1)) {
                    E e = (E) elements[index];
                    elements[index] = null;
                    sequences.setRelease(index, position + mask + 1);
                    return e;
                }
                position = dequeuePosition.get();
            } else if (difference < 0) {
                return null;
            } else {
                position = dequeuePosition.get();
            }
        }
    }

    /** Approximate number of elements (exact when no thread is offering or polling). */
    public int size() {
        while (true) {
            long before = dequeuePosition.get();
            long tail = enqueuePosition.get();
            long after = dequeuePosition.get();
            if (before == after) {
                return (int) Math.max(0, Math.min(capacity(), tail - before));
            }
        }
    }

    public boolean isEmpty() {
        return size() == 0;
    }
}
