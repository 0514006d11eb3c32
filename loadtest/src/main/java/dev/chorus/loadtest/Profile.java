package dev.chorus.loadtest;

import java.util.SplittableRandom;

/**
 * What each publisher sends. Audio is always one 20 ms Opus packet every 20 ms (50 packets/s). Video runs at
 * 30 frames/s with a key frame every {@link #KEYFRAME_INTERVAL_FRAMES} frames that is
 * {@link #KEYFRAME_FACTOR} times an average delta frame, delta frames varying +-25 % around their mean, so
 * the average bitrate matches the nominal one. NativePeer splits frames into packets of at most 1200
 * payload bytes.
 */
enum Profile {
    AUDIO("audio", 0, 0, 0),
    P360("360p", 300_000, 640, 360),
    P720("720p", 1_000_000, 1280, 720),
    P1080("1080p", 2_500_000, 1920, 1080);

    static final int FPS = 30;
    static final int AUDIO_PACKETS_PER_SECOND = 50;
    static final int KEYFRAME_INTERVAL_FRAMES = 3 * FPS;
    static final int KEYFRAME_FACTOR = 5;
    /** Distinct delta frame sizes cycled through. */
    static final int DELTA_SIZES = 32;

    private final String token;
    private final int videoBitsPerSecond;
    private final int frameWidth;
    private final int frameHeight;

    Profile(String token, int videoBitsPerSecond, int frameWidth, int frameHeight) {
        this.token = token;
        this.videoBitsPerSecond = videoBitsPerSecond;
        this.frameWidth = frameWidth;
        this.frameHeight = frameHeight;
    }

    String token() {
        return token;
    }

    boolean hasVideo() {
        return videoBitsPerSecond > 0;
    }

    int videoBitsPerSecond() {
        return videoBitsPerSecond;
    }

    /**
     * The picture size a simulcast publisher's key frames announce for its top layer (each layer below: half
     * the width and height), so the server can choose layers by view size; 0 for audio. Plain video lines
     * keep the test peer's own nominal size, as before simulcast.
     */
    int frameWidth() {
        return frameWidth;
    }

    int frameHeight() {
        return frameHeight;
    }

    /** Mean delta frame bytes such that key + delta frames average the nominal bitrate. */
    int meanDeltaFrameBytes() {
        double perFrame = videoBitsPerSecond / 8.0 / FPS;
        int k = KEYFRAME_INTERVAL_FRAMES;
        return (int) Math.round(perFrame * k / (k - 1 + KEYFRAME_FACTOR));
    }

    int keyframeBytes() {
        return meanDeltaFrameBytes() * KEYFRAME_FACTOR;
    }

    /** Delta frame sizes, mean {@link #meanDeltaFrameBytes()}, spread +-25 %, fixed seed. */
    int[] deltaFrameSizes() {
        int mean = meanDeltaFrameBytes();
        int[] sizes = new int[DELTA_SIZES];
        SplittableRandom r = new SplittableRandom(42);
        long sum = 0;
        for (int i = 0; i < DELTA_SIZES; i += 2) {
            int d = (int) (mean * 0.25 * r.nextDouble());
            sizes[i] = mean + d;
            sizes[i + 1] = mean - d; // pairs keep the mean exact
            sum += sizes[i] + sizes[i + 1];
        }
        assert sum == (long) mean * DELTA_SIZES;
        return sizes;
    }
}
