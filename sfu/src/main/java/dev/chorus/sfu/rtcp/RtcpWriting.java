package dev.chorus.sfu.rtcp;

/** Argument checks shared by the RTCP writers, which report misuse as -1 instead of throwing. */
final class RtcpWriting {
    private RtcpWriting() {}

    /** True when {@code length} bytes fit at {@code off} below {@code limit} inside {@code dst}. */
    static boolean fits(byte[] dst, int off, int limit, int length) {
        return dst != null && off >= 0 && limit <= dst.length && length >= 0 && off <= limit - length;
    }
}
