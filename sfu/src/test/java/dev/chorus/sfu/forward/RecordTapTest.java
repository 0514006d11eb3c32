package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.sfu.record.TrackTap;
import org.junit.jupiter.api.Test;

class RecordTapTest {
    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(100)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);

    @Test
    void aRecordedTrackHandsItsPacketsAndReportsToTheTapAndAsksForAKeyframe() {
        Producer p = h.vp8Producer("alice");
        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, 0x1234_5678_0000_0000L, 9000, 1, 100));
        h.vp8(aliceEndpoint, 1, 3000, RtpBuilder.vp8Delta());
        TrackTap tap = new TrackTap(16);
        p.setRecordTap(tap);
        assertEquals(1, tap.queued(), "the sender report known already goes first");

        h.vp8(aliceEndpoint, 2, 6000, RtpBuilder.vp8Delta());
        assertEquals(2, tap.queued());
        assertEquals(1, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "the recording waits for a keyframe: asked at once");
        h.vp8(aliceEndpoint, 3, 9000, RtpBuilder.vp8Delta());
        assertEquals(1, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "not again at once");
        h.advanceMillis(600);
        h.vp8(aliceEndpoint, 4, 12000, RtpBuilder.vp8Delta());
        assertEquals(2, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "again after a while, while it still waits");
        assertEquals(2, p.keyframeRequests(KeyframeRequestKind.RECORDING));

        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, 0x1234_5679_0000_0000L, 99000, 5, 500));
        assertEquals(5, tap.queued());

        h.router.setProducerPaused("video-1", true); // muted by a moderator: the room hears nothing, nor records it
        h.vp8(aliceEndpoint, 5, 15000, RtpBuilder.vp8Delta());
        assertEquals(5, tap.queued());
        h.router.setProducerPaused("video-1", false);

        p.setRecordTap(null);
        h.vp8(aliceEndpoint, 6, 18000, RtpBuilder.vp8Delta());
        assertEquals(5, tap.queued());
        assertEquals(0, tap.droppedBusy());
    }

    @Test
    void aFullTapDropsAndCountsWhileForwardingGoesOn() {
        Producer p = h.vp8Producer("alice");
        RecordingSender bob = new RecordingSender();
        h.endpoint("bob", bob, 0xB0);
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c1", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        TrackTap tap = new TrackTap(4);
        p.setRecordTap(tap);
        h.vp8(aliceEndpoint, 1, 3000, RtpBuilder.vp8Keyframe());
        for (int i = 2; i <= 10; i++) {
            h.vp8(aliceEndpoint, i, 3000L * i, RtpBuilder.vp8Delta());
        }
        assertEquals(4, tap.queued());
        assertEquals(6, tap.droppedBusy());
        assertEquals(10, bob.rtp.size(), "the subscriber got every packet");
    }
}
