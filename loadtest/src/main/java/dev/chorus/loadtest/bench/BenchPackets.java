package dev.chorus.loadtest.bench;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;

/**
 * Builds the plain RTP packets the benchmarks feed in: a VP8 packet the way a browser sends
 * video, with the one-byte header extensions MID, abs-send-time and transport-cc.
 */
public final class BenchPackets {
    /** Extension ids on the publisher's packets (what Chrome typically negotiates). */
    public static final int MID_ID = 1;

    public static final int ABS_SEND_TIME_ID = 2;
    public static final int TRANSPORT_CC_ID = 3;
    /** AV1's Dependency Descriptor (Av1ForwardBenchmark). */
    public static final int DEPENDENCY_DESCRIPTOR_ID = 4;
    /** VP8 payload bytes per packet: a full-size video packet is around 1100-1200 bytes. */
    public static final int PAYLOAD_LENGTH = 1100;

    private BenchPackets() {}

    /**
     * A VP8 RTP packet: 12-byte header, 12-byte extension block (MID "0", abs-send-time,
     * transport-cc), then {@code payloadLength} payload bytes that start a keyframe or not.
     */
    public static byte[] vp8(long ssrc, int payloadType, int seq, long timestamp, boolean keyframe, int payloadLength) {
        int extBlock = 12; // 2 (mid) + 4 (abs-send-time) + 3 (tcc) + 3 padding
        byte[] b = new byte[12 + 4 + extBlock + payloadLength];
        b[0] = (byte) 0x90; // V=2, X=1
        b[1] = (byte) (payloadType & 0x7F);
        BigEndian.put16(b, 2, seq & 0xFFFF);
        BigEndian.put32(b, 4, timestamp & 0xFFFF_FFFFL);
        BigEndian.put32(b, 8, ssrc);
        BigEndian.put16(b, 12, RtpHeaderExtensions.ONE_BYTE_PROFILE);
        BigEndian.put16(b, 14, extBlock / 4);
        int p = 16;
        b[p++] = (byte) (MID_ID << 4); // length 1
        b[p++] = '0';
        b[p++] = (byte) ((ABS_SEND_TIME_ID << 4) | 2); // length 3
        b[p++] = 0x12;
        b[p++] = 0x34;
        b[p++] = 0x56;
        b[p++] = (byte) ((TRANSPORT_CC_ID << 4) | 1); // length 2
        b[p++] = 0x00;
        b[p++] = 0x01;
        p += 3; // padding zeros
        // VP8 payload descriptor: X=1, S=1, PID=0; I=1 with a 15-bit picture id.
        b[p] = (byte) 0x90;
        b[p + 1] = (byte) 0x80;
        b[p + 2] = (byte) 0x80;
        b[p + 3] = 0x01;
        int h = p + 4;
        if (keyframe) {
            b[h] = 0x10; // P=0: key frame; show_frame etc. do not matter here
            b[h + 3] = (byte) 0x9D;
            b[h + 4] = 0x01;
            b[h + 5] = 0x2A;
        } else {
            b[h] = 0x11; // P=1: inter frame
        }
        for (int i = h + 10; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    /** Opus bytes per 20 ms frame: Chrome's default 32 kbps voice. */
    public static final int OPUS_FRAME_LENGTH = 80;

    /**
     * An Opus packet as Chrome sends it with the same header extensions as {@link #vp8}: one frame of
     * {@link #OPUS_FRAME_LENGTH} bytes, or with {@code redPayloadType} (not -1) a RED payload (RFC 2198) of the
     * previous frame (960 ticks earlier) and this one, both of {@code opusPayloadType}.
     */
    public static byte[] opus(long ssrc, int opusPayloadType, int redPayloadType) {
        byte[] vp8 = vp8(ssrc, opusPayloadType, 0, 0, false, 16);
        int header = vp8.length - 16; // the header and its extensions; VP8's payload is left out
        boolean red = redPayloadType >= 0;
        int payload = red ? 4 + 1 + 2 * OPUS_FRAME_LENGTH : OPUS_FRAME_LENGTH;
        byte[] b = new byte[header + payload];
        System.arraycopy(vp8, 0, b, 0, header);
        int p = header;
        if (red) {
            b[1] = (byte) (redPayloadType & 0x7F);
            int rest = (960 << 10) | OPUS_FRAME_LENGTH;
            b[p++] = (byte) (0x80 | opusPayloadType);
            b[p++] = (byte) (rest >>> 16);
            b[p++] = (byte) (rest >>> 8);
            b[p++] = (byte) rest;
            b[p++] = (byte) opusPayloadType;
        }
        for (int i = p; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    /** Rewrites sequence number and timestamp of the RTP packet at {@code b[off]}. */
    public static void setSeqAndTimestamp(byte[] b, int off, int seq, long timestamp) {
        BigEndian.put16(b, off + 2, seq & 0xFFFF);
        BigEndian.put32(b, off + 4, timestamp & 0xFFFF_FFFFL);
    }
}
