package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Transport-wide congestion control feedback (RTPFB, FMT 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01): base sequence number, packet status
 * count, reference time (signed 24-bit, 64 ms units), feedback packet count, status chunks
 * (run-length, 1-bit and 2-bit vectors) and receive deltas (250 us units: one unsigned byte
 * for small, two signed bytes for large or negative).
 *
 * <p>{@link #wrap} walks every chunk and checks that the statuses cover the count, use no
 * reserved symbol, and that all announced deltas fit in the packet; only then may
 * {@link #forEachPacket} run, which therefore cannot read out of bounds.
 */
public final class TransportCcView extends FeedbackView {
    public static final int DELTA_TICK_US = 250;
    public static final int REFERENCE_TICK_US = 64_000;
    static final int CHUNKS_AT = 8;

    static final int NOT_RECEIVED = 0;
    static final int SMALL_DELTA = 1;
    static final int LARGE_DELTA = 2;
    static final int RESERVED = 3;

    private int deltasAt;
    private int deltaBytes;
    private int receivedCount;
    private RtcpValidity walkError;

    @Override
    protected int expectedPacketType() {
        return RtcpPacketType.RTPFB;
    }

    @Override
    protected int expectedFmt() {
        return RtcpPacketType.FMT_TRANSPORT_CC;
    }

    @Override
    protected RtcpValidity checkFci() {
        if (fciLength() < CHUNKS_AT) {
            return RtcpValidity.TRUNCATED;
        }
        if (packetStatusCount() == 0) {
            return RtcpValidity.TCC_EMPTY;
        }
        deltaBytes = 0;
        receivedCount = 0;
        walk(null);
        if (walkError != RtcpValidity.OK) {
            return walkError;
        }
        if (deltaBytes > off + contentLength - deltasAt) {
            return RtcpValidity.TCC_DELTAS_OVERFLOW;
        }
        return RtcpValidity.OK;
    }

    public int baseSequenceNumber() {
        return BigEndian.u16(buf, fciOffset());
    }

    public int packetStatusCount() {
        return BigEndian.u16(buf, fciOffset() + 2);
    }

    /**
     * Reference time in 64 ms units, sign-extended from 24 bits. Senders wrap it modulo 2^24,
     * so compare consecutive feedbacks by difference rather than absolute value.
     */
    public int referenceTime() {
        return BigEndian.s24(buf, fciOffset() + 4);
    }

    public long referenceTimeUs() {
        return referenceTime() * (long) REFERENCE_TICK_US;
    }

    /** Feedback packet count (8 bits, wraps): lets the sender detect lost feedback. */
    public int feedbackPacketCount() {
        return buf[fciOffset() + 7] & 0xFF;
    }

    /** Packets reported received (statuses with a delta). */
    public int receivedCount() {
        return receivedCount;
    }

    /**
     * Reports each of the {@link #packetStatusCount()} statuses in sequence order to
     * {@code sink}; returns how many were reported (0 when the view is not valid).
     */
    public int forEachPacket(TransportCcPacketConsumer sink) {
        if (!isValid()) {
            return 0;
        }
        walk(sink);
        return packetStatusCount();
    }

    /**
     * One pass over the chunks. Without a sink it validates and sums delta sizes; with a sink
     * (only after validation succeeded) it also reads the deltas and reports each status.
     */
    private void walk(TransportCcPacketConsumer sink) {
        int end = off + contentLength;
        int pos = fciOffset() + CHUNKS_AT;
        int remaining = packetStatusCount();
        int seq = baseSequenceNumber();
        int deltaPos = deltasAt;
        walkError = RtcpValidity.OK;
        while (remaining > 0) {
            if (pos + 2 > end) {
                walkError = RtcpValidity.TCC_CHUNKS_OVERFLOW;
                return;
            }
            int chunk = BigEndian.u16(buf, pos);
            pos += 2;
            int n = Math.min(capacity(chunk), remaining);
            remaining -= n;
            if (sink == null && isRunLength(chunk)) {
                int symbol = (chunk >>> 13) & 3;
                if (symbol == RESERVED && n > 0) {
                    walkError = RtcpValidity.TCC_RESERVED_STATUS;
                    return;
                }
                deltaBytes += symbol * n;
                receivedCount += symbol == NOT_RECEIVED ? 0 : n;
                continue;
            }
            for (int k = 0; k < n; k++) {
                int symbol = symbolAt(chunk, k);
                if (sink == null) {
                    if (symbol == RESERVED) {
                        walkError = RtcpValidity.TCC_RESERVED_STATUS;
                        return;
                    }
                    deltaBytes += symbol;
                    receivedCount += symbol == NOT_RECEIVED ? 0 : 1;
                } else if (symbol == NOT_RECEIVED) {
                    sink.onPacket(seq, false, 0);
                } else if (symbol == SMALL_DELTA) {
                    sink.onPacket(seq, true, (buf[deltaPos] & 0xFF) * DELTA_TICK_US);
                    deltaPos += 1;
                } else {
                    sink.onPacket(seq, true, BigEndian.s16(buf, deltaPos) * DELTA_TICK_US);
                    deltaPos += 2;
                }
                seq = (seq + 1) & 0xFFFF;
            }
        }
        if (sink == null) {
            deltasAt = pos;
        }
    }

    static boolean isRunLength(int chunk) {
        return (chunk & 0x8000) == 0;
    }

    /** Statuses a chunk can describe: its run length, 14 one-bit or 7 two-bit symbols. */
    static int capacity(int chunk) {
        if (isRunLength(chunk)) {
            return chunk & 0x1FFF;
        }
        return (chunk & 0x4000) == 0 ? 14 : 7;
    }

    static int symbolAt(int chunk, int k) {
        if (isRunLength(chunk)) {
            return (chunk >>> 13) & 3;
        }
        if ((chunk & 0x4000) == 0) {
            return (chunk >>> (13 - k)) & 1;
        }
        return (chunk >>> (12 - 2 * k)) & 3;
    }
}
