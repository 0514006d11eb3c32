package dev.chorus.sfu.record;

/** Where a depacketizer puts the frames it assembled, in order; the bytes are valid only during the call. */
interface FrameSink {
    /**
     * @param rtpTimestamp the frame's RTP timestamp (unsigned 32-bit)
     * @param keyframe     a VP8 keyframe (every Opus frame stands alone and is passed as one)
     */
    void onFrame(long rtpTimestamp, boolean keyframe, byte[] b, int off, int len);

    /** Frames were lost before the next one: a video decoder needs a keyframe to go on. */
    void onLoss();
}
