package dev.chorus.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testkit.peer.PayloadStamp;
import org.junit.jupiter.api.Test;

class BotReceiverTest {
    private final byte[] buf = new byte[64];

    private void deliver(BotReceiver r, long recvNanos, long ssrc, int seq, long sentNanos) {
        int off = 20;
        PayloadStamp.write(buf, off + 3, sentNanos);
        r.onRtp(recvNanos, ssrc, seq, 0, 111, false, buf, off, 3 + PayloadStamp.LENGTH);
    }

    @Test
    void lossLatencyJoinAndIgnoredStreams() {
        BotReceiver r = new BotReceiver(2);
        r.joinSent(System.nanoTime() - 1_000_000);
        r.ignore(new long[] {99});
        long t = 1_000_000_000L;
        for (int i = 0; i < 100; i++) {
            if (i != 50) { // one lost packet on stream A, across the wrap
                deliver(r, t + 2_000_000, 0xA, (65500 + i) & 0xFFFF, t); // 2 ms
            }
            t += 20_000_000;
        }
        assertEquals(0, r.allTracksNanos(), "one of two tracks so far");
        deliver(r, t + 10_000_000, 0xB, 7, t); // 10 ms
        assertTrue(r.allTracksNanos() > 0, "both tracks delivered");
        deliver(r, t, 99, 1, t); // retransmission stream: ignored
        r.onRtp(t, 0xA, 100, 0, 111, false, new byte[20], 0, 0); // padding-only probe: ignored

        assertEquals(100, r.packets());
        assertEquals(101, r.expected());
        assertEquals(1, r.lost());
        assertEquals(1, r.unstamped());
        assertEquals(2, r.streams());
        long[] counts = new long[LatencyHistogram.BUCKETS];
        r.addLatencyTo(counts);
        assertEquals(100, LatencyHistogram.total(counts));
        assertEquals(2000, LatencyHistogram.percentile(counts, 0.5), 2000 * 0.035);
        assertEquals(10000, LatencyHistogram.percentile(counts, 1.0), 10000 * 0.035);
        double[] jitter = new double[2];
        r.addJitterTo(jitter);
        assertEquals(2, jitter[1]);
        assertEquals(0, jitter[0], 1e-9, "constant transit time: no jitter");
    }

    @Test
    void undecryptedPacketsCountForLossButLatencyComesFromTheDecryptedSampleOnly() {
        BotReceiver r = new BotReceiver(1);
        r.ignore(new long[] {99});
        long t = 1_000_000_000L;
        for (int seq = 0; seq < 64; seq++) {
            if (seq == 21 || seq == 32) {
                continue; // one lost left encrypted, one lost from the sample
            }
            if (seq % 16 == 0) {
                deliver(r, t + 3_000_000, 0xA, seq, t); // the decrypted sample: 3 ms
            } else {
                // Left encrypted: whatever its payload says, only the header is read (a stale clock would show).
                r.onUndecryptedRtp(t + 40_000_000, 0xA, seq, 0, 111, false);
            }
            t += 20_000_000;
        }
        r.onUndecryptedRtp(t, 99, 5, 0, 111, false); // retransmission stream: ignored as when decrypted

        assertEquals(62, r.packets(), "every packet counts, decrypted or not");
        assertEquals(59, r.undecrypted(), "of which 64 - 4 sampled - 1 lost were left encrypted");
        assertEquals(64, r.expected());
        assertEquals(2, r.lost());
        assertEquals(0, r.unstamped());
        long[] counts = new long[LatencyHistogram.BUCKETS];
        r.addLatencyTo(counts);
        assertEquals(3, LatencyHistogram.total(counts), "latency from the 3 decrypted packets only");
        assertEquals(3000, LatencyHistogram.percentile(counts, 1.0), 3000 * 0.035);
    }
}
