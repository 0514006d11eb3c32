package dev.chorus.sfu.rtcp;

import dev.chorus.sfu.rtp.BigEndian;

/**
 * Writes transport-cc feedback (RTPFB, FMT 15) from the packets a receiver has seen: parallel
 * arrays of transport-wide sequence numbers (ascending, wraparound-aware) and arrival times
 * in microseconds on any monotonic clock. Sequence numbers skipped between {@code baseSeq}
 * and the last included packet are reported as not received.
 *
 * <p>Arrival times are quantised to 250 us ticks on an absolute grid, so rounding never
 * accumulates across packets. The reference time is the first arrival rounded down to 64 ms.
 *
 * <p>Packets are included in order until one cannot be: the buffer (up to {@code limit}) is
 * full, the 16-bit status count would overflow, its delta does not fit 16 signed bits
 * (about 8 s), or its sequence number is not after the previous one. {@link #consumed()} then
 * says how many were included; send the rest in another feedback starting at
 * {@link #nextBaseSequenceNumber()}. Reuse one instance per worker; it allocates nothing.
 */
public final class TransportCcWriter {
    static final int HEADER_LENGTH = FeedbackView.FCI_AT + TransportCcView.CHUNKS_AT;
    private static final int MAX_PACKET_LENGTH = 4 * (0xFFFF + 1);
    private static final int TICKS_PER_REFERENCE = TransportCcView.REFERENCE_TICK_US / TransportCcView.DELTA_TICK_US;

    private final TccChunkEncoder encoder = new TccChunkEncoder();
    private int consumed;
    private int statusCount;
    private int baseSeq;

    /**
     * Writes one feedback packet at {@code dst[off]}, never past {@code limit}, covering
     * {@code baseSeq} up to the last included packet of {@code seqs/arrivalTimesUs[from, from+count)}.
     *
     * @return bytes written (a multiple of 4, P bit set if padded), or -1 when not even the
     *         first packet can be included or the arguments are unusable
     */
    public int write(
            byte[] dst,
            int off,
            int limit,
            long senderSsrc,
            long mediaSsrc,
            int baseSeq,
            int feedbackPacketCount,
            int[] seqs,
            long[] arrivalTimesUs,
            int from,
            int count) {
        this.consumed = 0;
        this.statusCount = 0;
        this.baseSeq = baseSeq & 0xFFFF;
        if (seqs == null
                || arrivalTimesUs == null
                || count < 1
                || from < 0
                || from > seqs.length - count
                || from > arrivalTimesUs.length - count
                || dst == null
                || off < 0
                || limit > dst.length
                || off > limit) {
            return -1;
        }
        long referenceTime = Math.floorDiv(arrivalTimesUs[from], TransportCcView.REFERENCE_TICK_US);
        long referenceTicks = referenceTime * TICKS_PER_REFERENCE;
        int maxLength = Math.min(limit - off, MAX_PACKET_LENGTH);

        // Pass 1: find how many packets fit and how many chunks they need.
        encoder.reset(null, 0);
        int included = 0;
        int chunks = 0;
        int deltaBytes = 0;
        int statuses = 0;
        long previousTick = referenceTicks;
        int nextSeq = this.baseSeq;
        for (int i = from; i < from + count; i++) {
            int gap = (seqs[i] - nextSeq) & 0xFFFF;
            if (gap >= 0x8000 || statuses + gap + 1 > 0xFFFF) {
                break;
            }
            long tick = tick(arrivalTimesUs[i]);
            long delta = tick - previousTick;
            if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
                break;
            }
            int symbol = symbolFor(delta);
            encoder.addRepeated(TransportCcView.NOT_RECEIVED, gap);
            encoder.add(symbol);
            int length = padded(HEADER_LENGTH + 2 * encoder.chunkCount() + deltaBytes + symbol);
            if (length > maxLength) {
                break;
            }
            included++;
            chunks = encoder.chunkCount();
            deltaBytes += symbol;
            statuses += gap + 1;
            previousTick = tick;
            nextSeq = (seqs[i] + 1) & 0xFFFF;
        }
        if (included == 0) {
            return -1;
        }

        // Pass 2: the same packets again, now writing chunks and deltas.
        int unpadded = HEADER_LENGTH + 2 * chunks + deltaBytes;
        int length = padded(unpadded);
        int padding = length - unpadded;
        RtcpHeader.write(dst, off, padding > 0, RtcpPacketType.FMT_TRANSPORT_CC, RtcpPacketType.RTPFB, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, mediaSsrc);
        int fci = off + FeedbackView.FCI_AT;
        BigEndian.put16(dst, fci, this.baseSeq);
        BigEndian.put16(dst, fci + 2, statuses);
        BigEndian.put24(dst, fci + 4, (int) referenceTime);
        dst[fci + 7] = (byte) feedbackPacketCount;
        encoder.reset(dst, off + HEADER_LENGTH);
        int deltaAt = off + HEADER_LENGTH + 2 * chunks;
        previousTick = referenceTicks;
        nextSeq = this.baseSeq;
        for (int i = from; i < from + included; i++) {
            int gap = (seqs[i] - nextSeq) & 0xFFFF;
            long tick = tick(arrivalTimesUs[i]);
            int delta = (int) (tick - previousTick);
            int symbol = symbolFor(delta);
            encoder.addRepeated(TransportCcView.NOT_RECEIVED, gap);
            encoder.add(symbol);
            if (symbol == TransportCcView.SMALL_DELTA) {
                dst[deltaAt++] = (byte) delta;
            } else {
                BigEndian.put16(dst, deltaAt, delta);
                deltaAt += 2;
            }
            previousTick = tick;
            nextSeq = (seqs[i] + 1) & 0xFFFF;
        }
        encoder.finish();
        for (int i = deltaAt; i < off + length; i++) {
            dst[i] = 0;
        }
        if (padding > 0) {
            dst[off + length - 1] = (byte) padding;
        }
        this.consumed = included;
        this.statusCount = statuses;
        return length;
    }

    /** Packets from the arrays included by the last {@link #write} (0 after a failure). */
    public int consumed() {
        return consumed;
    }

    /** Packet status count of the last written feedback (received and lost). */
    public int packetStatusCount() {
        return statusCount;
    }

    /** The sequence number just after the last one the last feedback covered. */
    public int nextBaseSequenceNumber() {
        return (baseSeq + statusCount) & 0xFFFF;
    }

    private static long tick(long arrivalUs) {
        return Math.floorDiv(arrivalUs + TransportCcView.DELTA_TICK_US / 2, TransportCcView.DELTA_TICK_US);
    }

    private static int symbolFor(long deltaTicks) {
        return deltaTicks >= 0 && deltaTicks <= 0xFF ? TransportCcView.SMALL_DELTA : TransportCcView.LARGE_DELTA;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }
}
