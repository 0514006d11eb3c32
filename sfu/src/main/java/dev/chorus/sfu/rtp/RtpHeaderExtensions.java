package dev.chorus.sfu.rtp;

/**
 * RFC 8285 header-extension elements inside an extension block {@code [start, end)} (absolute
 * indices, after the 4-byte profile/length word).
 *
 * <p>One-byte form (profile {@code 0xBEDE}): ids 1..14, 1..16 data bytes, id 15 stops parsing.
 * Two-byte form (profile {@code 0x100X}, X = app bits): ids 1..255, 0..255 data bytes. In both,
 * a zero byte between elements is padding. Blocks with any other profile are opaque: they are
 * well-formed by definition and contain no elements we can address.
 *
 * <p>Lookups return a <em>packed reference</em> ({@code offset << 32 | length}) so that one call
 * yields both values without allocation; unpack with {@link #offsetOf} and {@link #lengthOf}.
 */
public final class RtpHeaderExtensions {
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    public static final int TWO_BYTE_PROFILE = 0x1000;
    /** Returned by lookups when the id is absent (or the block is opaque or malformed). */
    public static final long NOT_FOUND = -1L;

    public static final int ONE_BYTE_MAX_ID = 14;
    public static final int ONE_BYTE_MAX_LENGTH = 16;
    public static final int TWO_BYTE_MAX_ID = 255;
    public static final int TWO_BYTE_MAX_LENGTH = 255;

    private static final int ONE_BYTE_STOP_ID = 15;

    /** Receives elements from {@link #forEach}; data is at {@code [offset, offset+length)}. */
    @FunctionalInterface
    public interface ElementVisitor {
        void onElement(int id, int offset, int length);
    }

    private RtpHeaderExtensions() {}

    public static boolean isOneByte(int profile) {
        return profile == ONE_BYTE_PROFILE;
    }

    public static boolean isTwoByte(int profile) {
        return (profile & 0xFFF0) == TWO_BYTE_PROFILE;
    }

    /** True when an element with this id and data length can use the one-byte form. */
    public static boolean fitsOneByte(int id, int length) {
        return id >= 1 && id <= ONE_BYTE_MAX_ID && length >= 1 && length <= ONE_BYTE_MAX_LENGTH;
    }

    public static int offsetOf(long ref) {
        return (int) (ref >>> 32);
    }

    public static int lengthOf(long ref) {
        return (int) ref;
    }

    static long ref(int offset, int length) {
        return ((long) offset << 32) | (length & 0xFFFF_FFFFL);
    }

    /** {@link #index} result for a block with an element that runs past its end. */
    public static final int MALFORMED = -1;

    /**
     * Checks that every element of an RFC 8285 block stays inside it and notes each element, so the packet is
     * walked once: the first
     * {@code elements.length} go to {@code elements} packed by {@link #element} (data offset relative to
     * {@code base}). Returns the element count (which may exceed the array: then the rest is not noted), 0 for
     * an opaque profile, or {@link #MALFORMED}. Visits exactly the elements {@link #find} would.
     */
    public static int index(byte[] buf, int start, int end, int profile, int base, long[] elements) {
        boolean one = isOneByte(profile);
        if (!one && !isTwoByte(profile)) {
            return 0;
        }
        int count = 0;
        int pos = start;
        while (pos < end) {
            int b = buf[pos] & 0xFF;
            int id;
            int dataAt;
            int length;
            if (one) {
                id = b >>> 4;
                if (id == 0) {
                    pos++;
                    continue;
                }
                if (id == ONE_BYTE_STOP_ID) {
                    return count;
                }
                dataAt = pos + 1;
                length = (b & 0x0F) + 1;
            } else {
                if (b == 0) {
                    pos++;
                    continue;
                }
                if (pos + 2 > end) {
                    return MALFORMED;
                }
                id = b;
                dataAt = pos + 2;
                length = buf[pos + 1] & 0xFF;
            }
            pos = dataAt + length;
            if (pos > end) {
                return MALFORMED;
            }
            if (count < elements.length) {
                elements[count] = element(dataAt - base, id, length);
            }
            count++;
        }
        return count;
    }

    /** One noted element: its data offset (relative to the packet), id and data length in one long. */
    public static long element(int relativeDataOffset, int id, int length) {
        return ((long) relativeDataOffset << 16) | (id << 8) | length;
    }

    public static int elementDataOffset(long element) {
        return (int) (element >>> 16);
    }

    public static int elementId(long element) {
        return (int) (element >>> 8) & 0xFF;
    }

    public static int elementLength(long element) {
        return (int) element & 0xFF;
    }

