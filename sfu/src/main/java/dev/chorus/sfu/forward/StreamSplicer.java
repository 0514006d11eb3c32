package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.codec.Vp9Descriptor;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpSeq;

/**
 * Joins the layers one consumer forwards into one continuous stream, so the subscriber's decoder
 * never sees a switch: sequence numbers, RTP timestamps and (VP8) picture ids and TL0PICIDX carry
 * on from the last packet of the old layer. A plain track has one layer and one segment, and this
 * only adds the consumer's timestamp offset.
 *
 * <p>Each layer numbers its packets itself. The splicer maps them into one <em>virtual</em>
 * sequence, {@code virtual = extSeq + base}, choosing a new base at each switch so the first
 * packet of the new layer follows the newest one before it; {@link SeqRewriter} then works on
 * virtual numbers exactly as for a plain track. A short history of <em>segments</em> (which layer,
 * which offsets, from which virtual number on) turns a NACKed number back into the layer and
 * packet it came from, and rewrites the resent copy with the offsets it was first sent with.
 *
 * <p>Timestamps: the new layer's first timestamp is placed on the old layer's timeline through the
 * publisher's sender reports for both layers (they share one capture clock), or, without them, by
 * the time since the last forwarded packet. Either way the outgoing timestamp moves forward.
 * Worker-thread only.
 */
final class StreamSplicer {
    static final int HISTORY = 16;
    private static final long MASK32 = 0xFFFF_FFFFL;
    private static final int PICTURE_ID_MASK = 0x7FFF;
    /** A sender-report mapping further than this from the wall-clock guess is not trusted. */
    private static final long MAX_SR_DISAGREEMENT_NANOS = 500_000_000L;

    private final long initialTimestampOffset;
    private final int clockRate;
    /**
     * Rewrite VP8 picture ids: a simulcast VP8 track has more than one numbering to join, and any VP8
     * track may have frames of upper temporal layers dropped.
     */
    private final boolean vp8Splice;
    /** A VP9 track: one encoding (no splice), whose picture ids close up over pictures of dropped temporal layers. */
    private final boolean vp9;

    private int currentLayer = -1;
    private long base;
    private long timestampOffset;
    private int pictureIdOffset;
    private int tl0Offset;

    private final long[] segmentStart = new long[HISTORY];
    private final int[] segmentLayer = new int[HISTORY];
    private final long[] segmentBase = new long[HISTORY];
    private final long[] segmentTimestampOffset = new long[HISTORY];
    private final int[] segmentPictureIdOffset = new int[HISTORY];
    private final int[] segmentTl0Offset = new int[HISTORY];
    private int segments;
    private int newest = -1;

    private boolean sentAny;
    private long lastTimestamp;
    private long lastSentNanos;
    private int lastPictureId = -1;
    private int lastTl0 = -1;
    /** The VP8 numbers the last {@link #rewrite} left in its packet (-1: none), for {@link #onSent}. */
    private int rewrittenPictureId = -1;

    private int rewrittenTl0 = -1;
    private long switches;
    private long srAligned;

    StreamSplicer(long initialTimestampOffset, int clockRate, boolean vp8Splice) {
        this(initialTimestampOffset, clockRate, vp8Splice, false);
    }

    StreamSplicer(long initialTimestampOffset, int clockRate, boolean vp8Splice, boolean vp9) {
        this.vp9 = vp9;
        this.initialTimestampOffset = initialTimestampOffset;
        this.timestampOffset = initialTimestampOffset;
        this.clockRate = clockRate;
        this.vp8Splice = vp8Splice;
    }

    /** The layer being forwarded, -1 before the first packet. */
    int currentLayer() {
        return currentLayer;
    }

    /** The virtual sequence number of {@code extSeq} of the current layer. */
    long virtual(long extSeq) {
        return extSeq + base;
    }

    /** Virtual number of the current segment's first packet: anything older never was this layer's. */
    long segmentStart() {
        return segments == 0 ? Long.MIN_VALUE : segmentStart[newest];
    }

    long timestampOffset() {
        return timestampOffset;
    }

