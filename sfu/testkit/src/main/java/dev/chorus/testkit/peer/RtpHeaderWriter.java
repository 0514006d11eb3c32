package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes the RTP fixed header (RFC 3550), optionally followed by a one-byte header extension block
 * (RFC 8285) carrying the sdes:mid, as browsers send on every packet.
 */
final class RtpHeaderWriter {
    private static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** One-byte elements carry 1..16 data bytes. */
    static final int MAX_MID_LENGTH = 16;

    private RtpHeaderWriter() {}

    /**
     * Writes the header at {@code b[0]}; returns its length. {@code midExtensionId} 0 writes no extension.
     */
    static int write(
            byte[] b,
            boolean marker,
            int payloadType,
            int seq,
            long timestamp,
            long ssrc,
            int midExtensionId,
            byte[] mid) {
        boolean ext = midExtensionId > 0 && mid.length > 0;
        b[0] = (byte) (0x80 | (ext ? 0x10 : 0));
        b[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BigEndian.put16(b, 2, seq & 0xFFFF);
        BigEndian.put32(b, 4, timestamp & 0xFFFF_FFFFL);
        BigEndian.put32(b, 8, ssrc);
        if (!ext) {
            return 12;
        }
        int elements = 1 + mid.length;
        int words = (elements + 3) / 4;
        BigEndian.put16(b, 12, ONE_BYTE_PROFILE);
        BigEndian.put16(b, 14, words);
        b[16] = (byte) ((midExtensionId << 4) | (mid.length - 1));
        System.arraycopy(mid, 0, b, 17, mid.length);
        int end = 16 + 4 * words;
        for (int i = 17 + mid.length; i < end; i++) {
            b[i] = 0; // padding
        }
        return end;
    }
}
