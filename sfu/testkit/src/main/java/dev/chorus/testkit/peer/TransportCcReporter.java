package dev.chorus.testkit.peer;

import dev.chorus.sfu.rtcp.TransportCcWriter;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.transport.WebRtcTransport;
import java.util.Arrays;

/**
 * What a browser does for the SFU's congestion control: notes the transport-wide sequence number
 * (transport-cc header extension) and arrival time of every packet a {@link NativePeer} receives, and
 * sends transport-cc feedback (RFC draft-holmer-rmcat-transport-wide-cc-extensions-01) when the test
 * calls {@link #sendFeedback} (a browser does so about every 50-100 ms). Install it with {@link
 * NativePeer#onRtp}; it passes every packet on to {@code next} (may be null). Packets are noted on the
 * reader thread and reported from the caller's; both take this object's lock.
 */
public final class TransportCcReporter implements RtpListener {
    private static final int MAX_PENDING = 8192;

    private final int extensionId;
    private final RtpListener next;
    private final TransportCcWriter writer = new TransportCcWriter();
    private final int[] seqs = new int[MAX_PENDING];
    private final long[] arrivalUs = new long[MAX_PENDING];
    private final int[] order = new int[MAX_PENDING];
    private final int[] sortedSeqs = new int[MAX_PENDING];
    private final long[] sortedUs = new long[MAX_PENDING];
    private final byte[] out = new byte[1500];
    private int pending;
    private int base = -1;
    private int feedbackCount;
    private long feedbackSent;
    private long overflow;
    private long writeFailures;

    /** {@code extensionId}: the transport-cc id the peer offered ({@link OfferWriter#EXT_TRANSPORT_CC}). */
    public TransportCcReporter(int extensionId, RtpListener next) {
        this.extensionId = extensionId;
        this.next = next;
    }

    @Override
    public void onRtp(
            long receivedNanos,
            long ssrc,
            int sequenceNumber,
            long rtpTimestamp,
            int payloadType,
            boolean marker,
            byte[] buf,
            int payloadOffset,
            int payloadLength) {
        if (next != null) {
            next.onRtp(
                    receivedNanos,
                    ssrc,
                    sequenceNumber,
                    rtpTimestamp,
                    payloadType,
                    marker,
                    buf,
                    payloadOffset,
                    payloadLength);
        }
    }

    @Override
    public synchronized void onRtpPacket(long receivedNanos, RtpPacket packet) {
        long ref = packet.findExtension(extensionId);
        if (ref == RtpHeaderExtensions.NOT_FOUND || RtpHeaderExtensions.lengthOf(ref) < 2) {
            return;
        }
        if (pending == MAX_PENDING) {
            overflow++;
            return;
        }
        int seq = BigEndian.u16(packet.buffer(), RtpHeaderExtensions.offsetOf(ref));
        if (base < 0) {
            base = seq;
        }
        seqs[pending] = seq;
        arrivalUs[pending] = receivedNanos / 1000;
        pending++;
    }

    /**
     * Sends feedback for everything that arrived since the last call, in sequence order (numbers before the
     * last report's end are left out); returns false when there was nothing to report or a send failed.
     */
    public synchronized boolean sendFeedback(WebRtcTransport transport, long senderSsrc) {
        int n = 0;
        for (int i = 0; i < pending; i++) {
            if (((seqs[i] - base) & 0xFFFF) < 0x8000) {
                order[n++] = i;
            }
        }
        pending = 0;
        if (n == 0) {
            return false;
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = order[i];
        }
        Arrays.sort(idx, (a, b) -> Integer.compare((seqs[a] - base) & 0xFFFF, (seqs[b] - base) & 0xFFFF));
        for (int i = 0; i < n; i++) {
            sortedSeqs[i] = seqs[idx[i]];
            sortedUs[i] = arrivalUs[idx[i]];
        }
        boolean ok = true;
        for (int from = 0; from < n; ) {
            int length = writer.write(
                    out,
                    0,
                    out.length - 64,
                    senderSsrc,
                    0,
                    base,
                    feedbackCount++,
                    sortedSeqs,
                    sortedUs,
                    from,
                    n - from);
            if (length <= 0 || writer.consumed() <= 0) {
                writeFailures++;
                return false;
            }
            ok &= transport.sendRtcp(out, 0, length);
            feedbackSent++;
            from += writer.consumed();
            base = writer.nextBaseSequenceNumber();
        }
        return ok;
    }

    public synchronized long feedbackSent() {
        return feedbackSent;
    }

    /** Feedback the writer could not write (nothing the SFU will see). */
    public synchronized long writeFailures() {
        return writeFailures;
    }

    public synchronized long overflow() {
        return overflow;
    }
}
