package dev.chorus.sfu.record;

import dev.chorus.sfu.collect.MpmcArrayQueue;

/**
 * The hand-off of one recorded track from its router's media worker to the recording writer. The worker offers each
 * accepted packet of the recorded layer (RTX already unwrapped, duplicates gone) and each sender report; the tap
 * copies the payload into a free slot (all allocated when the tap is made) and queues it. No allocation, lock or
 * I/O on the worker: with no slot free the packet is counted ({@link #droppedBusy}) and not recorded, so a slow
 * disk costs the recording frames, never the room its forwarding. The writer drains the queue ({@link #poll}) and
 * gives the slots back ({@link #release}).
 */
public final class TrackTap {
    /** The largest payload recorded; a pooled packet buffer is 1600 bytes, so no payload is larger. */
    static final int MAX_PAYLOAD = 1600;

    /** One queued item: a packet's payload, a sender report, or a switch to another simulcast layer. */
    static final class Slot {
        final byte[] data = new byte[MAX_PAYLOAD];
        boolean senderReport;
        boolean layerSwitch;
        int length;
        long extSeq;
        long rtpTimestamp;
        boolean marker;
        long ntp;
        long nanos;
    }

    private final MpmcArrayQueue<Slot> free;
    private final MpmcArrayQueue<Slot> filled;
    /** Written by the one worker thread only; read by others for /debug. */
    private volatile long offered;

    private volatile long droppedBusy;
    private volatile long truncated;
    /** Set by the writer while it waits for a keyframe; the producer then asks its publisher for one. */
    private volatile boolean keyframeWanted = true;
    /** Set by the writer when the track is done with: the worker stops offering. */
    private volatile boolean closed;

    public TrackTap(int slots) {
        free = new MpmcArrayQueue<>(slots);
        filled = new MpmcArrayQueue<>(slots);
        for (int i = 0; i < free.capacity(); i++) {
            free.offer(new Slot());
        }
    }

    /** A packet of the recorded stream; media worker. */
    public void offerRtp(long extSeq, long rtpTimestamp, boolean marker, byte[] b, int off, int len, long nowNanos) {
        if (closed) {
            return;
        }
        Slot s = take();
        if (s == null) {
            return;
        }
        int n = len;
        if (n > MAX_PAYLOAD) {
            truncated++; // cannot happen with pooled buffers; a cut payload is garbage, so it is not recorded
            free.offer(s);
            return;
        }
        System.arraycopy(b, off, s.data, 0, n);
        s.senderReport = false;
        s.layerSwitch = false;
        s.length = n;
        s.extSeq = extSeq;
        s.rtpTimestamp = rtpTimestamp;
        s.marker = marker;
        s.nanos = nowNanos;
        filled.offer(s); // never full: there are as many places as slots
    }

    /** A sender report of the recorded stream: its NTP and RTP times, and when it arrived; media worker. */
    public void offerSenderReport(long ntp, long rtpTimestamp, long arrivalNanos) {
        if (closed) {
            return;
        }
        Slot s = take();
        if (s == null) {
            return;
        }
        s.senderReport = true;
        s.layerSwitch = false;
        s.ntp = ntp;
        s.rtpTimestamp = rtpTimestamp;
        s.nanos = arrivalNanos;
        filled.offer(s);
    }

    /**
     * What follows comes from another simulcast layer (its own SSRC, sequence numbers, RTP clock and sender reports);
     * media worker.
     */
    public void offerLayerSwitch(long nowNanos) {
        if (closed) {
            return;
        }
        Slot s = take();
        if (s == null) {
            return; // the recorder then sees a sequence jump and waits for a keyframe: still correct, only slower
        }
        s.senderReport = false;
        s.layerSwitch = true;
        s.nanos = nowNanos;
        filled.offer(s);
    }

    private Slot take() {
        if (closed) {
            return null;
        }
        Slot s = free.poll();
        offered++;
        if (s == null) {
            droppedBusy++;
        }
        return s;
    }

    /** Whether the producer should ask its publisher for a keyframe (rate-limited there). */
    public boolean keyframeWanted() {
        return keyframeWanted;
    }

    void wantKeyframe(boolean wanted) {
        keyframeWanted = wanted;
    }

    Slot poll() {
        return filled.poll();
    }

    void release(Slot s) {
        free.offer(s);
    }

    void close() {
        closed = true;
    }

    /** After {@link #close}: lets go of the slots, so an ended recording kept for its state holds no buffers. */
    void dispose() {
        while (filled.poll() != null) {
            // dropped with the recording
        }
        while (free.poll() != null) {
            // dropped with the recording
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Packets and reports offered so far (taken or dropped). */
    public long offered() {
        return offered;
    }

    /** Items queued for the writer now. */
    public int queued() {
        return filled.size();
    }

    /** Packets and reports not taken because every slot was queued: the writer fell behind. */
    public long droppedBusy() {
        return droppedBusy;
    }

    long truncated() {
        return truncated;
    }
}
