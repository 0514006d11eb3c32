package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.drop.DropCounters;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.record.TrackTap;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.speaker.SpeechActivity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One published track: its encodings ({@link RtpReceiveStream}, one per simulcast layer, or one)
 * and its consumers. Takes each packet the endpoint looked up for one of its streams, lets the
 * stream account for it (RTX unwrap, statistics, NACK generation, keyframe detection,
 * retransmission buffer), and fans it out to every consumer, which picks the layer it forwards.
 * Worker-thread only: public entry points check it.
 */
public final class Producer {
    /**
     * A layer without packets for this long counts as stopped. Chrome sends every active layer at
     * least a few frames a second; a second without one means the layer was turned off.
     */
    static final long LAYER_ACTIVE_NANOS = 1_000_000_000L;
    /**
     * A browser starts all its layers within a frame or two. Until this long after the first packet,
     * a layer that has not arrived yet may still come, so consumers keep waiting for the one they
     * want rather than starting on whichever layer happened to arrive first.
     */
    static final long LAYER_STARTUP_NANOS = 500_000_000L;
    /** How often the packets of a simulcast track look for a layer that stopped. */
    static final long LAYER_CHECK_NANOS = 100_000_000L;

    private final ProducerParams params;
    private final Endpoint publisher;
    private final RtpReceiveStream[] streams;
    /** Indexed loop over an ArrayList: no iterator allocation per packet. */
    private final List<Consumer> consumers = new ArrayList<>();

    private final DropCounters drops;
    private final int transportCcId;
    /** The MID as the extension carries it (ASCII), null when unknown. */
    private final byte[] midBytes;
    /** The audio-level extension id, 0 when not negotiated (or for video). */
    private final int audioLevelId;
    /** Audio with levels only: how much its publisher speaks. */
    private final SpeechActivity speech;
    /** Audio only (null for video): its last frames, for RED to subscribers and primary-only copies. */
    private final AudioFrames audioFrames;
    /** A VP9 track's spatial layers, all in its one encoding (SVC); null otherwise. */
    private final SvcLayers svc;

    private long firstPacketNanos = -1;
    /** Set once the startup grace is over (simulcast only). */
    private boolean layersSettled;

    private long lastLayerCheckNanos;
    /** Dynacast: the layers the publisher is asked to send. */
    private final PublisherLayers publisherLayers;

    /** The running room recording's tap of this track, or null; it takes the top layer's packets. */
    private TrackTap recordTap;
    /** The layer recorded, -1 when none. */
    private int recordLayer = -1;

    private long recordKeyframeAskedNanos;
    private long recordLayerCheckNanos;
    /** How often a recording that waits for a keyframe asks again (each ask is rate-limited as well). */
    static final long RECORD_KEYFRAME_RETRY_NANOS = 500_000_000L;

    private boolean closed;
    /** Muted by the server: every consumer drops this producer's packets (PRODUCER_PAUSED). */
    private boolean paused;

    Producer(ProducerParams params, Endpoint publisher, Router router) {
        this.params = params;
        this.publisher = publisher;
        this.drops = new DropCounters(router.drops());
        this.transportCcId = params.extensions().id(RtpExtension.TRANSPORT_CC);
        this.midBytes = params.mid() == null ? null : params.mid().getBytes(StandardCharsets.US_ASCII);
        boolean video = params.kind() == MediaKind.VIDEO;
        this.audioLevelId = video ? 0 : params.extensions().id(RtpExtension.AUDIO_LEVEL);
        this.speech = audioLevelId != 0 ? new SpeechActivity() : null;
        this.audioFrames = video ? null : new AudioFrames(params.payloadType(), params.redPayloadType());
        this.streams = new RtpReceiveStream[params.encodings().size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new RtpReceiveStream(this, i, params.encodings().get(i), router, drops, video);
        }
        this.publisherLayers = new PublisherLayers(this);
        this.svc = streams.length == 1 ? streams[0].svc() : null;
    }

    public String id() {
        return params.id();
    }

    public ProducerParams params() {
        return params;
    }

    public MediaKind kind() {
        return params.kind();
    }

