package dev.chorus.sfu.sdp;

import dev.chorus.sfu.codec.MediaKind;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A published track the SFU sends to a subscriber on one recvonly m= line. The SSRCs are the
 * ones the forwarder writes towards this subscriber. {@code publisherId} becomes the msid
 * stream id, so the browser's {@code ontrack} reports it as {@code streams[0].id}.
 */
public record RemoteTrack(
        String publisherId, String trackId, MediaKind kind, long ssrc, OptionalLong rtxSsrc, String cname) {
    /** RFC 8830 msid-id: 1-64 token characters (no spaces, no control characters). */
    private static final Pattern MSID_ID = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]{1,64}");

    private static final Pattern CNAME = Pattern.compile("[\\x21-\\x7e]{1,255}");

    public RemoteTrack {
        requireMatch(MSID_ID, publisherId, "publisher id");
        requireMatch(MSID_ID, trackId, "track id");
        requireMatch(CNAME, cname, "cname");
        if (kind != MediaKind.AUDIO && kind != MediaKind.VIDEO) {
            throw new IllegalArgumentException("a remote track is audio or video, not " + kind);
        }
        requireSsrc(ssrc);
        if (rtxSsrc.isPresent()) {
            requireSsrc(rtxSsrc.getAsLong());
            if (rtxSsrc.getAsLong() == ssrc) {
                throw new IllegalArgumentException("RTX ssrc must differ from the media ssrc");
            }
        }
    }

    public static RemoteTrack audio(String publisherId, String trackId, long ssrc, String cname) {
        return new RemoteTrack(publisherId, trackId, MediaKind.AUDIO, ssrc, OptionalLong.empty(), cname);
    }

    public static RemoteTrack video(String publisherId, String trackId, long ssrc, long rtxSsrc, String cname) {
        return new RemoteTrack(publisherId, trackId, MediaKind.VIDEO, ssrc, OptionalLong.of(rtxSsrc), cname);
    }

    private static void requireMatch(Pattern pattern, String value, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " is not a valid SDP token: " + value);
        }
    }

    private static void requireSsrc(long ssrc) {
        if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("ssrc out of 32-bit range: " + ssrc);
        }
    }
}
