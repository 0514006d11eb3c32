package dev.chorus.loadtest;

import dev.chorus.testkit.peer.PayloadStamp;
import dev.chorus.testkit.peer.RtpListener;

/**
 * What one bot receives, measured per packet on its transport's reader thread: loss per SSRC from sequence
 * numbers, one-way latency from the publisher's {@link PayloadStamp} (same JVM, same {@link System#nanoTime}
 * clock), jitter (RFC 3550's smoothed transit-time difference, with the send stamp in place of the RTP
 * timestamp) and the time until every expected track delivered media. After warm-up, nothing here
 * allocates per packet: streams live in small arrays searched linearly (a bot receives tens of tracks).
 * Cumulative counters are read by the sampler thread once a second.
 *
 * <p>A bot whose transport decrypts only a sample ({@code decryptRtpOneIn}) also gets the other packets with their
 * clear header alone ({@link #onUndecryptedRtp}): they count for packets, sequence numbers and loss like the
 * decrypted ones, but their payload, and so the {@link PayloadStamp} that latency and jitter come from, is not
 * readable: those come from the decrypted sample only, and {@link #undecrypted()} says how many did not.
 */
final class BotReceiver implements RtpListener {
    static final int MAX_STREAMS = 256;
    /** Latencies outside [0, 60 s) are clock nonsense (e.g. a foreign payload) and not counted. */
    private static final long MAX_LATENCY_NANOS = 60_000_000_000L;

    private final long[] ssrcs = new long[MAX_STREAMS];
    private final SeqTracker[] trackers = new SeqTracker[MAX_STREAMS];
    private final long[] lastTransit = new long[MAX_STREAMS];
    /** Smoothed jitter per stream in nanoseconds; read racily by the sampler. */
    private final double[] jitterNanos = new double[MAX_STREAMS];

    private volatile int streams;
    /** SSRCs announced as retransmission streams: not counted (their sequence numbers are separate). */
    private volatile long[] ignored = new long[0];

    private final LatencyHistogram latency = new LatencyHistogram();
    private final int expectedTracks;
    private final long joinSentNanosUnset = Long.MIN_VALUE;
    private volatile long joinSentNanos = joinSentNanosUnset;

    private volatile long packets;
    private volatile long expected;
    private volatile long unstamped;
    private volatile long undecrypted;
    private volatile long overflow;
    private volatile long allTracksNanos;

    /** {@code expectedTracks}: how many remote tracks count as "joined" (0: never measured). */
    BotReceiver(int expectedTracks) {
        this.expectedTracks = expectedTracks;
    }

    void joinSent(long nanos) {
        joinSentNanos = nanos;
    }

    void ignore(long[] rtxSsrcs) {
        ignored = rtxSsrcs.clone();
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
        long[] skip = ignored;
        for (long s : skip) {
            if (s == ssrc) {
                return;
            }
        }
        if (!PayloadStamp.present(buf, payloadOffset, payloadLength)) {
            unstamped++; // padding probes, foreign payloads
            return;
        }
        int i = find(ssrc);
        if (i < 0) {
            return;
        }
        packets++;
        expected += trackers[i].record(sequenceNumber);
        long transit = receivedNanos - PayloadStamp.read(buf, payloadOffset, payloadLength);
        if (transit >= 0 && transit < MAX_LATENCY_NANOS) {
            latency.record(transit / 1000);
            long last = lastTransit[i];
            if (last != Long.MIN_VALUE) {
                double d = Math.abs(transit - last);
                jitterNanos[i] += (d - jitterNanos[i]) / 16.0;
            }
            lastTransit[i] = transit;
        }
    }

    /**
     * A packet left encrypted: counted for loss from its clear sequence number. Whether it carries a stamp cannot be
     * told (RTX SSRCs, where the SFU's padding probes go, are ignored as for decrypted packets).
     */
    @Override
    public void onUndecryptedRtp(
            long receivedNanos, long ssrc, int sequenceNumber, long rtpTimestamp, int payloadType, boolean marker) {
        long[] skip = ignored;
        for (long s : skip) {
            if (s == ssrc) {
                return;
            }
        }
        int i = find(ssrc);
        if (i < 0) {
            return;
        }
        packets++;
        undecrypted++;
        expected += trackers[i].record(sequenceNumber);
    }

    private int find(long ssrc) {
        int n = streams;
        for (int i = 0; i < n; i++) {
            if (ssrcs[i] == ssrc) {
                return i;
            }
        }
        if (n == MAX_STREAMS) {
            overflow++;
            return -1;
        }
        ssrcs[n] = ssrc;
        trackers[n] = new SeqTracker();
        lastTransit[n] = Long.MIN_VALUE;
        streams = n + 1;
        if (n + 1 == expectedTracks && joinSentNanos != joinSentNanosUnset) {
            allTracksNanos = System.nanoTime() - joinSentNanos;
        }
        return n;
    }

    /** Packets counted on media streams: the decrypted ones with a stamp and those left encrypted. */
    long packets() {
        return packets;
    }

    /** Packets the sequence numbers say should have arrived so far. */
    long expected() {
        return expected;
    }

    long lost() {
        return Math.max(0, expected - packets);
    }

    /** Of {@link #packets()}: those counted from their clear header only (no latency read from them). */
    long undecrypted() {
        return undecrypted;
    }

    long unstamped() {
        return unstamped;
    }

    int streams() {
        return streams;
    }

    /** Join sent to first packet on every expected track, in nanoseconds; 0 until then. */
    long allTracksNanos() {
        return allTracksNanos;
    }

    int expectedTracks() {
        return expectedTracks;
    }

    void addLatencyTo(long[] into) {
        latency.addTo(into);
    }

    /** Adds each stream's current jitter (ms) to {@code sum[0]} and the stream count to {@code sum[1]}. */
    void addJitterTo(double[] sum) {
        int n = streams;
        for (int i = 0; i < n; i++) {
            sum[0] += jitterNanos[i] / 1e6;
            sum[1] += 1;
        }
    }
}
