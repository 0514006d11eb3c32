package dev.chorus.sfu.transport;

/**
 * What a datagram received on the shared media socket is, by its first bytes (RFC 7983 section 7,
 * RFC 5761 section 4 for RTP/RTCP on one port). Static and allocation-free.
 */
public enum PacketKind {
    /** First byte 0..3. ice4j consumes these itself before they reach us. */
    STUN,
    /** First byte 20..63. */
    DTLS,
    /** First byte 128..191 and second byte outside 192..223. */
    RTP,
    /** First byte 128..191 and second byte (marker bit + payload type) in 192..223. */
    RTCP,
    /** Anything else, including ZRTP (16..19), TURN channels (64..79) and empty or one-byte RTP-ish datagrams. */
    UNKNOWN;

    /** Classifies {@code len} bytes at {@code buf[off]}. Never throws for len &lt;= 0. */
    public static PacketKind classify(byte[] buf, int off, int len) {
        if (len <= 0) {
            return UNKNOWN;
        }
        int b0 = buf[off] & 0xFF;
        if (b0 <= 3) {
            return STUN;
        }
        if (b0 >= 20 && b0 <= 63) {
            return DTLS;
        }
        if (b0 >= 128 && b0 <= 191) {
            if (len < 2) {
                return UNKNOWN;
            }
            int b1 = buf[off + 1] & 0xFF;
            return b1 >= 192 && b1 <= 223 ? RTCP : RTP;
        }
        return UNKNOWN;
    }
}
