package dev.chorus.sfu.rtp;

import java.util.Arrays;

/**
 * Writes a padding-only RTP packet (RFC 3550 padding) for bandwidth probes on an RTX stream (RFC
 * 4588), which receivers count for their estimate and then discard. Its header extensions: the
 * 2-byte transport-wide sequence number the sending transport stamps, and, when given, the
 * subscriber's MID. Firefox needs the MID: with BUNDLE it hands a packet to an m= line only if its
 * SSRC was seen with that line's MID (an SSRC in the SDP is not enough once MIDs are in use), and
 * drops the rest before its transport-cc feedback counts them, so probes without it read as lost.
 */
public final class PaddingPacketWriter {
    /** Largest RTP padding (the count is one byte). */
    public static final int PADDING_BYTES = 255;

    private PaddingPacketWriter() {}

    /**
     * Bytes {@link #write} writes: header (12), extension block header (4), the elements padded to a
     * word, the padding.
     *
     * @param midId the MID element's id, 0 for none
     */
    public static int length(int transportCcId, int midId, int midLength) {
        return 12 + 4 + elementsLength(transportCcId, midId, midLength) + PADDING_BYTES;
    }

    private static boolean oneByte(int transportCcId, int midId, int midLength) {
        return transportCcId <= RtpHeaderExtensions.ONE_BYTE_MAX_ID
                && (midId == 0 || RtpHeaderExtensions.fitsOneByte(midId, midLength));
    }

    private static int elementsLength(int transportCcId, int midId, int midLength) {
        int header = oneByte(transportCcId, midId, midLength) ? 1 : 2;
        int bytes = header + 2 + (midId == 0 ? 0 : header + midLength);
        return (bytes + 3) / 4 * 4;
    }

    /**
     * Writes the packet at {@code b[off]}; {@code b} must hold {@link #length} bytes from there.
     *
     * @param transportCcId the transport-cc element's id (1..14 one-byte form, else two-byte form)
     * @param midId the MID element's id, 0 for none (then {@code mid} is ignored)
     * @param mid the MID's bytes (1..16 for the one-byte form, up to 255 otherwise)
     * @return the absolute offset of the 2-byte transport-cc value to stamp
     */
    public static int write(
            byte[] b,
            int off,
            int payloadType,
            int sequence,
            long timestamp,
            long ssrc,
            int transportCcId,
            int midId,
            byte[] mid) {
        int midLength = midId == 0 ? 0 : mid.length;
        boolean oneByte = oneByte(transportCcId, midId, midLength);
        int elements = elementsLength(transportCcId, midId, midLength);
        int pos = off;
        b[pos++] = (byte) 0xB0; // V=2, P=1, X=1
        b[pos++] = (byte) payloadType;
        BigEndian.put16(b, pos, sequence);
        pos += 2;
        BigEndian.put32(b, pos, timestamp);
        pos += 4;
        BigEndian.put32(b, pos, ssrc);
        pos += 4;
        BigEndian.put16(b, pos, oneByte ? RtpHeaderExtensions.ONE_BYTE_PROFILE : RtpHeaderExtensions.TWO_BYTE_PROFILE);
        BigEndian.put16(b, pos + 2, elements / 4);
        pos += 4;
        int blockEnd = pos + elements;
        Arrays.fill(b, pos, blockEnd, (byte) 0); // what the elements leave is padding (RFC 8285)
        pos = element(b, pos, oneByte, transportCcId, 2);
        int tccOffset = pos;
        pos += 2;
        if (midId != 0) {
            pos = element(b, pos, oneByte, midId, midLength);
            System.arraycopy(mid, 0, b, pos, midLength);
        }
        Arrays.fill(b, blockEnd, blockEnd + PADDING_BYTES - 1, (byte) 0);
        b[blockEnd + PADDING_BYTES - 1] = (byte) PADDING_BYTES;
        return tccOffset;
    }

    /** Writes an element's header at {@code pos}; returns where its data goes. */
    private static int element(byte[] b, int pos, boolean oneByte, int id, int length) {
        if (oneByte) {
            b[pos] = (byte) ((id << 4) | (length - 1));
            return pos + 1;
        }
        b[pos] = (byte) id;
        b[pos + 1] = (byte) length;
        return pos + 2;
    }
}
