package dev.chorus.sfu.sctp;

/** Why an SCTP packet, chunk or data-channel message was refused; each is counted by {@link SctpCounters}. */
public enum SctpMalformed {
    /** Shorter than the 12-byte common header plus one chunk header. */
    TOO_SHORT,
    /** The CRC32c does not match. */
    BAD_CHECKSUM,
    /** A chunk or parameter length below its header or beyond the packet. */
    BAD_LENGTH,
    /** The verification tag is not ours (or not 0 on an INIT). */
    BAD_VERIFICATION_TAG,
    /** A fixed chunk field out of range (e.g. INIT with tag 0, DATA without user data). */
    BAD_CHUNK,
    /** An unknown chunk type whose upper bits say "stop processing". */
    UNKNOWN_CHUNK,
    /** A COOKIE-ECHO whose signature, size or age is wrong. */
    BAD_COOKIE,
    /** A chunk that does not belong in the association's state (e.g. DATA before COOKIE-ECHO). */
    UNEXPECTED_CHUNK,
    /** DATA for a TSN beyond what our receive window allows. */
    OUT_OF_WINDOW,
    /** A user message that grew past the configured maximum while being reassembled. */
    MESSAGE_TOO_LARGE,
    /** A DCEP message (PPID 50) that does not parse. */
    BAD_DCEP,
    /** A message on a stream with no open data channel. */
    NO_CHANNEL
}
