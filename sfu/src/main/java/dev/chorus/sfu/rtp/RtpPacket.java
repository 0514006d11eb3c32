package dev.chorus.sfu.rtp;

/**
 * Reusable, mutable view of one RTP packet (RFC 3550) in a caller-owned {@code byte[]}.
 *
 * <p>Call {@link #wrap} first: it validates the layout and returns {@link RtpValidity#OK} or the
 * reason the bytes are unusable, and never throws. Accessors are meaningful only after an OK
 * wrap (they do not re-check, to stay cheap on the forwarding path). Nothing here allocates.
 *
 * <p>Conventions: sequence numbers are {@code int} 0..65535; the timestamp, SSRC and CSRCs are
 * unsigned 32-bit values carried in a non-negative {@code long}. Every {@code ...Offset()} is an
 * absolute index into {@link #buffer()}; every {@code ...Length()} is a byte count.
 *
 * <p>The wrap that validates the header extensions also notes where each element is (up to
 * {@link #INDEXED_EXTENSIONS}), so lookups and the forwarding rewrite do not walk the block again, and a
 * forwarded copy takes the original's parse with {@link #wrapCopy} instead of validating the same bytes
 * once per subscriber. Changes to the block go through this class, which keeps the notes true.
 */
public final class RtpPacket {
    public static final int FIXED_HEADER_LENGTH = 12;
    public static final int VERSION = 2;
    /**
     * Extension elements noted per packet; browsers send well under ten. A block with more is still
     * valid, its elements are then looked up by walking the bytes.
     */
    public static final int INDEXED_EXTENSIONS = 16;

    private byte[] buf;
    private int off;
    private int len;
    private int headerLength;
    private int paddingSize;
    /** Offset (relative to {@code off}) of the 4-byte extension header, or -1 without X bit. */
    private int extensionHeaderAt = -1;

    /**
     * The extension elements in block order, packed by {@link RtpHeaderExtensions#element} with data offsets
     * relative to {@code off} (so a copy elsewhere can take them as they are); a stripped element has id 0.
     */
    private final long[] elements = new long[INDEXED_EXTENSIONS];
    /** How many of {@link #elements} are meaningful; -1 when the block has more (walk the bytes then). */
    private int elementCount;

    private RtpValidity validity = RtpValidity.TOO_SHORT;

