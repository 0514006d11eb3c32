package dev.chorus.sfu.rtcp;

/**
 * Outcome of parsing RTCP: {@link #OK} or the first specific defect found. Parsers return these
 * instead of throwing, and drop counters key on the names.
 */
public enum RtcpValidity {
    OK,
    /** The (buffer, offset, length) triple does not describe a region inside the array. */
    OUT_OF_BOUNDS,
    /** Fewer than the 4 header bytes (or an empty compound). */
    TOO_SHORT,
    /** Version field is not 2. */
    BAD_VERSION,
    /** The header's length field points past the end of the buffer. */
    LENGTH_OVERFLOW,
    /** The P bit is set but the pad count is zero or larger than the packet body. */
    BAD_PADDING,
    /** A view was handed a packet of another type or feedback format. */
    WRONG_TYPE,
    /** The body is shorter than the fixed part its type requires. */
    TRUNCATED,
    /** SR/RR: the report count announces more blocks than the body holds. */
    REPORT_BLOCKS_OVERFLOW,
    /** SDES: a chunk or one of its items runs past the end of the packet. */
    SDES_CHUNK_OVERFLOW,
    /** BYE/REMB: the announced SSRC list runs past the end of the packet. */
    SSRC_LIST_OVERFLOW,
    /** BYE: the reason length runs past the end of the packet. */
    BYE_REASON_OVERFLOW,
    /** NACK/FIR: no complete feedback control item. */
    BAD_FCI_LENGTH,
    /** PSFB FMT=15 without the 'REMB' identifier. */
    NOT_REMB,
    /** Transport-cc feedback with a packet status count of zero. */
    TCC_EMPTY,
    /** Transport-cc: the status chunks needed for the status count run past the end. */
    TCC_CHUNKS_OVERFLOW,
    /** Transport-cc: the receive deltas the chunks announce run past the end. */
    TCC_DELTAS_OVERFLOW,
    /** Transport-cc: a chunk uses the reserved status symbol 3 for a counted packet. */
    TCC_RESERVED_STATUS
}
