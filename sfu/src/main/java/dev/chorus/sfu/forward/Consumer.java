package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.RetransmissionBuffer;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.worker.MediaWorker;
import dev.chorus.sfu.worker.WorkerStats;

/**
 * One subscriber's copy of one producer: decides per packet whether to forward it (which layer? paused? paused
 * for bandwidth? waiting for a keyframe?), copies it into the router's scratch buffer (audio as RED or plain
 * Opus, whichever the subscriber negotiated: {@link AudioFrames}), rewrites SSRC, payload type, sequence number
 * (gap-free over our own drops), timestamp and header extensions, and hands it to the subscriber's endpoint. Of a
 * simulcast producer it forwards one layer, the target layer (the lower of the subscriber's preference and what
 * its bandwidth allows), switching on a keyframe of the target layer; its {@link StreamSplicer} keeps the stream
 * continuous across switches. What was sent and reported back lives in its {@link RtpSendStream}; NACKs are
 * answered by its {@link NackResponder}. Worker-thread only: public entry points check it.
 *
 * <p>Video consumers start, and restart after a resume, on a keyframe; until then they drop
 * with {@link DropReason#WAITING_FOR_KEYFRAME}.
 */
public final class Consumer {
    private final ConsumerParams params;
    private final Producer producer;
    private final Endpoint subscriber;
    private final MediaWorker worker;
    private final RouterScratch scratch;
    private final SeqRewriter seq;
    private final StreamSplicer splicer;
    private final ExtensionRewriter extensions;
    private final DropCounters drops;
    private final WorkerStats stats;
    private final RtpSendStream stream;
    private final NackResponder nacks;
    private final PaddingProbe padding;
    /** Upper temporal (VP8, VP9) and spatial (VP9 SVC) layers this consumer drops; null for other codecs. */
    private final FrameFilter frames;
    /** Audio: the producer's frames, for RED or primary-only copies; null for video. */
    private final AudioFrames audio;
    /** Earlier frames repeated in each RED packet to this subscriber; null: it gets plain Opus. */
    private final RedundancyLevel red;

    private boolean paused;
    /** Paused by the subscriber's bandwidth allocation, independently of {@link #paused}. */
    private boolean bandwidthPaused;

    private boolean waitingForKeyframe;
    /** Which layer to forward (simulcast): preference, view size, bandwidth, what arrives. */
    private final LayerChoice layers;
    /** Among the subscriber's last-N (see {@link VideoSelection}); false pauses it. */
    private boolean selected = true;
    /** Scratch of {@link SubscriberBandwidth#allocate}: the level it computed, -1 for paused. */
    int allocatedLayer;
    /** Packets of the producer's other layers: not drops, this consumer never forwards them. */
    private long otherLayerPackets;

    private boolean closed;
    /** Copies the transport did not send (no selected pair yet, socket error): counted there by reason. */
    private long notSent;

    private long keyframeRequestsReceived;

    Consumer(ConsumerParams params, Producer producer, Endpoint subscriber, Router router) {
        this.params = params;
        this.producer = producer;
        this.subscriber = subscriber;
        this.worker = router.worker();
        this.scratch = router.scratch();
        this.stats = worker.stats();
        this.seq = new SeqRewriter(params.initialSequence());
        this.splicer = new StreamSplicer(
                params.timestampOffset(),
                producer.params().codec().clockRate(),
                producer.params().codec() == Codec.VP8,
                producer.params().codec() == Codec.VP9);
        this.layers = new LayerChoice(producer, worker.clock().nowNanos());
        this.extensions = new ExtensionRewriter(producer.params().extensions(), params.extensions(), params.mid());
        this.drops = new DropCounters(router.drops());
        this.waitingForKeyframe = producer.kind() == MediaKind.VIDEO;
        RetransmissionBuffer rb = producer.stream(0).retransmissionBuffer();
        this.stream = new RtpSendStream(params.ssrc(), params.initialSequence(), rb == null ? 0 : rb.capacity());
        boolean rtx = params.rtxSsrc() != ProducerParams.NONE && params.rtxPayloadType() != ProducerParams.NONE;
        this.nacks = new NackResponder(this, stream, seq, router, drops, rtx);
        this.padding = new PaddingProbe(params, stream, splicer, subscriber, router, drops, rtx);
        this.frames = FrameFilter.of(producer);
        this.audio = producer.audioFrames();
        this.red = audio != null && params.redPayloadType() != ProducerParams.NONE
                ? new RedundancyLevel(router.config().audioRedundancy())
                : null;
    }

