package dev.chorus.sfu.codec;

/**
 * The AV1 RTP payload's aggregation header (AV1 RTP specification, section 4.4), the first byte of every
 * AV1 packet: {@code |Z|Y| W |N|-|-|-|}. Z: the first OBU element continues one from the previous packet;
 * N: the packet is the first of a coded video sequence, i.e. it starts a key frame. The layers a packet
 * belongs to are not here but in the {@link DependencyDescriptor} header extension.
 */
public final class Av1Payload {
    private static final int Z = 0x80;
    private static final int N = 0x08;

    private Av1Payload() {}

    /** True when the payload at {@code b[off, off + len)} is the first packet of a key frame. */
    public static boolean isKeyframeStart(byte[] b, int off, int len) {
        if (len < 2) {
            return false; // an aggregation header with no OBU data carries no frame
        }
        int header = b[off] & 0xFF;
        return (header & N) != 0 && (header & Z) == 0;
    }
}
