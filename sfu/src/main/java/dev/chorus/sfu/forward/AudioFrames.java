package dev.chorus.sfu.forward;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.RedPayload;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.Arrays;

/**
 * The last Opus frames of one microphone, by RTP timestamp, and what each consumer makes of its packets
 * (RFC 2198). A publisher's RED packet is parsed once here, not once per subscriber: its redundant blocks fill
 * frames lost on the way from the publisher (counted as recovered), and its primary block is the frame itself.
 * A plain Opus packet is the frame. A subscriber that negotiated RED gets every frame with up to N earlier
 * frames of this history repeated, so an upstream loss the publisher's own redundancy repaired reaches it
 * whole, and its own losses are repaired N frames deep; a subscriber without RED gets the primary frame alone.
 * Frames are kept in fixed slots: nothing is allocated per packet. Worker-thread only.
 */
final class AudioFrames {
    /** Frames kept: a few more than the deepest redundancy, for frames recovered out of order. */
    static final int SLOTS = 8;
    /** What one RED packet the SFU writes may weigh, header included, as Chrome's own RED encoder caps it. */
    static final int MAX_RED_PACKET = 1200;
    /** Bytes a copy leaves free for header extensions the consumer adds. */
    private static final int EXTENSION_ROOM = 64;

    private final int opusPayloadType;
    private final int redPayloadType;
    private final RedPayload red = new RedPayload();

    /** RTP timestamps (32 bits) of the kept frames; -1 marks a free slot. */
    private final long[] timestamps = new long[SLOTS];

    private final int[] lengths = new int[SLOTS];
    private final byte[] data = new byte[SLOTS * RedPayload.MAX_BLOCK_LENGTH];
    /** Scratch of {@link #copyAsRed}: the chosen slots, nearest first, and their distances. */
    private final int[] chosen = new int[RouterConfig.MAX_AUDIO_REDUNDANCY];

    private final int[] chosenDistance = new int[RouterConfig.MAX_AUDIO_REDUNDANCY];

    /** The packet last accepted: whether it was RED, and where its primary frame lies in its buffer. */
    private boolean lastWasRed;

    private int primaryOffset;
    private int primaryLength;

    private long redPackets;
    private long plainPackets;
    private long recovered;
    private long redWritten;
    private long redundantBlocksWritten;
    private long stripped;

    AudioFrames(int opusPayloadType, int redPayloadType) {
        this.opusPayloadType = opusPayloadType;
        this.redPayloadType = redPayloadType;
        Arrays.fill(timestamps, -1);
    }

    /**
     * Takes the packet the producer just accepted (media payload type or RED); false for a RED packet that is
     * malformed or carries anything but the negotiated Opus, which must not be forwarded.
     */
    boolean onPacket(RtpPacket packet) {
        if (packet.payloadLength() == 0) {
            // Padding only: no frame, and every consumer drops it as such (PADDING_ONLY) before copying.
            lastWasRed = false;
            primaryLength = 0;
            return true;
        }
        byte[] buf = packet.buffer();
        long ts = packet.timestamp();
        lastWasRed = redPayloadType != ProducerParams.NONE && packet.payloadType() == redPayloadType;
        if (lastWasRed) {
            if (!red.wrap(buf, packet.payloadOffset(), packet.payloadLength()) || !red.allOf(opusPayloadType)) {
                return false;
            }
            redPackets++;
            int primary = red.count() - 1;
            for (int i = 0; i < primary; i++) {
                long at = (ts - red.timestampOffset(i)) & 0xFFFF_FFFFL;
                if (red.timestampOffset(i) > 0 && store(at, buf, red.offset(i), red.length(i), ts)) {
                    recovered++;
                }
            }
            primaryOffset = red.offset(primary);
            primaryLength = red.length(primary);
        } else {
            plainPackets++;
            primaryOffset = packet.payloadOffset();
            primaryLength = packet.payloadLength();
        }
        store(ts, buf, primaryOffset, primaryLength, ts);
        return true;
    }

    /** Whether the packet last accepted was RED (a subscriber without RED then needs its primary cut out). */
    boolean lastWasRed() {
        return lastWasRed;
    }

    /** Where the primary (latest) Opus frame of the packet last accepted starts in its buffer. */
    int primaryOffset() {
        return primaryOffset;
    }

    /** The length of that frame (0 for a padding-only packet). */
    int primaryLength() {
        return primaryLength;
    }

    /**
     * Keeps a frame unless it is kept already, empty, too long to repeat, or older than every kept frame
     * while no slot is free; the oldest frame (counted back from {@code newest}) gives way. True when kept.
     */
    private boolean store(long timestamp, byte[] src, int off, int len, long newest) {
        if (len <= 0 || len > RedPayload.MAX_BLOCK_LENGTH) {
            return false;
        }
        int victim = -1;
        long victimAge = Long.MIN_VALUE;
        for (int i = 0; i < SLOTS; i++) {
            long t = timestamps[i];
            if (t == timestamp) {
                return false;
            }
            long age = t < 0 ? Long.MAX_VALUE : (int) (newest - t);
            if (age > victimAge) {
                victim = i;
                victimAge = age;
            }
        }
        if (victimAge != Long.MAX_VALUE && (int) (newest - timestamp) >= victimAge) {
            return false;
        }
        timestamps[victim] = timestamp;
        lengths[victim] = len;
        System.arraycopy(src, off, data, victim * RedPayload.MAX_BLOCK_LENGTH, len);
        return true;
    }

