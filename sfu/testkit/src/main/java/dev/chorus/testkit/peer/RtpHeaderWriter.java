package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes the RTP fixed header (RFC 3550), optionally followed by a one-byte header extension block
 * (RFC 8285) with up to two elements, as browsers send on every packet: the sdes:mid, and on a simulcast
 * layer its rid (media) or repaired rid (RTX).
 */
final class RtpHeaderWriter {
    private static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** One-byte elements carry 1..16 data bytes. */
    static final int MAX_ELEMENT_LENGTH = 16;
    /** Fixed header + extension block header + two full elements and a transport-cc one, padded to 32 bits. */
    static final int MAX_LENGTH = 12 + 4 + 4 * ((2 * (1 + MAX_ELEMENT_LENGTH) + 3 + 3) / 4);

    private static final byte[] NONE = new byte[0];

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
        return write(b, marker, payloadType, seq, timestamp, ssrc, midExtensionId, mid, 0, NONE);
    }

    /**
     * As {@link #write(byte[], boolean, int, int, long, long, int, byte[])} with a second element; an element
     * with id 0 or an empty value is left out, and without either there is no extension block.
     */
    static int write(
            byte[] b,
            boolean marker,
            int payloadType,
            int seq,
            long timestamp,
            long ssrc,
            int firstId,
            byte[] first,
            int secondId,
            byte[] second) {
        boolean one = firstId > 0 && first.length > 0;
        boolean two = secondId > 0 && second.length > 0;
        b[0] = (byte) (0x80 | (one || two ? 0x10 : 0));
        b[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BigEndian.put16(b, 2, seq & 0xFFFF);
        BigEndian.put32(b, 4, timestamp & 0xFFFF_FFFFL);
        BigEndian.put32(b, 8, ssrc);
        if (!one && !two) {
            return 12;
        }
        int at = 16;
        if (one) {
            at = element(b, at, firstId, first);
        }
        if (two) {
            at = element(b, at, secondId, second);
        }
        int words = (at - 16 + 3) / 4;
        BigEndian.put16(b, 12, ONE_BYTE_PROFILE);
        BigEndian.put16(b, 14, words);
        int end = 16 + 4 * words;
        for (int i = at; i < end; i++) {
            b[i] = 0; // padding
        }
        return end;
    }

    /**
     * Adds a transport-wide sequence number element (id {@code id}, two bytes) to the header of
     * {@code headerLength} bytes just written at {@code b[0]}; returns the new header length.
     */
    static int appendTransportCc(byte[] b, int headerLength, int id, int transportSeq) {
        int at = 16;
        if ((b[0] & 0x10) == 0) {
            b[0] = (byte) (b[0] | 0x10);
            BigEndian.put16(b, 12, ONE_BYTE_PROFILE);
        } else {
            for (int i = 16; i < headerLength; ) {
                int x = b[i] & 0xFF;
                if (x == 0) {
                    i++; // padding
                    continue;
                }
                i += 2 + (x & 0x0F);
                at = i;
            }
        }
        b[at] = (byte) ((id << 4) | 1);
        BigEndian.put16(b, at + 1, transportSeq & 0xFFFF);
        at += 3;
        int words = (at - 16 + 3) / 4;
        BigEndian.put16(b, 14, words);
        int end = 16 + 4 * words;
        for (int i = at; i < end; i++) {
            b[i] = 0;
        }
        return end;
    }

    private static int element(byte[] b, int at, int id, byte[] value) {
        b[at] = (byte) ((id << 4) | (value.length - 1));
        System.arraycopy(value, 0, b, at + 1, value.length);
        return at + 1 + value.length;
    }
}