    public Endpoint publisher() {
        return publisher;
    }

    public DropCounters drops() {
        return drops;
    }

    /** Spatial layers: 1 for a plain track. */
    public int layerCount() {
        return streams.length;
    }

    /**
     * Dynacast: decides again how many layers the publisher should send (see {@link
     * PublisherLayers}); returns that number when it changed, else -1.
     */
    int updateLayersAsked(long nowNanos) {
        return publisherLayers.update(consumers, nowNanos) ? publisherLayers.asked() : -1;
    }

    RtpReceiveStream stream(int layer) {
        return streams[layer];
    }

    /** Spatial layers a consumer can choose among: the simulcast encodings, or the layers of a VP9 SVC encoding. */
    int spatialLayerCount() {
        return svc != null ? svc.count() : streams.length;
    }

    /** A VP9 track's SVC layers, null for other tracks. */
    SvcLayers svc() {
        return svc;
    }

    /** Keyframes seen on all layers. */
    public long keyframesSeen() {
        long n = 0;
        for (RtpReceiveStream s : streams) {
            n += s.keyframesSeen();
        }
        return n;
    }

    /** Clock time of the last keyframe start on any layer, or -1 before the first. */
    public long lastKeyframeNanos() {
        long last = -1;
        for (RtpReceiveStream s : streams) {
            last = Math.max(last, s.lastKeyframeNanos());
        }
        return last;
    }

    /** Packets received on all layers. */
    public long packetsReceived() {
        long n = 0;
        for (RtpReceiveStream s : streams) {
            n += s.packetsReceived();
        }
        return n;
    }

    /** Packets received on one layer. */
    public long packetsReceived(int layer) {
        return streams[layer].packetsReceived();
    }

    /** Keyframe requests actually sent to the publisher, all layers. */
    public long keyframeRequestsSent() {
        long n = 0;
        for (RtpReceiveStream s : streams) {
            n += s.keyframeRequester().sent();
        }
        return n;
    }

