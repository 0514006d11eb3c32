package dev.chorus.sfu.forward;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites the header extensions of a packet copied for one consumer: each element's id is
 * mapped from the publisher's numbering to the subscriber's; elements the subscriber did not
 * negotiate (or whose id the block's form cannot hold) are stripped by overwriting them with
 * padding bytes, which RFC 8285 allows anywhere between elements, so nothing moves. Per hop,
 * abs-send-time gets our send time and MID the subscriber's MID.
 *
 * <p>transport-cc is remapped as is: the sending transport owns that sequence and overwrites
 * the value in place once congestion control lands (the element already has the right size).
 */
final class ExtensionRewriter {
    private static final int STRIP = 0;
    private static final long ABS_SEND_TIME_WRAP_NANOS = 64_000_000_000L;

    /** Publisher id -> subscriber id (0 = strip). */
    private final int[] idMap = new int[256];
    private final int absSendTimeId;
    private final int midId;
    private final byte[] mid;
    private long stripped;

    ExtensionRewriter(HeaderExtensionIds publisher, HeaderExtensionIds subscriber, String mid) {
        for (ExtensionKind kind : ExtensionKind.values()) {
            int from = publisher.id(kind);
            if (from != 0) {
                idMap[from] = subscriber.id(kind);
            }
        }
        this.absSendTimeId = subscriber.id(ExtensionKind.ABS_SEND_TIME);
        this.midId = subscriber.id(ExtensionKind.MID);
        byte[] midBytes = mid == null ? null : mid.getBytes(StandardCharsets.UTF_8);
        this.mid = midBytes != null && midBytes.length > 0 && midBytes.length <= RtpHeaderExtensions.ONE_BYTE_MAX_LENGTH
                ? midBytes : null;
    }

    /**
     * Rewrites {@code packet} (already copied, validated) in place. {@code capacity} bounds
     * growth when the MID value is longer than the publisher's.
     */
    void rewrite(RtpPacket packet, long nowNanos, int capacity) {
        if (!packet.hasExtension()) {
            return;
        }
        int profile = packet.extensionProfile();
        boolean oneByte = RtpHeaderExtensions.isOneByte(profile);
        if (!oneByte && !RtpHeaderExtensions.isTwoByte(profile)) {
            return;
        }
        byte[] b = packet.buffer();
        int start = packet.extensionBlockOffset();
        int end = start + packet.extensionBlockLength();
        if (oneByte) {
            remapOneByte(b, start, end);
        } else {
            remapTwoByte(b, start, end);
        }
        if (absSendTimeId != 0) {
            long ref = packet.findExtension(absSendTimeId);
            if (ref != RtpHeaderExtensions.NOT_FOUND && RtpHeaderExtensions.lengthOf(ref) == 3) {
                BigEndian.put24(b, RtpHeaderExtensions.offsetOf(ref), absSendTime(nowNanos));
            }
        }
        if (midId != 0 && mid != null && packet.findExtension(midId) != RtpHeaderExtensions.NOT_FOUND) {
            if (!packet.putExtension(midId, mid, 0, mid.length, capacity)) {
                stripped++;
            }
        }
    }

    private void remapOneByte(byte[] b, int pos, int end) {
        while (pos < end) {
            int header = b[pos] & 0xFF;
            int id = header >>> 4;
            if (id == 0) {
                pos++;
                continue;
            }
            if (id == 15) {
                return;
            }
            int size = 2 + (header & 0x0F);
            if (pos + size > end) {
                return;
            }
            int to = idMap[id];
            if (to == STRIP || to > RtpHeaderExtensions.ONE_BYTE_MAX_ID) {
                fillPadding(b, pos, size);
            } else if (to != id) {
                b[pos] = (byte) ((to << 4) | (header & 0x0F));
            }
            pos += size;
        }
    }

    private void remapTwoByte(byte[] b, int pos, int end) {
        while (pos < end) {
            int id = b[pos] & 0xFF;
            if (id == 0) {
                pos++;
                continue;
            }
            if (pos + 2 > end) {
                return;
            }
            int size = 2 + (b[pos + 1] & 0xFF);
            if (pos + size > end) {
                return;
            }
            int to = idMap[id];
            if (to == STRIP) {
                fillPadding(b, pos, size);
            } else {
                b[pos] = (byte) to;
            }
            pos += size;
        }
    }

    private void fillPadding(byte[] b, int pos, int size) {
        for (int i = 0; i < size; i++) {
            b[pos + i] = 0;
        }
        stripped++;
    }

    /** abs-send-time: 6.18 fixed-point seconds, wrapping every 64 s. */
    static int absSendTime(long nowNanos) {
        long inWindow = Math.floorMod(nowNanos, ABS_SEND_TIME_WRAP_NANOS);
        return (int) (((inWindow << 18) / 1_000_000_000L) & 0xFF_FFFF);
    }

    long stripped() {
        return stripped;
    }
}
