package dev.chorus.signaling.session;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.SdpException;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import dev.chorus.signaling.protocol.ErrorCode;
import dev.chorus.signaling.protocol.ProtocolException;
import dev.chorus.signaling.room.Permissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Refuses an offer that would publish what the member's token does not allow (a sending audio line without
 * publish audio, a sending video line, by its source, without publish video or screen), before the media side sees
 * it: so no producer is ever made for it, as for a viewer's offer. Receiving without subscribe is not refused: the
 * media side places nothing on such a member's receiving lines ({@code MediaSession.setSubscribing}), so a client
 * whose right is taken away mid-call is not stuck with lines it can no longer offer.
 */
final class OfferPermissions {

    private OfferPermissions() {}

    static void check(Permissions permissions, String sdp, Map<String, String> sources, Object requestId)
            throws ProtocolException {
        if (!permissions.hidden()
                && permissions.publishAudio()
                && permissions.publishVideo()
                && permissions.publishScreen()) {
            return; // nothing to refuse; spare the second parse
        }
        SessionDescription offer;
        try {
            offer = SdpParser.parse(sdp);
        } catch (SdpException e) {
            return; // the media side refuses it with bad_sdp
        }
        List<String> refused = new ArrayList<>();
        for (MediaSection s : offer.media()) {
            if (s.rejected() || (s.kind() != MediaKind.AUDIO && s.kind() != MediaKind.VIDEO)) {
                continue;
            }
            if (!s.direction().sends()) {
                continue;
            }
            String mid = s.mid().orElse("");
            String source =
                    s.kind() == MediaKind.AUDIO ? "mic" : "screen".equals(sources.get(mid)) ? "screen" : "camera";
            if (permissions.hidden() || !permissions.mayPublish(source)) {
                refused.add(mid + " (" + source + ")");
            }
        }
        if (!refused.isEmpty()) {
            throw new ProtocolException(
                    ErrorCode.PERMISSION_DENIED,
                    "your token does not allow publishing on m= line(s) " + String.join(", ", refused)
                            + "; offer them recvonly",
                    "sdp",
                    requestId);
        }
    }
}
