package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.rtp.RtpPacket;

/**
 * Drops a VP8 stream's upper temporal layers for one consumer (RFC 7741: TID and the layer-sync bit
 * Y). Decides per frame, at the first packet seen of it, and every packet of the frame follows:
 *
 * <ul>
 *   <li>a frame whose TID is above the <em>current</em> layer is dropped; TL0 frames never are;
 *   <li>the current layer goes down to the target at any frame boundary, and up only where the
 *       decoder can follow: at a keyframe (all of it, since a keyframe refreshes every reference), or
 *       one layer at a time at a frame with Y set whose TID is the layer to add (it depends on TL0
 *       frames only, and the frames of that layer after it on it or on layers already forwarded);
 *   <li>a packet without a TID (T=0) counts as TL0: a stream without temporal layers passes whole.
 * </ul>
 *
 * <p>The subscriber's decoder must not see the dropped frames as lost: the {@link Consumer} hides
 * their sequence numbers ({@link SeqRewriter#drop}), and the picture id of each forwarded frame is
 * lowered by the frames dropped before it in the current splice segment ({@link #shift()}), so ids
 * stay consecutive. TL0PICIDX needs nothing: every TL0 frame is forwarded. A short history of frame
 * decisions, keyed by layer and RTP timestamp, answers for late packets (reordered, or recovered by
 * the publisher's RTX) and for the subscriber's NACKs: a packet of a dropped frame is never sent,
 * and a resent one gets the picture id it had. Worker-thread only; no allocation per packet.
 */
final class TemporalFilter {
    /** Target meaning every temporal layer (VP8's TID has two bits). */
    static final int ALL = 3;
    /**
     * Target meaning no frame at all, base layer included: the layer is being left for a lower one
     * whose keyframe is awaited (see {@link LayerChoice#temporalCap}). Going up from it takes a keyframe.
     */
    static final int NONE = -1;

    static final int FRAMES = 128;
    /** A gap in the input longer than this is not hidden, whatever surrounds it. */
    static final int MAX_HIDDEN_GAP = 64;

    private static final long MASK32 = 0xFFFF_FFFFL;

    private int target = ALL;
    private int current = ALL;

    private int segment = -1;
    private boolean haveFrame;
    private long frameTimestamp;
    private boolean frameForwarded;
    private int frameShift;
    private int framePictureId = -1;
    /** Frames dropped so far in this segment: what the next forwarded frame's picture id is lowered by. */
    private int dropped;
    /** The answer for the packet {@link #accept} just decided. */
    private int shift;

    private long lastDroppedVirtual = Long.MIN_VALUE;
    private long lastDroppedTimestamp;
    private int lastDroppedPictureId = -1;
    private long gapToHide;

    private final int[] historyLayer = new int[FRAMES];
    private final long[] historyTimestamp = new long[FRAMES];
    private final boolean[] historyForwarded = new boolean[FRAMES];
    private final int[] historyShift = new int[FRAMES];
    private int historyCount;
    private int historyNewest = -1;

    private long framesForwarded;
    private long framesDropped;
    private long switchesUp;
    private long switchesDown;
    private long lateFrames;
    private long gapsHidden;

    /** Highest TID to forward ({@link #ALL}: every layer, {@link #NONE}: none); applied at the next possible frame. */
    void setTarget(int tid) {
        target = Math.max(NONE, Math.min(ALL, tid));
    }

    int target() {
        return target;
    }

    /** The highest TID forwarded now. */
    int current() {
        return current;
    }

    /**
     * Whether to forward {@code in}, a packet of spatial layer {@code layer} in splice segment
     * {@code segment}, numbered {@code virtual} (its {@link StreamSplicer#virtual}) after input
     * {@code highestIn} ({@link SeqRewriter#highestIn()}). {@code tid}, {@code sync} and {@code pictureId} are
     * its TID (-1: none), Y bit and picture id (-1: none), as its receive stream parsed them once for every
     * consumer; {@code keyframe} whether it starts a keyframe. After a true return,
     * {@link #shift()} lowers its picture id; after false, {@link #gapToHide()} says how many
     * missing inputs just before it belong to dropped frames too.
     */
    boolean accept(
            RtpPacket in,
            int layer,
            int segment,
            int tid,
            boolean sync,
            int pictureId,
            boolean keyframe,
            long virtual,
            long highestIn) {
        gapToHide = 0;
        if (segment != this.segment) {
            // A new splice segment starts on a keyframe, with picture ids joined by the splicer.
            this.segment = segment;
            haveFrame = false;
            dropped = 0;
            lastDroppedVirtual = Long.MIN_VALUE;
        }
        long ts = in.timestamp();
        boolean forward;
        if (haveFrame && ts == frameTimestamp) {
            forward = frameForwarded;
            shift = frameShift;
        } else if (!haveFrame || virtual > highestIn) {
            // Newer in sequence order: a new frame, even if its timestamp jumped back (a restarted encoder).
            forward = newFrame(layer, ts, tid < 0 ? 0 : tid, sync, pictureId, keyframe);
        } else {
            forward = lateFrame(layer, ts, tid < 0 ? 0 : tid);
        }
        if (!forward && virtual > highestIn) {
            long gap = virtual - highestIn - 1;
            if (gap > 0
                    && gap <= MAX_HIDDEN_GAP
                    && lastDroppedVirtual == highestIn
                    && (lastDroppedTimestamp == ts
                            || (framePictureId >= 0
                                    && lastDroppedPictureId >= 0
                                    && ((framePictureId - lastDroppedPictureId) & 0x7FFF) == 1))) {
                // The inputs lost between two packets of dropped frames were theirs: hide them too.
                gapToHide = gap;
                gapsHidden++;
            }
            lastDroppedVirtual = virtual;
            lastDroppedTimestamp = ts;
            lastDroppedPictureId = framePictureId;
        }
        return forward;
    }