    /**
     * Starts forwarding {@code layer} with packet {@code first} (number {@code extSeq} of that
     * layer, a keyframe start unless this is the first layer or an audio track) after virtual
     * number {@code lastVirtual} ({@link Long#MIN_VALUE} when nothing was numbered yet).
     *
     * @param from     the new layer's stream (its sender clock places the timestamp)
     * @param previous the old layer's stream, or null for the first layer
     */
    void begin(
            int layer,
            RtpPacket first,
            long extSeq,
            long lastVirtual,
            RtpReceiveStream from,
            RtpReceiveStream previous,
            long nowNanos) {
        if (currentLayer >= 0) {
            switches++;
        }
        currentLayer = layer;
        base = lastVirtual == Long.MIN_VALUE ? 0 : lastVirtual + 1 - extSeq;
        if (sentAny) {
            timestampOffset = spliceTimestamp(first.timestamp(), from, previous, nowNanos);
            if (vp8Splice) {
                byte[] b = first.buffer();
                int pic = Vp8Payload.pictureId(b, first.payloadOffset(), first.payloadLength());
                int tl0 = Vp8Payload.tl0PicIdx(b, first.payloadOffset(), first.payloadLength());
                if (pic >= 0 && lastPictureId >= 0) {
                    pictureIdOffset = (lastPictureId + 1 - pic) & PICTURE_ID_MASK;
                }
                if (tl0 >= 0 && lastTl0 >= 0) {
                    tl0Offset = (lastTl0 + 1 - tl0) & 0xFF;
                }
            }
        } else {
            timestampOffset = initialTimestampOffset;
        }
        newest = (newest + 1) % HISTORY;
        segments = Math.min(HISTORY, segments + 1);
        segmentStart[newest] = extSeq + base;
        segmentLayer[newest] = layer;
        segmentBase[newest] = base;
        segmentTimestampOffset[newest] = timestampOffset;
        segmentPictureIdOffset[newest] = pictureIdOffset;
        segmentTl0Offset[newest] = tl0Offset;
    }

    /** The offset that puts {@code firstTimestamp} of the new layer just after what was sent. */
    private long spliceTimestamp(long firstTimestamp, RtpReceiveStream from, RtpReceiveStream previous, long nowNanos) {
        long elapsedTicks = Math.max(1, NtpTime.nanosToRtp(Math.max(0, nowNanos - lastSentNanos), clockRate));
        long wallClockGuess = lastTimestamp + elapsedTicks;
        long out = wallClockGuess;
        if (previous != null
                && from.senderClock().known()
                && previous.senderClock().known()) {
            SenderClockMapping now = from.senderClock();
            SenderClockMapping before = previous.senderClock();
            long ntpDelta = now.ntp() - before.ntp();
            if (Math.abs(ntpDelta) < (3600L << 32)) {
                // The new layer's first timestamp as the old layer would have stamped the same instant.
                long sinceNewSr = (int) ((firstTimestamp - now.rtp()) & MASK32);
                long ticks = Math.multiplyHigh(ntpDelta, (long) clockRate << 32);
                long onOldLayer = before.rtp() + sinceNewSr + ticks;
                long viaReports = (onOldLayer + segmentTimestampOffset[newest]) & MASK32;
                long disagreement = (int) ((viaReports - wallClockGuess) & MASK32);
                if (Math.abs(disagreement) * 1_000_000_000L / clockRate <= MAX_SR_DISAGREEMENT_NANOS) {
                    out = viaReports;
                    srAligned++;
                }
            }
        }
        if ((int) ((out - lastTimestamp) & MASK32) <= 0) {
            out = lastTimestamp + 1;
        }
        return (out - firstTimestamp) & MASK32;
    }

