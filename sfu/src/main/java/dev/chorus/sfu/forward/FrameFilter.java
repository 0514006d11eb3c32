package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.DependencyDescriptor;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;

/**
 * Which frames of a layered video one {@link Consumer} forwards: the temporal layers of VP8 and VP9
 * ({@link TemporalFilter}) and the spatial layers inside a VP9 or AV1 SVC encoding ({@link SpatialLayerFilter}),
 * towards the layers its {@link LayerChoice} picked. A dropped packet's number is closed up by the
 * consumer, and so are the publisher's losses inside dropped frames ({@link TemporalFilter#gapToHide}).
 * Worker-thread only; no allocation per packet.
 */
final class FrameFilter {
    private final TemporalFilter temporal = new TemporalFilter();
    /** VP9 and AV1: the spatial layers of its one encoding. */
    private final SpatialLayerFilter spatial;
    /** AV1: the Dependency Descriptor's extension id in the publisher's packets (0: none). */
    private final int av1DescriptorId;
    /** AV1: the publisher stream's descriptor, whose kept structure names each template's layer. */
    private final DependencyDescriptor av1;

    private boolean keyframeNeeded;

    private FrameFilter(boolean svc, int av1DescriptorId, DependencyDescriptor av1) {
        this.spatial = svc ? new SpatialLayerFilter() : null;
        this.av1DescriptorId = av1DescriptorId;
        this.av1 = av1;
    }

    /**
     * The filter for {@code producer}'s track, or null when its frames carry no layers the SFU can drop. An AV1
     * track's packets carry the Dependency Descriptor (when negotiated; else it is one layer), parsed by its
     * receive stream, which keeps the structure.
     */
    static FrameFilter of(Producer producer) {
        Codec codec = producer.params().codec();
        if (codec == Codec.AV1) {
            return new FrameFilter(
                    true,
                    producer.params().extensions().id(RtpExtension.DEPENDENCY_DESCRIPTOR),
                    producer.stream(0).av1());
        }
        return forCodec(codec);
    }

    /** The filter for a track of {@code codec} (not AV1), or null when its frames carry no layers the SFU can drop. */
    private static FrameFilter forCodec(Codec codec) {
        return switch (codec) {
            case VP8 -> new FrameFilter(false, 0, null);
            case VP9 -> new FrameFilter(true, 0, null);
            default -> null;
        };
    }

    /**
     * Decides on {@code in} (from {@code from}, numbered {@code v} in splice {@code segment}): null to forward
     * it (with {@link #shift()}), else why it is dropped. After {@link DropReason#LAYER_LEFT}, {@link
     * #keyframeNeeded()} says whether the layer needs a keyframe before it can be forwarded again.
     */
    DropReason accept(
            RtpPacket in,
            RtpReceiveStream from,
            int segment,
            boolean keyframe,
            long v,
            SeqRewriter seq,
            LayerChoice layers,
            long nowNanos) {
        keyframeNeeded = false;
        long highest = seq.highestIn();
        int layer = from.layer();
        if (spatial != null) {
            int sid = from.lastSpatialId();
            if (!spatial.accept(in, sid, keyframe, layers.target(), v > highest, nowNanos)) {
                return DropReason.SPATIAL_LAYER_DROPPED;
            }
            // Switching down within one encoding needs no keyframe: the cap is the target's.
            temporal.setTarget(layers.temporalCap(layers.target()));
        } else {
            temporal.setTarget(layers.temporalCap(layer));
        }
        int tid = from.lastTemporalId();
        if (temporal.accept(
                in, layer, segment, tid, from.lastLayerSync(), from.lastPictureId(), keyframe, v, highest)) {
            return null;
        }
        for (long hidden = highest + 1, n = temporal.gapToHide(); n > 0; n--, hidden++) {
            seq.drop(hidden); // lost upstream inside dropped frames: no hole for the subscriber
        }
        if (temporal.current() == TemporalFilter.NONE) {
            // The layer was being left and its frames stopped, but it stays (the cap lifted before the
            // lower layer's keyframe came): its decoder lacks those frames.
            keyframeNeeded = temporal.target() != TemporalFilter.NONE;
            return DropReason.LAYER_LEFT;
        }
        return DropReason.TEMPORAL_LAYER_DROPPED;
    }

    /** After {@link DropReason#LAYER_LEFT}: forwarding resumes only from a keyframe of the layer. */
    boolean keyframeNeeded() {
        return keyframeNeeded;
    }

    /** How much the picture id of the packet just accepted is lowered (frames dropped before it). */
    int shift() {
        return temporal.shift();
    }

    /** The highest temporal layer forwarded now. */
    int currentTemporal() {
        return temporal.current();
    }

    /** SVC: the highest spatial layer forwarded now (-1 before the first picture); -1 for other codecs. */
    int currentSpatial() {
        return spatial == null ? -1 : spatial.current();
    }

    boolean isSvc() {
        return spatial != null;
    }

    /** The picture-id shift a resend of frame ({@code layer}, {@code timestamp}) gets, -1 when it was dropped. */
    int shiftOf(int layer, long timestamp) {
        return temporal.shiftOf(layer, timestamp);
    }

    /**
     * SVC: moves the marker bit to the last packet of the highest spatial layer forwarded (see {@link
     * SpatialLayerFilter#mark}); an AV1 packet's layer and frame end are read from its descriptor.
     */
    void mark(RtpPacket out, int payloadSkip) {
        if (spatial == null) {
            return;
        }
        if (av1 == null) {
            spatial.mark(out, payloadSkip);
            return;
        }
        int at = out.extensionOffset(av1DescriptorId);
        if (at < 0) {
            return;
        }
        int len = out.extensionLength(av1DescriptorId);
        int sid = av1.structure().spatialIdOfTemplate(DependencyDescriptor.templateIdOf(out.buffer(), at, len));
        if (sid >= 0) {
            spatial.mark(out, DependencyDescriptor.endOfFrameOf(out.buffer(), at, len), sid);
        }
    }

    void addJson(ObjectNode n) {
        temporal.addJson(n);
        if (spatial != null) {
            spatial.addJson(n);
        }
    }
}
