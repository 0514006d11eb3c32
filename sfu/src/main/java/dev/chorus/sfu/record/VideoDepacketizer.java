package dev.chorus.sfu.record;

import java.util.Arrays;

/**
 * Assembles video frames from a publisher's RTP packets, given with the extended sequence numbers the receive stream
 * gave them; the payload format ({@link VideoPayload}: VP8, VP9, H.264) says which packets start a frame and how a
 * frame's packets become the bytes a file stores. Packets are kept in a ring indexed by sequence number, so a retransmission or a
 * reordered packet that arrives late still completes its frame; a frame goes out once every packet from its start
 * to its marker (the last packet of the picture) is in. A packet still missing after {@code waitNanos} (or when the ring is
 * full) is given up: the frames it belonged to are dropped and counted, and the sink hears of the loss (it then
 * waits for a keyframe). Writer-thread only; the ring is allocated once.
 */
final class VideoDepacketizer {
    static final int RING = 512;
    private static final int MAX_PAYLOAD = 1600;

    private final VideoPayload format;
    private final FrameSink sink;
    private final long waitNanos;
    private final byte[][] payload = new byte[RING][MAX_PAYLOAD];
    private final int[] length = new int[RING];
    private final long[] seq = new long[RING];
    private final long[] timestamp = new long[RING];
    private final long[] arrival = new long[RING];
    private final boolean[] marker = new boolean[RING];
    private final boolean[] start = new boolean[RING];
    private final boolean[] padding = new boolean[RING];
    private final FrameBuffer frame = new FrameBuffer();

    /** The sequence number the next frame starts at; -1 until a frame start was seen. */
    private long next = -1;

    private long newest = -1;
    private long framesOut;
    private long framesLost;
    private long packetsLate;
    private long packetsMalformed;
    private long framesMalformed;

    VideoDepacketizer(VideoPayload format, FrameSink sink, long waitNanos) {
        this.format = format;
        this.sink = sink;
        this.waitNanos = waitNanos;
        Arrays.fill(seq, -1);
    }

    /** One packet's payload (descriptor included). */
    void push(long extSeq, long rtpTimestamp, boolean isMarker, byte[] b, int off, int len, long nowNanos) {
        boolean isPadding = len == 0; // padding only (bandwidth probes): a sequence number, no frame
        int kind = isPadding || len > MAX_PAYLOAD ? VideoPayload.MALFORMED : format.classify(b, off, len);
        if (!isPadding && kind == VideoPayload.MALFORMED) {
            packetsMalformed++;
            return;
        }
        if (next >= 0 && extSeq < next || seq[slot(extSeq)] == extSeq) {
            packetsLate++; // its frame went out or was given up already, or a duplicate
            return;
        }
        while (next >= 0 && extSeq - next >= RING) {
            giveUp(); // the ring is full of an incomplete frame's followers
        }
        int i = slot(extSeq);
        if (seq[i] >= 0) {
            // A stale packet from before a resync holds the slot: it can never be used.
            seq[i] = -1;
        }
        System.arraycopy(b, off, payload[i], 0, len);
        padding[i] = isPadding;
        length[i] = len;
        seq[i] = extSeq;
        timestamp[i] = rtpTimestamp;
        marker[i] = isMarker;
        start[i] = kind == VideoPayload.STARTS;
        arrival[i] = nowNanos;
        newest = Math.max(newest, extSeq);
        if (next < 0 && start[i]) {
            next = extSeq;
        }
        drain(nowNanos);
    }

    /** Gives up on what waited too long (call now and then, also when no packet comes). */
    void poll(long nowNanos) {
        drain(nowNanos);
    }

    private int slot(long extSeq) {
        return (int) (extSeq & (RING - 1));
    }

    private void drain(long nowNanos) {
        while (next >= 0) {
            skipPadding();
            int end = completeFrameEnd();
            if (end >= 0) {
                emit(end);
                continue;
            }
            int first = slot(next);
            boolean waiting = newest >= next;
            long oldest = seq[first] == next ? arrival[first] : oldestArrivalAfterNext();
            if (waiting && oldest >= 0 && nowNanos - oldest >= waitNanos) {
                giveUp();
                continue;
            }
            return;
        }
    }

    /** The sequence number of the complete frame's last packet starting at {@link #next}, or -1. */
    private int completeFrameEnd() {
        int i = slot(next);
        if (seq[i] != next || !start[i]) {
            return -1;
        }
        long ts = timestamp[i];
        for (long s = next; s <= newest; s++) {
            int j = slot(s);
            if (seq[j] != s || timestamp[j] != ts) {
                return -1;
            }
            if (marker[j]) {
                return (int) (s - next);
            }
        }
        return -1;
    }

    private void emit(int packets) {
        long ts = timestamp[slot(next)];
        format.begin(frame);
        boolean whole = true;
        for (int k = 0; k <= packets; k++) {
            int j = slot(next + k);
            whole = whole && format.append(payload[j], 0, length[j], frame);
            seq[j] = -1;
        }
        whole = whole && format.end(frame);
        next += packets + 1;
        if (!whole) {
            // Its packets were all there but do not make a frame (e.g. an FU-A without its end): lost like a hole.
            framesMalformed++;
            framesLost++;
            sink.onLoss();
        } else {
            framesOut++;
            if (frame.length() > 0) {
                sink.onFrame(ts, format.keyframe(), frame.array(), 0, frame.length());
            }
        }
        resyncIfNeeded();
    }

    /** Padding-only packets between frames take sequence numbers and nothing else: passed over. */
    private void skipPadding() {
        int i = slot(next);
        while (seq[i] == next && padding[i]) {
            seq[i] = -1;
            next++;
            i = slot(next);
        }
    }

    /** After a frame, the next one must start at the next packet; if that packet is there and no start, resync. */
    private void resyncIfNeeded() {
        skipPadding();
        int i = slot(next);
        if (seq[i] == next && !start[i]) {
            giveUp();
        }
    }

    /** Drops the frame at {@link #next} (incomplete) and restarts at the next frame start after it. */
    private void giveUp() {
        framesLost++;
        sink.onLoss();
        long brokenTs = seq[slot(next)] == next ? timestamp[slot(next)] : Long.MIN_VALUE;
        long s = next;
        seq[slot(s)] = seq[slot(s)] == s ? -1 : seq[slot(s)];
        for (s = next + 1; s <= newest; s++) {
            int j = slot(s);
            if (seq[j] == s && start[j] && timestamp[j] != brokenTs) {
                next = s;
                return;
            }
            if (seq[j] == s) {
                seq[j] = -1;
            }
        }
        // Nothing to start from yet: the next frame start that arrives is where we go on.
        next = -1;
    }

    private long oldestArrivalAfterNext() {
        long oldest = -1;
        for (long s = next; s <= newest && s - next < RING; s++) {
            int j = slot(s);
            if (seq[j] == s && (oldest < 0 || arrival[j] < oldest)) {
                oldest = arrival[j];
            }
        }
        return oldest;
    }

    long framesOut() {
        return framesOut;
    }

    long framesLost() {
        return framesLost;
    }

    long packetsLate() {
        return packetsLate;
    }

    long packetsMalformed() {
        return packetsMalformed;
    }

    /** Frames whose packets were all in but did not assemble (counted in {@link #framesLost} too). */
    long framesMalformed() {
        return framesMalformed;
    }
}
