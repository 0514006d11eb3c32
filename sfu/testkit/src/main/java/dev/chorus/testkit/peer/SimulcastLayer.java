package dev.chorus.testkit.peer;

import java.util.regex.Pattern;

/**
 * One simulcast encoding of a published video line, as the offer names it: its rid and the SSRC pair it is
 * sent with. The offer itself carries no SSRC for a simulcast line (as Chromium's does not), so the SFU learns
 * {@code ssrc} and {@code rtxSsrc} from the rid and repaired-rid header extensions of the packets.
 */
public record SimulcastLayer(String rid, long ssrc, long rtxSsrc) {
    /** RFC 8851 rid-syntax, kept short enough for a one-byte header extension element (16 bytes). */
    private static final Pattern RID = Pattern.compile("[A-Za-z0-9_-]{1," + RtpHeaderWriter.MAX_ELEMENT_LENGTH + "}");

    public SimulcastLayer {
        if (rid == null || !RID.matcher(rid).matches()) {
            throw new IllegalArgumentException("rid must be 1-16 letters, digits, '-' or '_': " + rid);
        }
        if (ssrc <= 0 || ssrc > 0xFFFF_FFFFL || rtxSsrc <= 0 || rtxSsrc > 0xFFFF_FFFFL || ssrc == rtxSsrc) {
            throw new IllegalArgumentException(
                    "layer " + rid + " needs two distinct non-zero 32-bit SSRCs: " + ssrc + ", " + rtxSsrc);
        }
    }

    static boolean isRid(String rid) {
        return rid != null && RID.matcher(rid).matches();
    }
}
