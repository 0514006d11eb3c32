package dev.chorus.sfu.rtp;

/**
 * Wraparound arithmetic on RTP sequence numbers (16-bit) and timestamps (32-bit).
 *
 * <p>"Newer" means "ahead by less than half the number space". At exactly half the space the
 * distance is ambiguous; {@code delta} then returns the negative extreme and neither value is
 * newer than the other, so {@code isNewer(a, b) == delta(a, b) > 0} always holds.
 */
public final class RtpSeq {
    public static final int SEQ_MODULUS = 1 << 16;
    public static final long TIMESTAMP_MODULUS = 1L << 32;

    private RtpSeq() {}

    /** Signed distance from {@code b} to {@code a}, in [-32768, 32767]. */
    public static int delta(int a, int b) {
        return (short) (a - b);
    }

    /** True when {@code a} comes after {@code b}. */
    public static boolean isNewer(int a, int b) {
        return delta(a, b) > 0;
    }

    /** {@code seq + n} modulo 2^16 ({@code n} may be negative). */
    public static int add(int seq, int n) {
        return (seq + n) & 0xFFFF;
    }

    /** Signed distance from timestamp {@code b} to {@code a}, in [-2^31, 2^31 - 1]. */
    public static long timestampDelta(long a, long b) {
        return (int) (a - b);
    }

    /** True when timestamp {@code a} comes after {@code b}. */
    public static boolean isNewerTimestamp(long a, long b) {
        return timestampDelta(a, b) > 0;
    }

    /** {@code ts + n} modulo 2^32, as an unsigned value. */
    public static long addTimestamp(long ts, long n) {
        return (ts + n) & 0xFFFF_FFFFL;
    }
}