    private boolean newFrame(int layer, long ts, int tid, boolean sync, int pictureId, boolean keyframe) {
        if (keyframe) {
            if (current != target) {
                if (target > current) {
                    switchesUp++;
                } else {
                    switchesDown++;
                }
            }
            current = target;
        } else if (target < current) {
            current = target;
            switchesDown++;
        } else if (tid == current + 1 && tid <= target && sync && current != NONE) {
            // One layer at a time: a sync frame of layer t only spares the decoder layer t's past,
            // so the layers below it must already be forwarded (after NONE, not even TL0 was).
            current = tid;
            switchesUp++;
        }
        boolean forward = tid <= current;
        haveFrame = true;
        frameTimestamp = ts;
        frameForwarded = forward;
        frameShift = dropped;
        framePictureId = pictureId;
        shift = dropped;
        if (forward) {
            framesForwarded++;
        } else {
            dropped = (dropped + 1) & 0x7FFF;
            framesDropped++;
        }
        remember(layer, ts, forward, frameShift);
        return forward;
    }

    /**
     * A packet older in sequence than the newest (reordered, or recovered by RTX): the recorded decision; for a frame never seen (all
     * of it came late), forwarded if its layer is forwarded now, with the picture-id shift of the
     * frame after it (it was never counted as dropped, so the ids after it left room for it).
     */
    private boolean lateFrame(int layer, long ts, int tid) {
        int slot = find(layer, ts);
        if (slot >= 0) {
            shift = historyShift[slot];
            return historyForwarded[slot];
        }
        lateFrames++;
        int next = -1;
        long nextDistance = Long.MAX_VALUE;
        for (int i = 0, s = historyNewest; i < historyCount; i++, s = (s + FRAMES - 1) % FRAMES) {
            long d = (historyTimestamp[s] - ts) & MASK32;
            if (historyLayer[s] == layer && d > 0 && d < 0x8000_0000L && d < nextDistance) {
                nextDistance = d;
                next = s;
            }
        }
        boolean forward = next >= 0 && tid <= current;
        shift = next >= 0 ? historyShift[next] : 0;
        remember(layer, ts, forward, shift);
        return forward;
    }

    /** The picture-id shift for the packet {@link #accept} just let through. */
    int shift() {
        return shift;
    }

    /** Inputs missing just before the packet {@link #accept} just dropped that belong to dropped frames. */
    long gapToHide() {
        return gapToHide;
    }

    /**
     * For a resend of a packet of frame ({@code layer}, {@code timestamp}): its picture-id shift, or -1
     * when that frame was dropped or is older than the history (then it is not resent).
     */
    int shiftOf(int layer, long timestamp) {
        int slot = find(layer, timestamp);
        return slot >= 0 && historyForwarded[slot] ? historyShift[slot] : -1;
    }

    private int find(int layer, long ts) {
        for (int i = 0, s = historyNewest; i < historyCount; i++, s = (s + FRAMES - 1) % FRAMES) {
            if (historyTimestamp[s] == ts && historyLayer[s] == layer) {
                return s;
            }
        }
        return -1;
    }

    private void remember(int layer, long ts, boolean forwarded, int frameShift) {
        historyNewest = (historyNewest + 1) % FRAMES;
        historyCount = Math.min(FRAMES, historyCount + 1);
        historyLayer[historyNewest] = layer;
        historyTimestamp[historyNewest] = ts;
        historyForwarded[historyNewest] = forwarded;
        historyShift[historyNewest] = frameShift;
    }

    long framesDropped() {
        return framesDropped;
    }

    long framesForwarded() {
        return framesForwarded;
    }

    void addJson(ObjectNode n) {
        ObjectNode t = n.putObject("temporal");
        t.put("target", target);
        t.put("current", current);
        t.put("framesForwarded", framesForwarded);
        t.put("framesDropped", framesDropped);
        t.put("pictureIdShift", dropped);
        t.put("switchesUp", switchesUp);
        t.put("switchesDown", switchesDown);
        t.put("lateFrames", lateFrames);
        t.put("gapsHidden", gapsHidden);
    }
}