    /**
     * Copies the packet last accepted ({@code in}) into {@code buffer} for one subscriber and points {@code out}
     * at the copy: as RED with {@code redundancy} earlier frames ({@link #copyAsRed}), or, for -1, as plain Opus
     * ({@link #copyPrimary}). False when it does not fit.
     */
    boolean copy(RtpPacket in, PacketBuffer buffer, RtpPacket out, int redundancy, int blockPayloadType) {
        int length = redundancy < 0 ? copyPrimary(in, buffer) : copyAsRed(in, buffer, redundancy, blockPayloadType);
        if (length < 0) {
            return false;
        }
        buffer.setLength(length);
        return out.wrap(buffer.array(), buffer.offset(), length) == RtpValidity.OK;
    }

    /**
     * Copies the packet last accepted ({@code in}) into {@code buffer} as plain Opus: its header (padding
     * dropped) and its primary frame. Returns the copy's length.
     */
    int copyPrimary(RtpPacket in, PacketBuffer buffer) {
        int header = copyHeader(in, buffer);
        byte[] dst = buffer.array();
        System.arraycopy(in.buffer(), primaryOffset, dst, buffer.offset() + header, primaryLength);
        stripped++;
        return header + primaryLength;
    }

    /**
     * Copies the packet last accepted ({@code in}) into {@code buffer} as RED: its header (padding dropped),
     * then up to {@code redundancy} kept frames from the 14-bit timestamp reach before it (as many as fit
     * {@link #MAX_RED_PACKET}, the nearest preferred, written oldest first), then its primary frame, every
     * block marked with the subscriber's Opus payload type. Returns the copy's length, or -1 when even the
     * primary alone does not fit the buffer.
     */
    int copyAsRed(RtpPacket in, PacketBuffer buffer, int redundancy, int blockPayloadType) {
        int header = copyHeader(in, buffer);
        long ts = in.timestamp();
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (timestamps[i] < 0) {
                continue;
            }
            int distance = (int) (ts - timestamps[i]);
            if (distance <= 0 || distance > RedPayload.MAX_TIMESTAMP_OFFSET) {
                continue;
            }
            int at;
            if (n < redundancy) {
                at = n++;
            } else if (redundancy > 0 && distance < chosenDistance[redundancy - 1]) {
                at = redundancy - 1;
            } else {
                continue;
            }
            while (at > 0 && chosenDistance[at - 1] > distance) {
                chosen[at] = chosen[at - 1];
                chosenDistance[at] = chosenDistance[at - 1];
                at--;
            }
            chosen[at] = i;
            chosenDistance[at] = distance;
        }
        // Room is left for the header extensions the consumer may add (MID, transport-cc).
        int limit = Math.min(MAX_RED_PACKET, buffer.writableCapacity() - EXTENSION_ROOM);
        int size = header + RedPayload.PRIMARY_HEADER_LENGTH + primaryLength;
        if (size > buffer.writableCapacity()) {
            return -1;
        }
        int fit = 0;
        while (fit < n && size + RedPayload.REDUNDANT_HEADER_LENGTH + lengths[chosen[fit]] <= limit) {
            size += RedPayload.REDUNDANT_HEADER_LENGTH + lengths[chosen[fit]];
            fit++;
        }
        byte[] dst = buffer.array();
        int pos = buffer.offset() + header;
        for (int k = fit - 1; k >= 0; k--) {
            pos = RedPayload.writeRedundantHeader(dst, pos, blockPayloadType, chosenDistance[k], lengths[chosen[k]]);
        }
        pos = RedPayload.writePrimaryHeader(dst, pos, blockPayloadType);
        for (int k = fit - 1; k >= 0; k--) {
            int slot = chosen[k];
            System.arraycopy(data, slot * RedPayload.MAX_BLOCK_LENGTH, dst, pos, lengths[slot]);
            pos += lengths[slot];
        }
        System.arraycopy(in.buffer(), primaryOffset, dst, pos, primaryLength);
        redWritten++;
        redundantBlocksWritten += fit;
        return size;
    }

    /** The RTP header of {@code in} at the start of {@code buffer}, padding bit cleared; returns its length. */
    private static int copyHeader(RtpPacket in, PacketBuffer buffer) {
        int header = in.headerLength();
        buffer.copyFrom(in.buffer(), in.offset(), header);
        byte[] dst = buffer.array();
        dst[buffer.offset()] &= (byte) ~0x20;
        return header;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("redPayloadType", redPayloadType);
        n.put("redPacketsReceived", redPackets);
        n.put("plainPacketsReceived", plainPackets);
        n.put("framesRecovered", recovered);
        n.put("redPacketsWritten", redWritten);
        n.put("redundantBlocksWritten", redundantBlocksWritten);
        n.put("primaryOnlyWritten", stripped);
        return n;
    }
}
