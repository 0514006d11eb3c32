package dev.chorus.sfu.forward;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpExtension;
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
 * the value in place at {@link #transportCcOffset()} (the element already has the right size).
 * The pass that remaps ids also notes where the per-hop elements are, so none is searched for
 * again unless setting the MID had to re-lay the block out.
 *
 * <p>The remap goes over the elements the receive side's wrap already found (see
 * {@link RtpPacket#wrapCopy}): the copy's bytes are only written, not parsed again per subscriber.
 * Only a block with more elements than a packet notes is walked here.
 */
final class ExtensionRewriter {
    private static final int STRIP = 0;
    private static final long ABS_SEND_TIME_WRAP_NANOS = 64_000_000_000L;

    /** Publisher id -> subscriber id (0 = strip). */
    private final int[] idMap = new int[256];

    private final int absSendTimeId;
    private final int transportCcId;
    private final int midId;
    private final byte[] mid;
    private long stripped;
    // Where the last rewritten packet's per-hop elements are (absolute offsets of their data), or -1.
    private int absSendTimeOffset;
    private int transportCcOffset;
    private int midOffset;
    private int midLength;

    ExtensionRewriter(HeaderExtensionIds publisher, HeaderExtensionIds subscriber, String mid) {
        for (RtpExtension kind : RtpExtension.values()) {
            int from = publisher.id(kind);
            if (from != 0 && kind.forwarded()) {
                idMap[from] = subscriber.id(kind);
            }
        }
        this.absSendTimeId = subscriber.id(RtpExtension.ABS_SEND_TIME);
        this.transportCcId = subscriber.id(RtpExtension.TRANSPORT_CC);
        this.midId = subscriber.id(RtpExtension.MID);
        byte[] midBytes = mid == null ? null : mid.getBytes(StandardCharsets.UTF_8);
        this.mid = midBytes != null && midBytes.length > 0 && midBytes.length <= RtpHeaderExtensions.ONE_BYTE_MAX_LENGTH
                ? midBytes
                : null;
    }

    /**
     * Rewrites {@code packet} (already copied, validated) in place. {@code capacity} bounds
     * growth when the MID value is longer than the publisher's.
     */
    void rewrite(RtpPacket packet, long nowNanos, int capacity) {
        absSendTimeOffset = -1;
        transportCcOffset = -1;
        midOffset = -1;
        if (!packet.hasExtension()) {
            return;
        }
        int profile = packet.extensionProfile();
        boolean oneByte = RtpHeaderExtensions.isOneByte(profile);
        if (!oneByte && !RtpHeaderExtensions.isTwoByte(profile)) {
            return;
        }
        byte[] b = packet.buffer();
        if (packet.indexedExtensionCount() >= 0) {
            remapIndexed(packet, oneByte ? RtpHeaderExtensions.ONE_BYTE_MAX_ID : RtpHeaderExtensions.TWO_BYTE_MAX_ID);
        } else {
            int start = packet.extensionBlockOffset();
            int end = start + packet.extensionBlockLength();
            if (oneByte) {
                remapOneByte(b, start, end);
            } else {
                remapTwoByte(b, start, end);
            }
        }
        if (midOffset >= 0 && mid != null) {
            if (midLength == mid.length) {
                System.arraycopy(mid, 0, b, midOffset, mid.length);
            } else if (!packet.putExtension(midId, mid, 0, mid.length, capacity)) {
                stripped++;
            } else {
                // The block was laid out anew: the other elements may have moved.
                absSendTimeOffset = dataOffset(packet, absSendTimeId, 3);
                transportCcOffset = dataOffset(packet, transportCcId, 2);
            }
        }
        if (absSendTimeOffset >= 0) {
            BigEndian.put24(b, absSendTimeOffset, absSendTime(nowNanos));
        }
    }

    private static int dataOffset(RtpPacket packet, int id, int length) {
        if (id == 0) {
            return -1;
        }
        long ref = packet.findExtension(id);
        return ref != RtpHeaderExtensions.NOT_FOUND && RtpHeaderExtensions.lengthOf(ref) == length
                ? RtpHeaderExtensions.offsetOf(ref)
                : -1;
    }

    /** Notes where a kept element with subscriber id {@code to} has its data, if it is a per-hop one. */
    private void note(int to, int dataAt, int dataLength) {
        if (to == absSendTimeId && dataLength == 3) {
            absSendTimeOffset = dataAt;
        } else if (to == transportCcId && dataLength == 2) {
            transportCcOffset = dataAt;
        } else if (to == midId) {
            midOffset = dataAt;
            midLength = dataLength;
        }
    }

    /**
     * Absolute offset of the 2-byte transport-cc value in the packet last passed to
     * {@link #rewrite}, or -1 when it carries none for this subscriber.
     */
    int transportCcOffset() {
        return transportCcOffset;
    }

    /** The remap over the packet's noted elements; {@code maxId} is the largest id the block's form holds. */
    private void remapIndexed(RtpPacket packet, int maxId) {
        for (int i = 0, n = packet.indexedExtensionCount(); i < n; i++) {
            int id = packet.indexedExtensionId(i);
            if (id == 0) {
                continue;
            }
            int to = idMap[id];
            if (to == STRIP || to > maxId) {
                packet.stripIndexedExtension(i);
                stripped++;
            } else {
                if (to != id) {
                    packet.renumberIndexedExtension(i, to);
                }
                note(to, packet.indexedExtensionOffset(i), packet.indexedExtensionLength(i));
            }
        }
    }

    /** The remap of a block with more elements than a packet notes, walking its bytes. */
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
            } else {
                if (to != id) {
                    b[pos] = (byte) ((to << 4) | (header & 0x0F));
                }
                note(to, pos + 1, size - 1);
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
                note(to, pos + 2, size - 2);
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
