package dev.chorus.sfu.cc;

/**
 * Bitrate of a stream over consecutive windows of {@link #WINDOW_NANOS}, smoothed so one keyframe
 * does not swing it. One add per packet and no allocation; worker-thread only.
 */
public final class RateMeter {
    static final long WINDOW_NANOS = 500_000_000L;

    private long windowStart = -1;
    private long windowBytes;
    private double smoothedBps = -1;
    private long lastPacketNanos = -1;

    public void add(int bytes, long nowNanos) {
        roll(nowNanos);
        windowBytes += bytes;
        lastPacketNanos = nowNanos;
    }

    /** The smoothed rate in bits per second; 0 before the first full window or after 2 s of silence. */
    public long bitsPerSecond(long nowNanos) {
        roll(nowNanos);
        if (smoothedBps < 0 || lastPacketNanos < 0 || nowNanos - lastPacketNanos > 4 * WINDOW_NANOS) {
            return 0;
        }
        return (long) smoothedBps;
    }

    private void roll(long nowNanos) {
        if (windowStart < 0) {
            windowStart = nowNanos;
            return;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        double rate = windowBytes * 8.0 * 1e9 / elapsed;
        smoothedBps = smoothedBps < 0 ? rate : smoothedBps + 0.5 * (rate - smoothedBps);
        windowBytes = 0;
        windowStart = nowNanos;
    }
}