    /** Packed reference to the data of element {@code id}, or {@link #NOT_FOUND}. */
    public static long find(byte[] buf, int start, int end, int profile, int id) {
        return id <= 0 ? NOT_FOUND : walk(buf, start, end, profile, id, null);
    }

    /** Calls {@code visitor} for each element in order; returns how many were visited. */
    public static int forEach(byte[] buf, int start, int end, int profile, ElementVisitor visitor) {
        return (int) walk(buf, start, end, profile, 0, visitor);
    }

    /**
     * The one element walk behind {@link #find} and {@link #forEach}. Without a visitor it stops
     * at element {@code wantedId} and returns its packed reference (or {@link #NOT_FOUND}); with
     * one it visits every element and returns the count. Either way it stops quietly at the
     * one-byte stop id or at an element that would run past {@code end}.
     */
    private static long walk(byte[] buf, int start, int end, int profile, int wantedId, ElementVisitor visitor) {
        boolean one = isOneByte(profile);
        long visited = 0;
        int pos = start;
        if (one || isTwoByte(profile)) {
            while (pos < end) {
                int b = buf[pos] & 0xFF;
                int elementId;
                int dataAt;
                int length;
                if (one) {
                    elementId = b >>> 4;
                    if (elementId == 0) {
                        pos++;
                        continue;
                    }
                    if (elementId == ONE_BYTE_STOP_ID) {
                        break;
                    }
                    dataAt = pos + 1;
                    length = (b & 0x0F) + 1;
                } else {
                    if (b == 0) {
                        pos++;
                        continue;
                    }
                    if (pos + 2 > end) {
                        break;
                    }
                    elementId = b;
                    dataAt = pos + 2;
                    length = buf[pos + 1] & 0xFF;
                }
                if (dataAt + length > end) {
                    break;
                }
                if (visitor == null) {
                    if (elementId == wantedId) {
                        return ref(dataAt, length);
                    }
                } else {
                    visitor.onElement(elementId, dataAt, length);
                    visited++;
                }
                pos = dataAt + length;
            }
        }
        return visitor == null ? NOT_FOUND : visited;
    }

    /**
     * Size of the block once padding and element {@code excludeId} are dropped, packed as
     * {@code elementCount << 32 | bytes}. Only for well-formed RFC 8285 blocks.
     */
    static long measureWithout(byte[] buf, int start, int end, int profile, int excludeId) {
        boolean one = isOneByte(profile);
        int count = 0;
        int bytes = 0;
        int pos = start;
        while (pos < end) {
            int b = buf[pos] & 0xFF;
            if (one ? (b >>> 4) == 0 : b == 0) {
                pos++;
                continue;
            }
            if (one && (b >>> 4) == ONE_BYTE_STOP_ID) {
                break;
            }
            int size = one ? 2 + (b & 0x0F) : 2 + (buf[pos + 1] & 0xFF);
            int id = one ? b >>> 4 : b;
            if (id != excludeId) {
                count++;
                bytes += size;
            }
            pos += size;
        }
        return ((long) count << 32) | bytes;
    }

    /**
     * Rewrites the block in place without padding and without element {@code excludeId};
     * elements only ever move towards {@code start}. Returns the compacted byte count.
     */
    static int compactWithout(byte[] buf, int start, int end, int profile, int excludeId) {
        boolean one = isOneByte(profile);
        int read = start;
        int write = start;
        while (read < end) {
            int b = buf[read] & 0xFF;
            if (one ? (b >>> 4) == 0 : b == 0) {
                read++;
                continue;
            }
            if (one && (b >>> 4) == ONE_BYTE_STOP_ID) {
                break;
            }
            int size = one ? 2 + (b & 0x0F) : 2 + (buf[read + 1] & 0xFF);
            int id = one ? b >>> 4 : b;
            if (id != excludeId) {
                if (write != read) {
                    System.arraycopy(buf, read, buf, write, size);
                }
                write += size;
            }
            read += size;
        }
        return write - start;
    }

    /**
     * Converts {@code count} compact one-byte elements at {@code [start, start+bytes)} to the
     * two-byte form, which then occupies {@code bytes + count} bytes. The block is first slid
     * right by {@code count}; each element's new position then never passes the unread rest,
     * so a single forward pass works without scratch space.
     */
    static void widenToTwoByte(byte[] buf, int start, int bytes, int count) {
        System.arraycopy(buf, start, buf, start + count, bytes);
        int read = start + count;
        int write = start;
        int end = start + count + bytes;
        while (read < end) {
            int b = buf[read] & 0xFF;
            int length = (b & 0x0F) + 1;
            buf[write] = (byte) (b >>> 4);
            buf[write + 1] = (byte) length;
            System.arraycopy(buf, read + 1, buf, write + 2, length);
            read += 1 + length;
            write += 2 + length;
        }
    }
}
