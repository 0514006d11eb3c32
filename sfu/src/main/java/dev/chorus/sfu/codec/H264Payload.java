package dev.chorus.sfu.codec;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Keyframe detection for H.264 RTP payloads (RFC 6184): an IDR slice (NAL type 5) or an SPS
 * (type 7, which encoders send right before an IDR) as a single NAL unit, inside a STAP-A, or
 * at the start of an FU-A. Used through {@link Codec#H264}.
 */
public final class H264Payload {
    private static final int IDR = 5;
    private static final int SPS = 7;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;

    private H264Payload() {}

    public static boolean isKeyframeStart(byte[] b, int off, int len) {
        if (len < 1) {
            return false;
        }
        int type = b[off] & 0x1F;
        if (type == IDR || type == SPS) {
            return true;
        }
        if (type == STAP_A) {
            int pos = off + 1;
            int end = off + len;
            while (pos + 3 <= end) {
                int size = BigEndian.u16(b, pos);
                int nal = b[pos + 2] & 0x1F;
                if (nal == IDR || nal == SPS) {
                    return true;
                }
                pos += 2 + size;
            }
            return false;
        }
        if (type == FU_A && len >= 2) {
            int fuHeader = b[off + 1] & 0xFF;
            return (fuHeader & 0x80) != 0 && (fuHeader & 0x1F) == IDR;
        }
        return false;
    }
}
