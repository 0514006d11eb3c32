package dev.chorus.sfu.transport;

/**
 * Open-addressing map from int keys (SSRCs) to values, for the packet path: lookups do not box.
 * Insert-only (contexts live as long as the transport), bounded by {@code maxSize}. Not thread-safe.
 */
final class IntObjectMap<V> {
    private int[] keys;
    private Object[] values;
    private int size;
    private final int maxSize;

    IntObjectMap(int maxSize) {
        this.maxSize = maxSize;
        keys = new int[16];
        values = new Object[16];
    }

    private static int slot(int key, int mask) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    /** Adds a new key. Returns false (and stores nothing) when the map is full. */
    boolean put(int key, V value) {
        if (size >= maxSize) {
            return false;
        }
        if ((size + 1) * 2 > keys.length) {
            rehash();
        }
        insert(keys, values, key, value);
        size++;
        return true;
    }

    private static void insert(int[] ks, Object[] vs, int key, Object value) {
        int mask = ks.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (vs[i] == null || ks[i] == key) {
                ks[i] = key;
                vs[i] = value;
                return;
            }
        }
    }

    private void rehash() {
        int[] nk = new int[keys.length * 2];
        Object[] nv = new Object[values.length * 2];
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) {
                insert(nk, nv, keys[i], values[i]);
            }
        }
        keys = nk;
        values = nv;
    }

    int size() {
        return size;
    }

    void forEachValue(java.util.function.Consumer<V> action) {
        for (Object v : values) {
            if (v != null) {
                @SuppressWarnings("unchecked") V vv = (V) v;
                action.accept(vv);
            }
        }
    }
}
