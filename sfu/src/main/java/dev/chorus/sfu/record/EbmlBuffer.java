package dev.chorus.sfu.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that writes EBML (RFC 8794) elements: IDs as they are spelled (their length marker
 * included), sizes as variable-length integers. A master element is opened with {@link #startMaster}, which
 * leaves room for an 8-byte size, and closed with {@link #endMaster}, which fills it in. Writer-thread only; it
 * grows as needed and is reused after {@link #clear}.
 */
final class EbmlBuffer {
    /** The size of a master element whose end is not known (all ones in an 8-byte vint). */
    static final long UNKNOWN_SIZE = 0x00FF_FFFF_FFFF_FFFFL;

    private byte[] data;
    private int length;

    EbmlBuffer(int initialCapacity) {
        data = new byte[Math.max(16, initialCapacity)];
    }

    int length() {
        return length;
    }

    byte[] array() {
        return data;
    }

    void clear() {
        length = 0;
    }

    private void ensure(int extra) {
        if (length + extra > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, length + extra));
        }
    }

    void put(int b) {
        ensure(1);
        data[length++] = (byte) b;
    }

    void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, data, length, len);
        length += len;
    }

    /** An element ID: 1 to 4 bytes, its length marker being part of the value. */
    void id(int id) {
        if ((id & 0xFF00_0000) != 0) {
            put(id >>> 24);
        }
        if ((id & 0xFFFF_0000) != 0) {
            put(id >>> 16);
        }
        if ((id & 0xFFFF_FF00) != 0) {
            put(id >>> 8);
        }
        put(id);
    }

    /** A data size as the shortest vint that holds it (all-ones values are reserved, so they take a byte more). */
    void size(long size) {
        int bytes = 1;
        while (bytes < 8 && size >= (1L << (7 * bytes)) - 1) {
            bytes++;
        }
        sizeOfLength(size, bytes);
    }

    /** A data size as a vint of exactly {@code bytes} bytes. */
    void sizeOfLength(long size, int bytes) {
        long marked = size | (1L << (7 * bytes));
        for (int i = bytes - 1; i >= 0; i--) {
            put((int) (marked >>> (8 * i)));
        }
    }

    void uint(int id, long value) {
        id(id);
        int bytes = 1;
        while (bytes < 8 && (value >>> (8 * bytes)) != 0) {
            bytes++;
        }
        size(bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            put((int) (value >>> (8 * i)));
        }
    }

    /** An unsigned integer in exactly 8 bytes, so it can be rewritten in place whatever its value. */
    void uint8(int id, long value) {
        id(id);
        size(8);
        for (int i = 7; i >= 0; i--) {
            put((int) (value >>> (8 * i)));
        }
    }

    void float64(int id, double value) {
        id(id);
        size(8);
        long bits = Double.doubleToLongBits(value);
        for (int i = 7; i >= 0; i--) {
            put((int) (bits >>> (8 * i)));
        }
    }

    void string(int id, String value) {
        bytes(id, value.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(int id, byte[] value) {
        id(id);
        size(value.length);
        put(value, 0, value.length);
    }

    /** A Void element that takes exactly {@code total} bytes (2 to 127), to be overwritten later. */
    void voidElement(int total) {
        id(Webm.VOID);
        size(total - 2);
        ensure(total - 2);
        Arrays.fill(data, length, length + total - 2, (byte) 0);
        length += total - 2;
    }

    /** Opens a master element; returns where its 8-byte size goes, for {@link #endMaster}. */
    int startMaster(int id) {
        id(id);
        int at = length;
        sizeOfLength(0, 8);
        return at;
    }

    /** Closes the master element opened at {@code sizeAt}: its size is everything written since. */
    void endMaster(int sizeAt) {
        long size = length - sizeAt - 8;
        int end = length;
        length = sizeAt;
        sizeOfLength(size, 8);
        length = end;
    }
}