    public String id() {
        return params.id();
    }

    public ConsumerParams params() {
        return params;
    }

    public Producer producer() {
        return producer;
    }

    public Endpoint subscriber() {
        return subscriber;
    }

    public DropCounters drops() {
        return drops;
    }

    public boolean isPaused() {
        return paused;
    }

    public boolean isWaitingForKeyframe() {
        return waitingForKeyframe;
    }

    public boolean isBandwidthPaused() {
        return bandwidthPaused;
    }

    /** The layer being forwarded, -1 before the first packet. */
    public int currentLayer() {
        return splicer.currentLayer();
    }

    /** The layer this consumer forwards, or switches to at its next keyframe. */
    public int targetLayer() {
        return layers.target();
    }

    /** Times the forwarded layer changed. */
    public long layerSwitches() {
        return splicer.switches();
    }

    public long packetsSent() {
        return stream.packetsSent();
    }

    public long payloadOctetsSent() {
        return stream.payloadOctetsSent();
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ control

    /** Stops forwarding; sequence numbers stay gap-free across the pause. */
    public void pause() {
        worker.checkThread(this);
        paused = true;
    }

    /** Resumes forwarding; video waits for a keyframe, which is requested at once. */
    public void resume(long nowNanos) {
        worker.checkThread(this);
        if (!paused) {
            return;
        }
        paused = false;
        if (producer.kind() == MediaKind.VIDEO) {
            waitingForKeyframe = true;
            producer.requestKeyframe(layers.target(), nowNanos, KeyframeRequestKind.RESUME);
        }
    }

    /** The server unmuted the producer: video restarts on a keyframe, which is requested at once. */
    void onProducerResumed(long nowNanos) {
        if (producer.kind() == MediaKind.VIDEO && !closed) {
            waitingForKeyframe = true;
            if (!paused && !bandwidthPaused && selected) {
                producer.requestKeyframe(layers.target(), nowNanos, KeyframeRequestKind.RESUME);
            }
        }
    }

    /** The highest layer the subscriber wants (clamped to the producer's layers). */
    public void setPreferredLayer(int layer, long nowNanos) {
        worker.checkThread(this);
        onTargetChange(layers.prefer(layer, nowNanos), nowNanos, false);
    }

    public int preferredLayer() {
        return layers.preferred();
    }

    /**
     * The subscriber shows this video at {@code width} x {@code height} device pixels (0 x 0:
     * not at all): the preferred layer becomes the lowest that covers it, so a small tile never
     * gets the top layer. Chosen again when the layers' sizes change.
     */
    public void setViewSize(int width, int height, long nowNanos) {
        worker.checkThread(this);
        onTargetChange(layers.view(width, height, nowNanos), nowNanos, false);
    }

    /** Device pixels the subscriber shows this video on (its last view report); 0 before one. */
    long viewArea() {
        return layers.viewArea();
    }

    /** The subscriber said it does not show this video (a 0 x 0 view). */
    boolean isHiddenByView() {
        return layers.hiddenByView();
    }

    public boolean isSelected() {
        return selected;
    }

    /**
     * Puts this video in or out of the subscriber's selection; back in, it restarts on a
     * keyframe, asked for at once. True when that changed anything.
     */
    boolean setSelected(boolean value, long nowNanos) {
        if (value == selected) {
            return false;
        }
        selected = value;
        if (value && producer.kind() == MediaKind.VIDEO) {
            waitingForKeyframe = true;
            if (!paused && !bandwidthPaused) {
                producer.requestKeyframe(layers.target(), nowNanos, KeyframeRequestKind.SELECTED);
            }
        }
        return true;
    }

    void onLayerSizesChanged(long nowNanos) {
        onTargetChange(layers.layerSizesChanged(nowNanos), nowNanos, false);
    }

    /** The highest {@link QualityLadder} rung (spatial and temporal layer) the subscriber's bandwidth allows. */
    void setBandwidthRung(int rung, long nowNanos) {
        onTargetChange(layers.capForBandwidth(rung, nowNanos), nowNanos, true);
    }

    int bandwidthRung() {
        return layers.bandwidthRung();
    }

    /** The highest temporal layer forwarded now ({@link TemporalFilter#ALL} for other codecs). */
    public int currentTemporalLayer() {
        return frames == null ? TemporalFilter.ALL : frames.currentTemporal();
    }

    /** The spatial layer forwarded: the simulcast layer, or the highest SID of a VP9 SVC encoding; -1 before any. */
    public int currentSpatialLayer() {
        return frames != null && frames.isSvc() ? frames.currentSpatial() : splicer.currentLayer();
    }

    /** The layer the subscriber's preference and bandwidth allow, whether it arrives or not. */
    int wantedLayer() {
        return layers.wanted();
    }

    /** Layers started or stopped arriving: the target moves to one that arrives. */
    void updateTarget(long nowNanos) {
        onTargetChange(layers.retarget(nowNanos), nowNanos, false);
    }

    /** A new target asks for its keyframe (the switch happens on it), unless there is nothing to switch. */
    private void onTargetChange(boolean changed, long nowNanos, boolean bandwidthCut) {
        int target = layers.target();
        // No request when the packet that made the layer count (a restarting layer) is its keyframe.
        // SVC goes down at any picture, up on a keyframe; a bandwidth cut down asks for one as well: the full
        // queue behind it lost packets of the layers kept too (a simulcast switch gets that keyframe anyway).
        boolean svc = frames != null && frames.isSvc();
        int current = currentSpatialLayer();
        if (changed
                && (svc ? current < target || (bandwidthCut && current > target) : splicer.currentLayer() != target)
                && !paused
                && !bandwidthPaused
                && selected
                && producer.stream(svc ? 0 : target).lastKeyframeNanos() != nowNanos) {
            producer.requestKeyframe(target, nowNanos, KeyframeRequestKind.LAYER_SWITCH);
        }
    }

    /** True while a switch to the target layer waits for its keyframe. */
    boolean isSwitchPending() {
        int current = currentSpatialLayer();
        return current >= 0
                && (frames != null && frames.isSvc() ? current < layers.target() : current != layers.target())
                && !paused
                && !bandwidthPaused
                && selected;
    }

    /** The subscriber's bandwidth cannot carry this (video) consumer: stop until resumed. */
    void pauseForBandwidth() {
        bandwidthPaused = true;
    }

    /** Bandwidth is back: forward again from the next keyframe, which is requested now. */
    void resumeFromBandwidth(long nowNanos) {
        if (!bandwidthPaused) {
            return;
        }
        bandwidthPaused = false;
        waitingForKeyframe = true;
        producer.requestKeyframe(layers.target(), nowNanos, KeyframeRequestKind.BANDWIDTH_RESUME);
    }

    // ------------------------------------------------------------------ forwarding

    /**
     * One packet of the producer's layer {@code from} (validated, RTX unwrapped, numbered
     * {@code extSeq} in that layer).
     */
    void forward(RtpPacket in, RtpReceiveStream from, long extSeq, boolean keyframe, long nowNanos) {
        if (closed) {
            return;
        }
        int layer = from.layer();
        int current = splicer.currentLayer();
        if (layer != current) {
            if (layer != (producer.svc() != null ? 0 : layers.target())) { // SVC: one stream, every layer
                otherLayerPackets++;
                return;
            }
            if (current >= 0) {
                // A switch: only on the target layer's keyframe, and never while paused.
                if (!keyframe || paused || bandwidthPaused || !selected || in.payloadLength() == 0) {
                    otherLayerPackets++;
                    return;
                }
                splicer.begin(layer, in, extSeq, seq.highestIn(), from, producer.stream(current), nowNanos);
                waitingForKeyframe = false;
            }
        }
        long v = splicer.virtual(extSeq);
        if (paused) {
            skip(DropReason.CONSUMER_PAUSED, v);
            return;
        }
        if (producer.isPaused()) {
            // Skipped like a pause of our own, so the subscriber's sequence stays gap-free.
            skip(DropReason.PRODUCER_PAUSED, v);
            return;
        }
        if (!selected) {
            skip(DropReason.NOT_SELECTED, v);
            return;
        }
        if (bandwidthPaused) {
            skip(DropReason.BANDWIDTH_PAUSED, v);
            return;
        }
        if (in.payloadLength() == 0) {
            skip(DropReason.PADDING_ONLY, v);
            return;
        }
        if (waitingForKeyframe) {
            if (!keyframe) {
                skip(DropReason.WAITING_FOR_KEYFRAME, v);
                return;
            }
            waitingForKeyframe = false;
        }
        if (current < 0) {
            splicer.begin(layer, in, extSeq, Long.MIN_VALUE, from, null, nowNanos);
        } else if (v < splicer.segmentStart()) {
            // Older than the keyframe this layer started on: the decoder has moved past it.
            drops.increment(DropReason.TOO_LATE_TO_MAP);
            return;
        }
        int pictureShift = 0;
        if (frames != null) {
            DropReason no = frames.accept(in, from, splicer.currentSegment(), keyframe, v, seq, layers, nowNanos);
            if (no != null) {
                if (frames.keyframeNeeded()) {
                    waitingForKeyframe = true;
                    producer.requestKeyframe(layer, nowNanos, KeyframeRequestKind.LAYER_SWITCH);
                }
                skip(no, v);
                return;
            }
            pictureShift = frames.shift();
        }
        int length = in.length();
        if (length > PacketBuffer.MAX_PACKET_LENGTH) {
            skip(DropReason.TOO_LARGE_TO_FORWARD, v);
            return;
        }
        int outSeq = seq.forward(v);
        if (outSeq < 0) {
            drops.increment(DropReason.TOO_LATE_TO_MAP);
            return;
        }
        PacketBuffer buffer = scratch.forwardCopy;
        RtpPacket out = scratch.outgoing;
        boolean copied;
        if (audio != null && (red != null || audio.lastWasRed())) { // RED, or the primary alone
            copied = audio.copy(in, buffer, out, red == null ? -1 : red.current(), params.payloadType());
        } else {
            buffer.copyFrom(in.buffer(), in.offset(), length);
            // Takes the original's parse: validating the same bytes per subscriber was a top profile entry.
            copied = out.wrapCopy(buffer.array(), buffer.offset(), in) == RtpValidity.OK;
        }
        if (!copied) {
            // Cannot happen for a copy of a valid packet; counted rather than assumed.
            drops.increment(DropReason.MALFORMED_RTP);
            return;
        }
        rewrite(
                out,
                false,
                outSeq,
                buffer,
                nowNanos,
                splicer.currentSegment(),
                pictureShift,
                from.lastPictureId(),
                from.lastTl0PicIdx());
        splicer.onSent(out, nowNanos);
        if (send(out, nowNanos)) {
            stream.onSent(out);
            stats.rtpForwarded(out.length());
        } else {
            notSent++;
        }
    }

    /** Counts a drop and tells the sequence rewriter (virtual number {@code v}), so the outgoing sequence closes up. */
    private void skip(DropReason reason, long v) {
        drops.increment(reason);
        seq.drop(v);
    }

    /**
     * Rewrites a copy sent in splice {@code segment} as {@code seq} of this consumer's media SSRC, or of its RTX
     * stream ({@code rtx}: the original sequence number already starts the payload); {@code pictureShift} lowers
     * its VP8 picture id (see {@link #pictureShiftOf}). {@code pictureId} and {@code tl0PicIdx} are the packet's
     * own (-1: none), parsed once by whoever holds the original: its receive stream for a fresh packet (shared by
     * every consumer), the {@link NackResponder} for a resend.
     */
    void rewrite(
            RtpPacket out,
            boolean rtx,
            int seq,
            PacketBuffer buffer,
            long nowNanos,
            int segment,
            int pictureShift,
            int pictureId,
            int tl0PicIdx) {
        out.setSsrc(rtx ? params.rtxSsrc() : params.ssrc());
        out.setPayloadType(
                rtx ? params.rtxPayloadType() : red != null ? params.redPayloadType() : params.payloadType());
        out.setSequenceNumber(seq);
        if (frames != null) frames.mark(out, rtx ? 2 : 0); // before the timestamp changes
        splicer.rewrite(out, segment, rtx ? 2 : 0, pictureShift, pictureId, tl0PicIdx);
        extensions.rewrite(out, nowNanos, buffer.writableCapacity());
    }

    /**
     * For a resend of a stored packet of {@code layer} stamped {@code timestamp}: the picture-id
     * shift it was first sent with, or -1 when its frame was one this consumer dropped (or is too
     * old to tell), so it must not be sent.
     */
    int pictureShiftOf(int layer, long timestamp) {
        return frames == null ? 0 : frames.shiftOf(layer, timestamp);
    }

    StreamSplicer splicer() {
        return splicer;
    }

    /** Hands a rewritten copy to the subscriber's endpoint; true when the transport sent it. */
    boolean send(RtpPacket out, long nowNanos) {
        return subscriber.sendMedia(out, extensions.transportCcOffset(), 0, nowNanos);
    }

    // ------------------------------------------------------------------ feedback from the subscriber

    /** A generic NACK from the subscriber for this consumer's SSRC arrived (before its items). */
    void onNackPacket() {
        nacks.onNackPacket();
    }

    /** The subscriber lost outgoing sequence number {@code outSeq}. */
    void onNack(int outSeq, long nowNanos) {
        nacks.onNack(outSeq, nowNanos);
    }

    /** Asks the publisher for a keyframe of the layer this consumer forwards (the SFU's own request). */
    void requestKeyframe(long nowNanos, KeyframeRequestKind kind) {
        int current = splicer.currentLayer();
        producer.requestKeyframe(current >= 0 ? current : layers.target(), nowNanos, kind);
    }

    /** A PLI or FIR from the subscriber for this consumer's SSRC. */
    void onKeyframeRequest(long nowNanos, KeyframeRequestKind kind) {
        keyframeRequestsReceived++;
        requestKeyframe(nowNanos, kind);
    }

    /** A report block about this consumer's SSRC (its loss sets the RED depth); returns an RTT sample in ns, or -1. */
    long onReportBlock(int fractionLost, long lastSr, long delaySinceLastSr, long nowNanos) {
        if (red != null) red.onReport(fractionLost, nowNanos);
        return stream.onReportBlock(lastSr, delaySinceLastSr, nowNanos);
    }

    /** This consumer's SR at {@code dst[off]}; 0 when there is nothing truthful to report yet. */
    int writeSenderReport(byte[] dst, int off, int limit, long nowNanos) {
        return stream.writeSenderReport(
                dst,
                off,
                limit,
                nowNanos,
                producer.stream(Math.max(0, splicer.currentLayer())).senderClock(),
                producer.params().codec().clockRate(),
                splicer.timestampOffset());
    }

    public long nacksReceived() {
        return nacks.nacksReceived();
    }

    public long retransmitted() {
        return nacks.retransmitted();
    }

    public long retransmittedRtx() {
        return nacks.retransmittedRtx();
    }

    /** NACKed packets that could not be resent, by reason: unknown, tooOld, notInBuffer, rateLimited. */
    public long nackMisses(String reason) {
        return nacks.misses(reason);
    }

    // ------------------------------------------------------------------ padding probes

    /** Padding can go on this consumer's RTX stream, with a transport-cc number to measure it by. */
    boolean canSendPadding() {
        return !closed && padding.possible();
    }

    /** Sends one padding-only packet on the RTX stream for probe {@code cluster}; returns the bytes sent, or 0. */
    int sendPadding(int cluster, long nowNanos) {
        return canSendPadding() ? padding.send(cluster, nowNanos) : 0;
    }

    void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "consumer " + params.id();
    }

    public ObjectNode toJson() {
        worker.checkThread(this);
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", params.id());
        n.put("producer", producer.id());
        n.put("endpoint", subscriber.id());
        params.addJson(n);
        if (red != null) red.addJson(n);
        n.put("paused", paused);
        n.put("bandwidthPaused", bandwidthPaused);
        n.put("selected", selected);
        n.put("paddingSent", padding.sent());
        n.put("waitingForKeyframe", waitingForKeyframe);
        if (frames != null) {
            frames.addJson(n);
        }
        if (producer.spatialLayerCount() > 1) {
            layers.addJson(n);
            n.put("otherLayerPackets", otherLayerPackets);
            splicer.addJson(n);
        }
        n.put("closed", closed);
        stream.addJson(n);
        n.put("notSent", notSent);
        n.put("sequenceDropsHidden", seq.dropsHidden());
        n.put("timestampOffset", splicer.timestampOffset());
        n.put("extensionsStripped", extensions.stripped());
        n.put("keyframeRequestsReceived", keyframeRequestsReceived);
        nacks.addJson(n);
        n.set("drops", drops.toJson());
        return n;
    }
}