    void receiveRtp(RtpReceiveStream stream, RtpPacket packet, long nowNanos) {
        if (closed) {
            drops.increment(DropReason.CLOSED);
            return;
        }
        boolean wasActive = streams.length > 1 && stream.isActive(nowNanos, LAYER_ACTIVE_NANOS);
        long extSeq = stream.receive(packet, nowNanos);
        if (firstPacketNanos < 0) {
            firstPacketNanos = nowNanos;
        }
        if (streams.length > 1) {
            if (!layersSettled && nowNanos - firstPacketNanos >= LAYER_STARTUP_NANOS) {
                // Layers that have not come by now are not coming: retarget to those that did.
                layersSettled = true;
                onLayersChanged(nowNanos);
            } else if (!wasActive && layersSettled) {
                // A layer (re)started: consumers held below it may now target it.
                onLayersChanged(nowNanos);
            } else if (layersSettled && nowNanos - lastLayerCheckNanos >= LAYER_CHECK_NANOS) {
                // A layer that stops sends nothing to say so: the layers still arriving notice.
                lastLayerCheckNanos = nowNanos;
                checkLayers(nowNanos);
            }
        }
        if (extSeq < 0) {
            return;
        }
        if (audioFrames != null && !audioFrames.onPacket(packet)) {
            drops.increment(DropReason.MALFORMED_RED);
            return;
        }
        if (speech != null) {
            noteAudioLevel(packet, nowNanos);
        }
        boolean keyframe = stream.lastWasKeyframe();
        if (recordTap != null && !paused) {
            if (streams.length > 1 && nowNanos - recordLayerCheckNanos >= LAYER_CHECK_NANOS) {
                recordLayerCheckNanos = nowNanos;
                followRecordedLayer(nowNanos);
            }
            if (stream.layer() == recordLayer) {
                record(stream, packet, extSeq, nowNanos);
            }
        }
        if (!paused) {
            publisher.relay(packet);
        }
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).forward(packet, stream, extSeq, keyframe, nowNanos);
        }
    }

    /**
     * A recording takes the highest layer the publisher sends: when that changes (a layer stopped, or the top came
     * back), the recording goes over to it; the tap hears of the switch, then that layer's last sender report, and
     * the new layer is asked for a keyframe.
     */
    private void followRecordedLayer(long nowNanos) {
        int want = activeLayerAtMost(streams.length - 1, nowNanos);
        if (want == recordLayer) {
            return;
        }
        recordLayer = want;
        recordTap.offerLayerSwitch(nowNanos);
        streams[want].offerSenderReportTo(recordTap);
        recordKeyframeAskedNanos = nowNanos;
        streams[want].requestKeyframe(nowNanos, KeyframeRequestKind.RECORDING);
    }

    /**
     * Hands the packet to the recording (a copy into a free slot); asks for the keyframe it waits for. Of audio it
     * hands the Opus frame: a RED packet's primary block (a file of RED payloads decodes as nothing).
     */
    private void record(RtpReceiveStream stream, RtpPacket packet, long extSeq, long nowNanos) {
        boolean audio = audioFrames != null;
        recordTap.offerRtp(
                extSeq,
                packet.timestamp(),
                packet.marker(),
                packet.buffer(),
                audio ? audioFrames.primaryOffset() : packet.payloadOffset(),
                audio ? audioFrames.primaryLength() : packet.payloadLength(),
                nowNanos);
        if (recordTap.keyframeWanted()
                && nowNanos - recordKeyframeAskedNanos >= RECORD_KEYFRAME_RETRY_NANOS
                && params.kind() == MediaKind.VIDEO) {
            recordKeyframeAskedNanos = nowNanos;
            stream.requestKeyframe(nowNanos, KeyframeRequestKind.RECORDING);
        }
    }

    /**
     * Starts (or, with null, ends) recording this track into {@code tap}: its top layer, which dynacast then keeps
     * on (or the highest one that arrives, see {@link #followRecordedLayer}). The sender report already known for
     * that layer goes first, so frames have a time at once.
     */
    public void setRecordTap(TrackTap tap) {
        publisher.router().worker().checkThread(this);
        recordTap = tap;
        recordLayer = tap == null ? -1 : streams.length - 1;
        if (tap != null) {
            recordKeyframeAskedNanos = publisher.router().worker().clock().nowNanos() - RECORD_KEYFRAME_RETRY_NANOS;
            streams[recordLayer].offerSenderReportTo(tap);
        }
    }

    /** The layers a room recording wants sent: the top one (it records the highest that arrives); -1 when none. */
    int recordLayer() {
        return recordTap == null ? -1 : streams.length - 1;
    }

    /** Another node relays this track: it takes every layer (its own subscribers choose), so all stay on. */
    int relayLayer() {
        return publisher.hasRelays() ? streams.length - 1 : -1;
    }

    /** A sender report of {@code stream} arrived: a recording of its layer needs it to place its frames. */
    void onSenderReport(RtpReceiveStream stream, long ntp, long rtp, long nowNanos) {
        publisher.relaySenderReport(stream, ntp, rtp);
        if (recordTap != null && stream.layer() == recordLayer) {
            recordTap.offerSenderReport(ntp, rtp, nowNanos);
        }
    }

    /** RFC 6464: one byte, V flag then the level in -dBov. */
    private void noteAudioLevel(RtpPacket packet, long nowNanos) {
        long ref = packet.findExtension(audioLevelId);
        if (ref != RtpHeaderExtensions.NOT_FOUND && RtpHeaderExtensions.lengthOf(ref) >= 1) {
            speech.onLevel(packet.buffer()[RtpHeaderExtensions.offsetOf(ref)] & 0x7F, nowNanos);
        }
    }

    /** Audio: its last frames and the packet last accepted (see {@link AudioFrames}); null for video. */
    AudioFrames audioFrames() {
        return audioFrames;
    }

    /** How much the publisher speaks: audio with the audio-level extension only, else null. */
    SpeechActivity speech() {
        return speech;
    }

    /** The NACK generator of {@code stream} gave up on a loss: whoever forwards it needs a keyframe. */
    void onUnrecoverableLoss(RtpReceiveStream stream, long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).currentLayer() == stream.layer()) {
                stream.requestKeyframe(nowNanos, KeyframeRequestKind.UNRECOVERABLE_LOSS);
                return;
            }
        }
    }

    /**
     * The highest layer at or below {@code layer} that the publisher is sending, else the lowest
     * one above it that it sends, else {@code layer} itself (nothing arrives: wait for it).
     */
    int activeLayerAtMost(int layer, long nowNanos) {
        if (svc != null) {
            return Math.min(layer, svc.count() - 1);
        }
        if (!layersSettled) {
            return layer;
        }
        for (int i = layer; i >= 0; i--) {
            if (streams[i].isActive(nowNanos, LAYER_ACTIVE_NANOS)) {
                return i;
            }
        }
        for (int i = layer + 1; i < streams.length; i++) {
            if (streams[i].isActive(nowNanos, LAYER_ACTIVE_NANOS)) {
                return i;
            }
        }
        return layer;
    }

    /** True while the publisher sends {@code layer} (or may still start it). */
    boolean isLayerActive(int layer, long nowNanos) {
        return svc != null || !layersSettled || streams[layer].isActive(nowNanos, LAYER_ACTIVE_NANOS);
    }

    /** Layers started or stopped: every consumer re-picks its target among the layers that arrive. */
    void onLayersChanged(long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).updateTarget(nowNanos);
        }
    }

    /** Retargets the consumers whose target layer stopped arriving (or whose wanted layer came back). */
    private void checkLayers(long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.targetLayer() != activeLayerAtMost(c.wantedLayer(), nowNanos)) {
                c.updateTarget(nowNanos);
            }
        }
    }

    /** A layer's keyframes announced a new frame size: consumers sized by their tiles choose again. */
    void onLayerSize(RtpReceiveStream stream) {
        long now = publisher.router().worker().clock().nowNanos();
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).onLayerSizesChanged(now);
        }
    }

    /**
     * The lowest layer whose frames cover {@code width} x {@code height} (the size a subscriber
     * shows this video at), or the top layer when none does. A layer whose size is not known yet
     * is taken as half the next layer up, as browsers scale simulcast layers; with no size known
     * at all, the top layer.
     */
    public int layerForSize(int width, int height) {
        if (svc != null) {
            return svc.layerForSize(width, height);
        }
        int top = streams.length - 1;
        int knownLayer = -1;
        for (int i = top; i >= 0 && knownLayer < 0; i--) {
            if (streams[i].width() > 0) {
                knownLayer = i;
            }
        }
        if (knownLayer < 0) {
            return top;
        }
        for (int i = 0; i < top; i++) {
            long w = streams[i].width();
            long h = streams[i].height();
            if (w == 0) {
                int shift = knownLayer - i;
                w = shift >= 0 ? streams[knownLayer].width() >> shift : streams[knownLayer].width() << -shift;
                h = shift >= 0 ? streams[knownLayer].height() >> shift : streams[knownLayer].height() << -shift;
            }
            if (w >= width && h >= height) {
                return i;
            }
        }
        return top;
    }

    /** The publisher's send rate of this track, all layers (media, retransmissions and padding), smoothed. */
    public long bitrateBps(long nowNanos) {
        publisher.router().worker().checkThread(this);
        long bps = 0;
        for (RtpReceiveStream s : streams) {
            bps += s.bitrateBps(nowNanos);
        }
        return bps;
    }

    /** What forwarding this track costs a subscriber, smoothed: media only (see below), all layers. */
    public long forwardableBitrateBps(long nowNanos) {
        publisher.router().worker().checkThread(this);
        long bps = 0;
        for (RtpReceiveStream s : streams) {
            bps += s.forwardableBitrateBps(nowNanos);
        }
        return bps;
    }

    /**
     * What forwarding one layer costs a subscriber, smoothed: the layer's media, without the
     * publisher's bandwidth probes, which stop at this hop (they can add half again to what Chrome
     * sends, and counting them made a 300 kbps link look too thin for a 150 kbps layer).
     */
    public long forwardableBitrateBps(int layer, long nowNanos) {
        publisher.router().worker().checkThread(this);
        return streams[layer].forwardableBitrateBps(nowNanos);
    }

    /** The publisher's MID as its MID extension carries it, null when unknown. */
    byte[] midBytes() {
        return midBytes;
    }

    /** The publisher's transport-cc header extension id, 0 when not negotiated. */
    int transportCcId() {
        return transportCcId;
    }

    /** Asks the publisher for a keyframe on the (first) layer, subject to that layer's rate limit. */
    public void requestKeyframe(long nowNanos, KeyframeRequestKind kind) {
        requestKeyframe(0, nowNanos, kind);
    }

    /** Asks the publisher for a keyframe on {@code layer}, subject to that layer's rate limit. */
    public void requestKeyframe(int layer, long nowNanos, KeyframeRequestKind kind) {
        publisher.router().worker().checkThread(this);
        if (params.kind() == MediaKind.VIDEO && !closed) {
            streams[svc != null ? 0 : layer].requestKeyframe(nowNanos, kind); // SVC: every layer in one stream
        }
    }

    /** Keyframe requests received for {@code kind} on all layers (before rate limiting). */
    public long keyframeRequests(KeyframeRequestKind kind) {
        long n = 0;
        for (RtpReceiveStream s : streams) {
            n += s.keyframeRequester().requested(kind);
        }
        return n;
    }

    /** Retransmissions that arrived on the RTX streams and were unwrapped. */
    public long rtxReceived() {
        long n = 0;
        for (RtpReceiveStream s : streams) {
            n += s.rtxReceived();
        }
        return n;
    }

    /** Re-asks for a keyframe while some consumer still waits for one (lost PLI or keyframe). */
    void retryKeyframeIfNeeded(long nowNanos) {
        for (int i = 0; i < consumers.size(); i++) {
            Consumer c = consumers.get(i);
            if (c.isWaitingForKeyframe() || c.isSwitchPending()) {
                requestKeyframe(c.targetLayer(), nowNanos, KeyframeRequestKind.WAITING_RETRY);
            }
        }
    }

    /** Whether the server muted this track: its consumers forward nothing of it. */
    public boolean isPaused() {
        return paused;
    }

    void setPaused(boolean value, long nowNanos) {
        if (paused == value) {
            return;
        }
        paused = value;
        if (!value) {
            for (int i = 0; i < consumers.size(); i++) {
                consumers.get(i).onProducerResumed(nowNanos);
            }
        }
    }

    void addConsumer(Consumer consumer) {
        consumers.add(consumer);
    }

    void removeConsumer(Consumer consumer) {
        consumers.remove(consumer);
    }

    List<Consumer> consumers() {
        return consumers;
    }

    void close() {
        closed = true;
        for (RtpReceiveStream s : streams) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return "producer " + params.id();
    }

    public ObjectNode toJson() {
        publisher.router().worker().checkThread(this);
        long now = publisher.router().worker().clock().nowNanos();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", params.id());
        n.put("endpoint", publisher.id());
        n.put("kind", params.kind().name());
        n.put("codec", params.codec().name());
        if (params.mid() != null) {
            n.put("mid", params.mid());
        }
        n.put("payloadType", params.payloadType());
        n.put("rtxPayloadType", params.rtxPayloadType());
        if (audioFrames != null) {
            n.set("red", audioFrames.toJson());
        }
        n.set("extensions", params.extensions().toJson());
        n.put("closed", closed);
        n.put("paused", paused);
        n.put("bitrateBps", bitrateBps(now));
        if (recordTap != null) {
            n.put("recordedLayer", recordLayer);
            n.put("recordDroppedBusy", recordTap.droppedBusy());
        }
        if (streams.length > 1) {
            publisherLayers.addJson(n);
        }
        if (streams.length == 1) {
            // A plain track's stream fields stay at the top, where /debug readers have found them.
            n.setAll(streams[0].toJson(now));
        }
        ArrayNode layers = n.putArray("streams");
        for (RtpReceiveStream s : streams) {
            layers.add(s.toJson(now));
        }
        n.set("drops", drops.toJson());
        ArrayNode ids = n.putArray("consumers");
        for (Consumer c : consumers) {
            ids.add(c.id());
        }
        return n;
    }
}
