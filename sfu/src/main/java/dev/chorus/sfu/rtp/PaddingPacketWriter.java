package dev.chorus.sfu.rtp;

import java.util.Arrays;

/**
 * Writes a padding-only RTP packet (RFC 3550 padding) carrying one header extension element, the
 * 2-byte transport-wide sequence number the sending transport stamps. Used for bandwidth probes on
 * an RTX stream (RFC 4588), which receivers count for their estimate and then discard.
 */
public final class PaddingPacketWriter {
    /** Largest RTP padding (the count is one byte). */
    public static final int PADDING_BYTES = 255;
    /** Header (12), extension block header (4), one element padded to a word (4), the padding. */
    public static final int LENGTH = 12 + 4 + 4 + PADDING_BYTES;

    private PaddingPacketWriter() {}

    /**
     * Writes the packet at {@code b[off]}; {@code b} must hold {@link #LENGTH} bytes from there.
     *
     * @param transportCcId the element's id (1..14 one-byte form, else two-byte form)
     * @return the absolute offset of the 2-byte transport-cc value to stamp
     */
    public static int write(
            byte[] b, int off, int payloadType, int sequence, long timestamp, long ssrc, int transportCcId) {
        int pos = off;
        boolean oneByte = transportCcId <= RtpHeaderExtensions.ONE_BYTE_MAX_ID;
        b[pos++] = (byte) 0xB0; // V=2, P=1, X=1
        b[pos++] = (byte) payloadType;
        BigEndian.put16(b, pos, sequence);
        pos += 2;
        BigEndian.put32(b, pos, timestamp);
        pos += 4;
        BigEndian.put32(b, pos, ssrc);
        pos += 4;
        BigEndian.put16(b, pos, oneByte ? RtpHeaderExtensions.ONE_BYTE_PROFILE : RtpHeaderExtensions.TWO_BYTE_PROFILE);
        BigEndian.put16(b, pos + 2, 1);
        pos += 4;
        Arrays.fill(b, pos, pos + 4, (byte) 0);
        int tccOffset;
        if (oneByte) {
            b[pos] = (byte) ((transportCcId << 4) | 1);
            tccOffset = pos + 1;
        } else {
            b[pos] = (byte) transportCcId;
            b[pos + 1] = 2;
            tccOffset = pos + 2;
        }
        pos += 4;
        Arrays.fill(b, pos, pos + PADDING_BYTES - 1, (byte) 0);
        b[pos + PADDING_BYTES - 1] = (byte) PADDING_BYTES;
        return tccOffset;
    }
}
