package dev.chorus.testkit.peer;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the SFU's answer says about one m= line.
 *
 * @param direction       the answer's direction, i.e. the SFU's view: {@code sendonly} = the SFU sends us
 *                        {@code ssrc} here, {@code recvonly} = it takes our published track, {@code inactive}
 *                        = nothing assigned yet
 * @param payloadType     the codec the SFU selected (our payload type number), empty when rejected
 * @param ssrc            the SSRC the SFU will send on this line (from its a=ssrc lines)
 * @param midExtensionId  the id of the accepted sdes:mid header extension, if any
 * @param ridExtensionId  the id of the accepted rid (sdes:rtp-stream-id) header extension, if any
 * @param repairedRidExtensionId the id of the accepted repaired rid header extension, if any
 * @param audioLevelExtensionId  the id of the accepted audio level header extension (RFC 6464), if any
 */
public record RemoteLine(
        String mid,
        MediaKind kind,
        boolean rejected,
        Direction direction,
        OptionalInt payloadType,
        OptionalInt rtxPayloadType,
        OptionalLong ssrc,
        OptionalLong rtxSsrc,
        OptionalInt midExtensionId,
        OptionalInt ridExtensionId,
        OptionalInt repairedRidExtensionId,
        OptionalInt audioLevelExtensionId) {

    /** True when the SFU sends media to us on this line. */
    public boolean sfuSends() {
        return !rejected && direction.sends();
    }
}