    /** Points this view at {@code [off, off+len)} of {@code buf} and validates it. */
    public RtpValidity wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.extensionHeaderAt = -1;
        this.headerLength = 0;
        this.paddingSize = 0;
        this.elementCount = 0;
        this.validity = parse();
        return validity;
    }

    /**
     * Points this view at {@code buf[off, off+original.length())}, which the caller has just filled with a
     * byte-for-byte copy of {@code original}'s packet, and takes {@code original}'s parse (layout, validity,
     * extension elements) instead of parsing the copy: the bytes are the ones {@code original}'s wrap
     * validated, and a forwarded copy would otherwise repeat that walk for every subscriber. An invalid
     * original (or a region outside {@code buf}) falls back to a full {@link #wrap}.
     */
    public RtpValidity wrapCopy(byte[] buf, int off, RtpPacket original) {
        int length = original.len;
        if (original.validity != RtpValidity.OK || !BigEndian.inBounds(buf, off, length)) {
            return wrap(buf, off, length);
        }
        this.buf = buf;
        this.off = off;
        this.len = length;
        this.extensionHeaderAt = original.extensionHeaderAt;
        this.headerLength = original.headerLength;
        this.paddingSize = original.paddingSize;
        int count = original.elementCount;
        this.elementCount = count;
        if (count > 0) {
            System.arraycopy(original.elements, 0, elements, 0, count);
        }
        this.validity = RtpValidity.OK;
        return validity;
    }

    private RtpValidity parse() {
        if (!BigEndian.inBounds(buf, off, len)) {
            return RtpValidity.OUT_OF_BOUNDS;
        }
        if (len < FIXED_HEADER_LENGTH) {
            return RtpValidity.TOO_SHORT;
        }
        int b0 = buf[off] & 0xFF;
        if ((b0 >>> 6) != VERSION) {
            return RtpValidity.BAD_VERSION;
        }
        int pos = FIXED_HEADER_LENGTH + 4 * (b0 & 0x0F);
        if (pos > len) {
            return RtpValidity.CSRC_OVERFLOW;
        }
        if ((b0 & 0x10) != 0) {
            if (pos + 4 > len) {
                return RtpValidity.EXTENSION_OVERFLOW;
            }
            int dataStart = pos + 4;
            int dataEnd = dataStart + 4 * BigEndian.u16(buf, off + pos + 2);
            if (dataEnd > len) {
                return RtpValidity.EXTENSION_OVERFLOW;
            }
            int profile = BigEndian.u16(buf, off + pos);
            if (!indexExtensions(off + dataStart, off + dataEnd, profile)) {
                return RtpValidity.BAD_EXTENSION_ELEMENT;
            }
            extensionHeaderAt = pos;
            pos = dataEnd;
        }
        headerLength = pos;
        if ((b0 & 0x20) != 0) {
            // The pad count is the packet's last byte and counts itself, so 0 is impossible.
            int pad = pos < len ? buf[off + len - 1] & 0xFF : 0;
            if (pad == 0 || pad > len - pos) {
                return RtpValidity.BAD_PADDING;
            }
            paddingSize = pad;
        }
        return RtpValidity.OK;
    }

    /** Validates the block {@code [start, end)} and notes its elements; false when malformed. */
    private boolean indexExtensions(int start, int end, int profile) {
        int count = RtpHeaderExtensions.index(buf, start, end, profile, off, elements);
        elementCount = count > INDEXED_EXTENSIONS ? -1 : count;
        return count != RtpHeaderExtensions.MALFORMED;
    }

    public RtpValidity validity() {
        return validity;
    }

    public boolean isValid() {
        return validity == RtpValidity.OK;
    }

    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    /** Whole packet length in bytes, including padding; changes when extensions are added. */
    public int length() {
        return len;
    }

    public int version() {
        return (buf[off] & 0xFF) >>> 6;
    }

    public boolean hasPadding() {
        return (buf[off] & 0x20) != 0;
    }

    public boolean hasExtension() {
        return (buf[off] & 0x10) != 0;
    }

    public int csrcCount() {
        return buf[off] & 0x0F;
    }

    /** CSRC number {@code i} (0-based, below {@link #csrcCount()}), unsigned. */
    public long csrc(int i) {
        return BigEndian.u32(buf, off + FIXED_HEADER_LENGTH + 4 * i);
    }

    public boolean marker() {
        return (buf[off + 1] & 0x80) != 0;
    }

    public int payloadType() {
        return buf[off + 1] & 0x7F;
    }

    public int sequenceNumber() {
        return BigEndian.u16(buf, off + 2);
    }

    public long timestamp() {
        return BigEndian.u32(buf, off + 4);
    }

    public long ssrc() {
        return BigEndian.u32(buf, off + 8);
    }

    /** Fixed header + CSRCs + extension block, in bytes. */
    public int headerLength() {
        return headerLength;
    }

    public int payloadOffset() {
        return off + headerLength;
    }

    /** Payload bytes, excluding padding. Zero for padding-only probes. */
    public int payloadLength() {
        return len - headerLength - paddingSize;
    }

    public int paddingSize() {
        return paddingSize;
    }

    public void setMarker(boolean marker) {
        buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7F);
    }

    public void setPayloadType(int payloadType) {
        buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | (payloadType & 0x7F));
    }

    public void setSequenceNumber(int seq) {
        BigEndian.put16(buf, off + 2, seq);
    }

    public void setTimestamp(long timestamp) {
        BigEndian.put32(buf, off + 4, timestamp);
    }

    public void setSsrc(long ssrc) {
        BigEndian.put32(buf, off + 8, ssrc);
    }

    // ---------------------------------------------------------------- header extensions

    /** The extension block's profile (0xBEDE, 0x100X or other), or -1 without the X bit. */
    public int extensionProfile() {
        return extensionHeaderAt < 0 ? -1 : BigEndian.u16(buf, off + extensionHeaderAt);
    }

    /** Absolute offset of the extension data (after the profile word), or -1 without X bit. */
    public int extensionBlockOffset() {
        return extensionHeaderAt < 0 ? -1 : off + extensionHeaderAt + 4;
    }

    /** Bytes of extension data (a multiple of 4), 0 without the X bit. */
    public int extensionBlockLength() {
        return extensionHeaderAt < 0 ? 0 : headerLength - extensionHeaderAt - 4;
    }

    /**
     * Packed reference to extension {@code id}'s data (see {@link RtpHeaderExtensions#offsetOf}
     * and {@link RtpHeaderExtensions#lengthOf}), or {@link RtpHeaderExtensions#NOT_FOUND}.
     */
    public long findExtension(int id) {
        if (extensionHeaderAt < 0 || id <= 0) {
            return RtpHeaderExtensions.NOT_FOUND;
        }
        if (elementCount >= 0) {
            for (int i = 0; i < elementCount; i++) {
                long e = elements[i];
                if (RtpHeaderExtensions.elementId(e) == id) {
                    return RtpHeaderExtensions.ref(
                            off + RtpHeaderExtensions.elementDataOffset(e), RtpHeaderExtensions.elementLength(e));
                }
            }
            return RtpHeaderExtensions.NOT_FOUND;
        }
        int start = off + extensionHeaderAt + 4;
        return RtpHeaderExtensions.find(buf, start, off + headerLength, extensionProfile(), id);
    }

    /** Absolute offset of extension {@code id}'s data, or -1 when absent. */
    public int extensionOffset(int id) {
        long ref = findExtension(id);
        return ref == RtpHeaderExtensions.NOT_FOUND ? -1 : RtpHeaderExtensions.offsetOf(ref);
    }

    /** Data length of extension {@code id}, or -1 when absent. */
    public int extensionLength(int id) {
        long ref = findExtension(id);
        return ref == RtpHeaderExtensions.NOT_FOUND ? -1 : RtpHeaderExtensions.lengthOf(ref);
    }

    /**
     * Extension elements noted by the wrap (in block order, stripped ones included with id 0), or -1 when
     * the block had too many to note or is not RFC 8285: then only the byte-walking calls see them.
     */
    public int indexedExtensionCount() {
        return elementCount;
    }

    /** Id of noted element {@code i} (below {@link #indexedExtensionCount()}); 0 once stripped. */
    public int indexedExtensionId(int i) {
        return RtpHeaderExtensions.elementId(elements[i]);
    }

    /** Absolute offset of noted element {@code i}'s data. */
    public int indexedExtensionOffset(int i) {
        return off + RtpHeaderExtensions.elementDataOffset(elements[i]);
    }

    /** Data length of noted element {@code i}. */
    public int indexedExtensionLength(int i) {
        return RtpHeaderExtensions.elementLength(elements[i]);
    }

    /**
     * Gives noted element {@code i} the id {@code id} in place (1..14 in the one-byte form, 1..255 in the
     * two-byte form: the caller checks); its data stays where it is.
     */
    public void renumberIndexedExtension(int i, int id) {
        long e = elements[i];
        int length = RtpHeaderExtensions.elementLength(e);
        int dataAt = off + RtpHeaderExtensions.elementDataOffset(e);
        if (RtpHeaderExtensions.isOneByte(extensionProfile())) {
            buf[dataAt - 1] = (byte) ((id << 4) | (length - 1));
        } else {
            buf[dataAt - 2] = (byte) id;
        }
        elements[i] = RtpHeaderExtensions.element(RtpHeaderExtensions.elementDataOffset(e), id, length);
    }

    /**
     * Overwrites noted element {@code i} (header and data) with padding bytes, which RFC 8285 allows
     * between elements, so nothing moves; it keeps its place in the notes with id 0, which no lookup matches.
     */
    public void stripIndexedExtension(int i) {
        long e = elements[i];
        int length = RtpHeaderExtensions.elementLength(e);
        int dataAt = off + RtpHeaderExtensions.elementDataOffset(e);
        int from = RtpHeaderExtensions.isOneByte(extensionProfile()) ? dataAt - 1 : dataAt - 2;
        for (int p = from; p < dataAt + length; p++) {
            buf[p] = 0;
        }
        elements[i] = RtpHeaderExtensions.element(RtpHeaderExtensions.elementDataOffset(e), 0, length);
    }

    /** Visits every addressable extension element; returns how many there were. */
    public int forEachExtension(RtpHeaderExtensions.ElementVisitor visitor) {
        if (extensionHeaderAt < 0) {
            return 0;
        }
        int start = off + extensionHeaderAt + 4;
        return RtpHeaderExtensions.forEach(buf, start, off + headerLength, extensionProfile(), visitor);
    }

    /**
     * Overwrites the data of an existing extension in place. Returns false (and changes
     * nothing) when the id is absent or its length differs from {@code length}.
     */
    public boolean writeExtension(int id, byte[] src, int srcOff, int length) {
        long ref = findExtension(id);
        if (ref == RtpHeaderExtensions.NOT_FOUND || RtpHeaderExtensions.lengthOf(ref) != length) {
            return false;
        }
        System.arraycopy(src, srcOff, buf, RtpHeaderExtensions.offsetOf(ref), length);
        return true;
    }

    /** {@link #putExtension(int, byte[], int, int, int)} with the rest of the array as capacity. */
    public boolean putExtension(int id, byte[] src, int srcOff, int length) {
        return putExtension(id, src, srcOff, length, buf.length - off);
    }

    /**
     * Adds extension {@code id} or replaces its data, growing the header (and moving the
     * payload) when needed. Returns false, leaving the packet untouched, when it cannot fit.
     */
    public boolean putExtension(int id, byte[] src, int srcOff, int length, int capacity) {
        int at = reserveExtension(id, length, capacity);
        if (at < 0) {
            return false;
        }
        System.arraycopy(src, srcOff, buf, at, length);
        return true;
    }

    /**
     * Makes room for extension {@code id} with exactly {@code length} data bytes and returns the
     * absolute offset where the caller writes them, or -1 when it cannot be done (packet not
     * valid, opaque extension profile, id/length out of RFC 8285 range, or the packet would
     * exceed {@code capacity} bytes from {@link #offset()}). On -1 nothing was changed.
     *
     * <p>An existing element of the same length is reused as is. Otherwise the block is
     * rewritten compactly (padding dropped, old element removed, new one appended), switching
     * from the one-byte to the two-byte form when the id or length requires it. Payload and
     * RTP padding move with the header; the {@link #length()} grows or shrinks accordingly.
     */
    public int reserveExtension(int id, int length, int capacity) {
        if (validity != RtpValidity.OK
                || id < 1
                || id > RtpHeaderExtensions.TWO_BYTE_MAX_ID
                || length < 0
                || length > RtpHeaderExtensions.TWO_BYTE_MAX_LENGTH) {
            return -1;
        }
        long existing = findExtension(id);
        if (existing != RtpHeaderExtensions.NOT_FOUND && RtpHeaderExtensions.lengthOf(existing) == length) {
            return RtpHeaderExtensions.offsetOf(existing);
        }
        int csrcEnd = FIXED_HEADER_LENGTH + 4 * csrcCount();
        int blockStart = csrcEnd + 4;
        int profile = extensionProfile();
        int keptCount = 0;
        int keptBytes = 0;
        if (extensionHeaderAt >= 0) {
            boolean known = RtpHeaderExtensions.isOneByte(profile) || RtpHeaderExtensions.isTwoByte(profile);
            if (!known) {
                return -1;
            }
            long kept = RtpHeaderExtensions.measureWithout(buf, off + blockStart, off + headerLength, profile, id);
            keptCount = (int) (kept >>> 32);
            keptBytes = (int) kept;
        }
        boolean wasTwoByte = RtpHeaderExtensions.isTwoByte(profile);
        boolean twoByte = wasTwoByte || !RtpHeaderExtensions.fitsOneByte(id, length);
        boolean widen = twoByte && !wasTwoByte && keptCount > 0;
        int elements = keptBytes + (widen ? keptCount : 0) + (twoByte ? 2 : 1) + length;
        int newBlockLength = (elements + 3) & ~3;
        int newHeaderLength = blockStart + newBlockLength;
        int tail = len - headerLength;
        int newLen = newHeaderLength + tail;
        if (newLen > capacity || newLen > buf.length - off || newBlockLength / 4 > 0xFFFF) {
            return -1;
        }

        // Order matters: compaction only moves bytes left inside the old block, and the new
        // header end lies past the compacted elements, so the payload move cannot clobber them.
        int compacted = extensionHeaderAt >= 0
                ? RtpHeaderExtensions.compactWithout(buf, off + blockStart, off + headerLength, profile, id)
                : 0;
        System.arraycopy(buf, off + headerLength, buf, off + newHeaderLength, tail);
        if (widen) {
            RtpHeaderExtensions.widenToTwoByte(buf, off + blockStart, compacted, keptCount);
            compacted += keptCount;
        }
        int w = off + blockStart + compacted;
        if (twoByte) {
            buf[w++] = (byte) id;
            buf[w++] = (byte) length;
        } else {
            buf[w++] = (byte) ((id << 4) | (length - 1));
        }
        int dataAt = w;
        for (int i = w; i < off + newHeaderLength; i++) {
            buf[i] = 0;
        }
        int newProfile = twoByte
                ? (wasTwoByte ? profile : RtpHeaderExtensions.TWO_BYTE_PROFILE)
                : RtpHeaderExtensions.ONE_BYTE_PROFILE;
        BigEndian.put16(buf, off + csrcEnd, newProfile);
        BigEndian.put16(buf, off + csrcEnd + 2, newBlockLength / 4);
        buf[off] = (byte) (buf[off] | 0x10);
        extensionHeaderAt = csrcEnd;
        headerLength = newHeaderLength;
        len = newLen;
        // The block was laid out anew: note its elements again (it is well-formed by construction).
        indexExtensions(off + blockStart, off + newHeaderLength, newProfile);
        return dataAt;
    }
}
