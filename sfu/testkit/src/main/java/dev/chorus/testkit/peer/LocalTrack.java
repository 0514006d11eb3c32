package dev.chorus.testkit.peer;

import dev.chorus.sfu.codec.MediaKind;
import java.util.OptionalLong;

/**
 * A track the native client publishes on one sendonly m= line: its SSRC, the RTX SSRC for video,
 * and the msid ({@code streamId trackId}) a browser would announce for it.
 */
public record LocalTrack(MediaKind kind, long ssrc, OptionalLong rtxSsrc, String streamId, String trackId) {

    public LocalTrack {
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
    }

    public static LocalTrack audio(long ssrc, String streamId, String trackId) {
        return new LocalTrack(MediaKind.AUDIO, ssrc, OptionalLong.empty(), streamId, trackId);
    }

    public static LocalTrack video(long ssrc, long rtxSsrc, String streamId, String trackId) {
        return new LocalTrack(MediaKind.VIDEO, ssrc, OptionalLong.of(rtxSsrc), streamId, trackId);
    }
}
