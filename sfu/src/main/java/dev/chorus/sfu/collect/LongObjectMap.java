package dev.chorus.sfu.collect;

/**
 * Open-addressing hash map from a {@code long} key (an SSRC, usually) to an object, so lookups
 * on the packet path neither box nor allocate. Linear probing with backward-shift deletion
 * (no tombstones, so lookups stay short after churn). Not thread-safe: owned by one worker.
 *
 * <p>Only {@link #put} may allocate (when the table grows); that happens on control commands.
 */
public final class LongObjectMap<V> {
    private static final int MIN_CAPACITY = 8;

    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    public LongObjectMap() {
        this(MIN_CAPACITY);
    }

    public LongObjectMap(int expectedSize) {
        int capacity = tableSizeFor(Math.max(MIN_CAPACITY, expectedSize * 2));
        keys = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    private static int tableSizeFor(int n) {
        return Integer.highestOneBit(n - 1) << 1;
    }

    private int slot(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        for (int i = slot(key); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    public boolean containsKey(long key) {
        return get(key) != null;
    }

    /** Maps {@code key} to {@code value} (non-null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(long key, V value) {
        if (value == null) {
            throw new NullPointerException("null value");
        }
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return null;
    }

    /** Removes {@code key}; returns its value or null. */
    @SuppressWarnings("unchecked")
    public V remove(long key) {
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
        return null;
    }

    /** Closes the hole at {@code gap} by moving later entries of the same probe run into it. */
    private void shiftBack(int gap) {
        int i = gap;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == null) {
                break;
            }
            int home = slot(keys[i]);
            // Move entry i into the gap when its home slot is not within (gap, i] cyclically.
            boolean homeBetween = gap <= i ? (gap < home && home <= i) : (gap < home || home <= i);
            if (!homeBetween) {
                keys[gap] = keys[i];
                values[gap] = values[i];
                gap = i;
            }
        }
        keys[gap] = 0;
        values[gap] = null;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] != null) {
                int i = slot(oldKeys[j]);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** Visits every entry (control/debug paths only: the lambda may allocate). */
    @SuppressWarnings("unchecked")
    public void forEach(EntryVisitor<V> visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                visitor.accept(keys[i], (V) values[i]);
            }
        }
    }

    @FunctionalInterface
    public interface EntryVisitor<V> {
        void accept(long key, V value);
    }
}
