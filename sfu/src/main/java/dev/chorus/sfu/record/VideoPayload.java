package dev.chorus.sfu.record;

/**
 * What {@link VideoDepacketizer} needs to know of one video RTP payload format: which packets start a frame (so it
 * can find frame boundaries and resynchronise after a loss), and how a complete frame's packets become the bytes a
 * file stores. One instance per depacketizer, writer-thread only; nothing here allocates per packet.
 */
interface VideoPayload {
    /** {@link #classify}: the packet cannot be used. */
    int MALFORMED = -1;
    /** {@link #classify}: the packet continues a frame. */
    int CONTINUES = 0;
    /** {@link #classify}: the packet is the first of a frame. */
    int STARTS = 1;

    /** Whether the (non-empty) payload starts a frame, continues one, or is malformed. */
    int classify(byte[] b, int off, int len);

    /** A frame's assembly begins; {@code out} is cleared. */
    void begin(FrameBuffer out);

    /** Appends one packet's payload, in order; false when the packets do not make a frame (it is then dropped). */
    boolean append(byte[] b, int off, int len, FrameBuffer out);

    /** The frame's packets are all in: finishes it in {@code out}; false when they did not make a whole frame. */
    boolean end(FrameBuffer out);

    /** Whether the frame just ended can be decoded on its own. */
    boolean keyframe();
}