    /**
     * Rewrites timestamp and VP8 numbering of a copy for segment {@code segment} (the current one
     * for a first send, an older one for a retransmission); the VP8 payload starts
     * {@code payloadSkip} bytes into the RTP payload (2 in an RTX packet). The picture id is also
     * lowered by {@code pictureShift}: the frames this consumer dropped before it in the segment
     * (upper temporal layers, see {@link TemporalFilter}). {@code pic} and {@code tl0} are the packet's picture
     * id and TL0PICIDX (-1: none), parsed once by the caller: a fresh packet's by its receive stream for every
     * consumer (parsing it per consumer cost the fan-out about 15 %), a resend's from its stored copy.
     */
    void rewrite(RtpPacket out, int segment, int payloadSkip, int pictureShift, int pic, int tl0) {
        out.setTimestamp(RtpSeq.addTimestamp(out.timestamp(), segmentTimestampOffset[segment]));
        if (vp9 && pictureShift != 0) {
            int at = out.payloadOffset() + payloadSkip;
            int vp9Pic = Vp9Descriptor.pictureIdOf(out.buffer(), at, out.payloadLength() - payloadSkip);
            if (vp9Pic >= 0) {
                int shifted = (vp9Pic - pictureShift) & PICTURE_ID_MASK;
                Vp9Descriptor.rewritePictureId(out.buffer(), at, out.payloadLength() - payloadSkip, shifted);
            }
        }
        if (!vp8Splice) {
            return;
        }
        byte[] b = out.buffer();
        int off = out.payloadOffset() + payloadSkip;
        int len = out.payloadLength() - payloadSkip;
        int picOffset = (segmentPictureIdOffset[segment] - pictureShift) & PICTURE_ID_MASK;
        int tl0Off = segmentTl0Offset[segment];
        rewrittenPictureId = pic < 0 ? -1 : (pic + picOffset) & PICTURE_ID_MASK;
        rewrittenTl0 = tl0 < 0 ? -1 : (tl0 + tl0Off) & 0xFF;
        if (picOffset != 0 || tl0Off != 0) {
            Vp8Payload.rewrite(b, off, len, rewrittenPictureId, rewrittenTl0);
        }
    }

    /** Notes a first send of the current segment, just rewritten: what the next switch continues from. */
    void onSent(RtpPacket out, long nowNanos) {
        long ts = out.timestamp();
        if (!sentAny || (int) ((ts - lastTimestamp) & MASK32) > 0) {
            lastTimestamp = ts;
        }
        sentAny = true;
        lastSentNanos = nowNanos;
        int pic = rewrittenPictureId;
        if (pic >= 0 && (lastPictureId < 0 || ((pic - lastPictureId) & PICTURE_ID_MASK) < 0x4000)) {
            lastPictureId = pic;
        }
        int tl0 = rewrittenTl0;
        if (tl0 >= 0 && (lastTl0 < 0 || ((tl0 - lastTl0) & 0xFF) < 0x80)) {
            lastTl0 = tl0;
        }
    }

    /** True once a packet went out: {@link #lastTimestamp()} is meaningful. */
    boolean hasSent() {
        return sentAny;
    }

    /** The newest outgoing RTP timestamp (what padding probes are stamped with). */
    long lastTimestamp() {
        return lastTimestamp;
    }

    /** The current segment's index, for {@link #rewrite}. */
    int currentSegment() {
        return newest;
    }

    /** The segment virtual number {@code v} was sent in, or -1 when it is older than the history. */
    int segmentOf(long v) {
        for (int i = 0, s = newest; i < segments; i++, s = (s + HISTORY - 1) % HISTORY) {
            if (v >= segmentStart[s]) {
                return s;
            }
        }
        return -1;
    }

    int layerOf(int segment) {
        return segmentLayer[segment];
    }

    /** The layer's own extended sequence number of virtual number {@code v} in {@code segment}. */
    long extSeqOf(int segment, long v) {
        return v - segmentBase[segment];
    }

    long switches() {
        return switches;
    }

    void addJson(ObjectNode n) {
        n.put("currentLayer", currentLayer);
        n.put("layerSwitches", switches);
        n.put("switchesAlignedBySenderReports", srAligned);
        n.put("timestampOffset", timestampOffset);
        if (vp8Splice) {
            n.put("pictureIdOffset", pictureIdOffset);
            n.put("tl0PicIdxOffset", tl0Offset);
        }
    }
}
