package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Delta;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Keyframe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.worker.ForwardingStats;
import dev.chorus.sfu.worker.WorkerStats.Counter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The per-worker totals metrics read: counted on the packet path, copied on the worker thread. */
class WorkerStatsTest {
    private final ForwardHarness h = new ForwardHarness();
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);

    private ForwardingStats snapshot() {
        CompletableFuture<ForwardingStats> f = h.worker.statsSnapshot();
        assertFalse(f.isDone(), "read on the worker thread, not the caller's");
        h.worker.runUntilIdle();
        return f.join();
    }

    @Test
    void countsNacksSentToPublishersAndPacketsRetransmittedToSubscribers() {
        h.vp8Producer("alice");
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, ForwardHarness.PUB_EXT, 0));
        h.worker.runUntilIdle();
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, 10, 1000)
                        .pt(ForwardHarness.PUB_PT)
                        .payload(vp8Keyframe())
                        .build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, 11, 4000)
                        .pt(ForwardHarness.PUB_PT)
                        .payload(vp8Delta())
                        .build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, 13, 7000)
                        .pt(ForwardHarness.PUB_PT)
                        .payload(vp8Delta())
                        .build());
        assertEquals(List.of(12), Rtcp.nackedSeqs(alice.rtcp, PUB_SSRC), "the gap is NACKed to alice");
        assertEquals(3, bob.rtp.size());
        int bobSeqOf11 = ((bob.rtp.get(1)[2] & 0xFF) << 8) | (bob.rtp.get(1)[3] & 0xFF);
        h.rtcp(bobEndpoint, Rtcp.nack(0xB0, 0xB1, bobSeqOf11));
        assertEquals(4, bob.rtp.size(), "resent to bob");

        ForwardingStats s = snapshot();
        assertEquals(1, s.get(Counter.NACK_SENT));
        assertEquals(1, s.get(Counter.NACK_RECEIVED));
        assertEquals(1, s.get(Counter.RTP_PACKETS_RETRANSMITTED));
        assertEquals(3, s.get(Counter.RTP_PACKETS_FORWARDED), "a resend is not counted as forwarded again");
    }

    @Test
    void countsTrafficFeedbackAndStreamsAndKeepsTotalsWhenTheRoomCloses() {
        h.vp8Producer("alice");
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, ForwardHarness.PUB_EXT, 0));
        h.worker.runUntilIdle();
        byte[] key = RtpBuilder.rtp(PUB_SSRC, 10, 1000)
                .pt(ForwardHarness.PUB_PT)
                .payload(vp8Keyframe())
                .build();
        byte[] delta = RtpBuilder.rtp(PUB_SSRC, 11, 4000)
                .pt(ForwardHarness.PUB_PT)
                .payload(vp8Delta())
                .build();
        h.rtp(aliceEndpoint, key);
        h.rtp(aliceEndpoint, delta);
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x9999, 1, 0)
                        .pt(ForwardHarness.PUB_PT)
                        .payload(vp8Delta())
                        .build());
        h.rtcp(bobEndpoint, Rtcp.nack(0xB0, 0xB1));
        h.advanceMillis(2000); // past the PLI rate limit: bob's PLI goes out to alice
        h.rtcp(bobEndpoint, Rtcp.pli(0xB0, 0xB1));

        ForwardingStats s = snapshot();
        assertEquals(3, s.get(Counter.RTP_PACKETS_RECEIVED));
        assertEquals(
                key.length
                        + delta.length
                        + RtpBuilder.rtp(0x9999, 1, 0)
                                .pt(ForwardHarness.PUB_PT)
                                .payload(vp8Delta())
                                .build()
                                .length,
                s.get(Counter.RTP_BYTES_RECEIVED));
        assertEquals(2, s.get(Counter.RTP_PACKETS_FORWARDED));
        assertEquals(bob.rtp.size(), s.get(Counter.RTP_PACKETS_FORWARDED));
        assertEquals(key.length + delta.length, s.get(Counter.RTP_BYTES_FORWARDED), "same extensions, same sizes");
        assertEquals(2, s.get(Counter.RTCP_PACKETS_RECEIVED));
        assertEquals(1, s.get(Counter.NACK_RECEIVED));
        assertEquals(1, s.get(Counter.PLI_RECEIVED));
        assertEquals(0, s.get(Counter.FIR_RECEIVED));
        long plisToAlice = Rtcp.countPlis(alice.rtcp, PUB_SSRC);
        assertTrue(plisToAlice >= 2, "one when bob subscribed, one for his PLI: " + plisToAlice);
        assertEquals(plisToAlice, s.get(Counter.PLI_SENT));
        assertTrue(s.get(Counter.RTCP_PACKETS_SENT) >= plisToAlice);
        assertEquals(1, s.drops(DropReason.UNKNOWN_SSRC));
        assertEquals(1, s.get(Counter.ROUTERS));
        assertEquals(1, s.get(Counter.PRODUCERS));
        assertEquals(1, s.get(Counter.CONSUMERS));

        h.router.close();
        ForwardingStats after = snapshot();
        assertEquals(0, after.get(Counter.ROUTERS));
        assertEquals(0, after.get(Counter.PRODUCERS));
        assertEquals(0, after.get(Counter.CONSUMERS));
        assertEquals(3, after.get(Counter.RTP_PACKETS_RECEIVED), "totals outlive the router");
        assertEquals(2, after.get(Counter.RTP_PACKETS_FORWARDED));
        assertEquals(1, after.drops(DropReason.UNKNOWN_SSRC));

        ForwardingStats twice = after.plus(after);
        assertEquals(6, twice.get(Counter.RTP_PACKETS_RECEIVED));
        assertEquals(2, twice.drops(DropReason.UNKNOWN_SSRC));
    }
}
