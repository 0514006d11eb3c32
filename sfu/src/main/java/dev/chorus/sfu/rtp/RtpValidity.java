package dev.chorus.sfu.rtp;

/**
 * Outcome of {@link RtpPacket#wrap}: {@link #OK} or the first reason the bytes are not a usable
 * RTP packet. Drop counters key on these names, so each one names a single, specific defect.
 */
public enum RtpValidity {
    OK,
    /** The (buffer, offset, length) triple does not describe a region inside the array. */
    OUT_OF_BOUNDS,
    /** Fewer than the 12 bytes of the fixed header. */
    TOO_SHORT,
    /** Version field is not 2. */
    BAD_VERSION,
    /** The CSRC list announced by CC runs past the end of the packet. */
    CSRC_OVERFLOW,
    /** The X bit is set but the extension header or its announced length runs past the end. */
    EXTENSION_OVERFLOW,
    /** An RFC 8285 element (one- or two-byte form) runs past the end of the extension block. */
    BAD_EXTENSION_ELEMENT,
    /** The P bit is set but the pad count is zero or larger than what follows the header. */
    BAD_PADDING
}
