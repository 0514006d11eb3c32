package dev.chorus.testkit.peer;

import dev.chorus.sfu.codec.MediaKind;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A track the native client publishes on one sendonly m= line: its SSRC, the RTX SSRC for video,
 * and the msid ({@code streamId trackId}) a browser would announce for it.
 *
 * @param ssrc    the line's RTP stream; with simulcast the lowest layer's
 * @param rtxSsrc its RTX stream (video); with simulcast the lowest layer's
 * @param layers  the simulcast layers, lowest first; empty for a plain line (the offer then announces
 *                {@code ssrc} and {@code rtxSsrc} in a=ssrc lines instead of rids)
 */
public record LocalTrack(
        MediaKind kind, long ssrc, OptionalLong rtxSsrc, String streamId, String trackId, List<SimulcastLayer> layers) {

    public LocalTrack {
        layers = List.copyOf(layers);
        if (kind != MediaKind.AUDIO && kind != MediaKind.VIDEO) {
            throw new IllegalArgumentException("a local track is audio or video, not " + kind);
        }
        if (ssrc <= 0 || ssrc > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("ssrc must be a non-zero 32-bit value: " + ssrc);
        }
        if (rtxSsrc.isPresent()
                && (rtxSsrc.getAsLong() <= 0 || rtxSsrc.getAsLong() > 0xFFFF_FFFFL || rtxSsrc.getAsLong() == ssrc)) {
            throw new IllegalArgumentException("bad RTX ssrc " + rtxSsrc.getAsLong() + " for " + ssrc);
        }
        if (!layers.isEmpty()) {
            checkLayers(kind, ssrc, rtxSsrc, layers);
        }
    }

    /** A track without simulcast layers. */
    public LocalTrack(MediaKind kind, long ssrc, OptionalLong rtxSsrc, String streamId, String trackId) {
        this(kind, ssrc, rtxSsrc, streamId, trackId, List.of());
    }

    private static void checkLayers(MediaKind kind, long ssrc, OptionalLong rtxSsrc, List<SimulcastLayer> layers) {
        if (kind != MediaKind.VIDEO) {
            throw new IllegalArgumentException("only video is sent as simulcast");
        }
        SimulcastLayer lowest = layers.get(0);
        if (ssrc != lowest.ssrc() || rtxSsrc.orElse(-1) != lowest.rtxSsrc()) {
            throw new IllegalArgumentException("a simulcast track's ssrc and rtxSsrc are its lowest layer's");
        }
        Set<String> rids = new HashSet<>();
        Set<Long> ssrcs = new HashSet<>();
        for (SimulcastLayer l : layers) {
            if (!rids.add(l.rid()) || !ssrcs.add(l.ssrc()) || !ssrcs.add(l.rtxSsrc())) {
                throw new IllegalArgumentException("simulcast layers need distinct rids and SSRCs: " + layers);
            }
        }
    }

    public static LocalTrack audio(long ssrc, String streamId, String trackId) {
        return new LocalTrack(MediaKind.AUDIO, ssrc, OptionalLong.empty(), streamId, trackId);
    }

    public static LocalTrack video(long ssrc, long rtxSsrc, String streamId, String trackId) {
        return new LocalTrack(MediaKind.VIDEO, ssrc, OptionalLong.of(rtxSsrc), streamId, trackId);
    }

    /** A video track sent as {@code layers} (lowest first), each with its own SSRC and RTX SSRC. */
    public static LocalTrack simulcastVideo(List<SimulcastLayer> layers, String streamId, String trackId) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("simulcast needs at least one layer");
        }
        SimulcastLayer lowest = layers.get(0);
        return new LocalTrack(
                MediaKind.VIDEO, lowest.ssrc(), OptionalLong.of(lowest.rtxSsrc()), streamId, trackId, layers);
    }

    /** True when the line is offered with rids and sent as {@link #layers()}. */
    public boolean simulcast() {
        return !layers.isEmpty();
    }
}
