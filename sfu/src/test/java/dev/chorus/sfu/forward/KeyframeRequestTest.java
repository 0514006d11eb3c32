package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.PliView;
import dev.chorus.sfu.rtcp.RtcpValidity;
import org.junit.jupiter.api.Test;

class KeyframeRequestTest {
    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(300)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);

    private int plisToAlice() {
        return Rtcp.countPlis(alice.rtcp, PUB_SSRC);
    }

    @Test
    void newVideoConsumerRequestsAKeyframeAtOnce() {
        h.vp8Producer("alice");
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c1", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        assertEquals(1, plisToAlice(), "sent without waiting for any timer");
        PliView pli = new PliView();
        byte[] sent = alice.rtcp.get(0);
        assertEquals(RtcpValidity.OK, pli.wrap(sent, 0, sent.length));
        assertEquals(0xA0, pli.senderSsrc(), "sent with the SSRC the SFU uses towards alice");
        assertEquals(PUB_SSRC, pli.mediaSsrc());
    }

    @Test
    void aPathChangeAsksForKeyframesOfWhatTheParticipantReceivesAndOfWhatItPublishes() {
        h.vp8Producer("alice");
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c1", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        assertEquals(1, plisToAlice(), "the new subscription's own request");

        h.advanceMillis(1000);
        h.router.pathChanged("bob"); // bob's ICE restart: what was in flight to bob is lost
        assertEquals(2, plisToAlice(), "bob's video restarts on a keyframe at once");
        h.advanceMillis(1000);
        h.router.pathChanged("alice"); // alice's path: what she sent in flight is lost for every subscriber
        assertEquals(3, plisToAlice());
        h.router.pathChanged("nobody"); // an endpoint already gone: nothing
        assertEquals(2, h.router.producer("video-1").keyframeRequests(KeyframeRequestKind.PATH_CHANGED));
    }

    @Test
    void audioConsumerDoesNotRequestKeyframes() {
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, 0x2222, 111, HeaderExtensionIds.NONE));
        Consumer c =
                h.router.addConsumer("bob", "audio-1", ConsumerParams.of("c1", 0xB1, 111, HeaderExtensionIds.NONE, 0));
        h.rtcp(bobEndpoint, Rtcp.pli(0xB2, 0xB1));
        assertEquals(0, alice.rtcp.size());
        h.rtp(aliceEndpoint, RtpBuilder.rtp(0x2222, 1, 960).pt(111).build());
        assertEquals(1, bob.rtp.size(), "audio never waits for a keyframe");
        assertEquals(1, c.packetsSent());
    }

    @Test
    void subscriberPlisAreCoalescedAndRateLimitedPerProducer() {
        h.vp8Producer("alice");
        RecordingSender carol = new RecordingSender();
        Endpoint carolEndpoint = h.endpoint("carol", carol, 0xC0);
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        h.router.addConsumer("carol", "video-1", ConsumerParams.of("c-carol", 0xC1, 100, HeaderExtensionIds.NONE, 0));
        assertEquals(1, plisToAlice(), "two new consumers at the same instant: one PLI");

        h.advanceMillis(50);
        h.rtcp(bobEndpoint, Rtcp.pli(0xB9, 0xB1));
        h.advanceMillis(50);
        h.rtcp(carolEndpoint, Rtcp.fir(0xC9, 0xC1, 1)); // FIR becomes a PLI as well
        h.advanceMillis(100);
        h.rtcp(bobEndpoint, Rtcp.pli(0xB9, 0xB1));
        assertEquals(1, plisToAlice(), "inside the 300 ms window: deferred");
        h.advanceMillis(99);
        assertEquals(1, plisToAlice());
        h.advanceMillis(1); // t = 300 ms
        assertEquals(2, plisToAlice(), "three requests coalesced into one at the window's end");
        h.advanceMillis(1000);
        assertEquals(2, plisToAlice(), "nothing pending, nothing sent");

        h.rtcp(carolEndpoint, Rtcp.pli(0xC9, 0xC1));
        assertEquals(3, plisToAlice(), "outside the window: immediate");
        assertEquals(
                3,
                h.router
                        .producer("video-1")
                        .toJson()
                        .get("keyframeRequests")
                        .get("sent")
                        .asLong());
        // carol's consumer was deferred; the three subscriber requests joined that deferred one.
        assertEquals(
                3,
                h.router
                        .producer("video-1")
                        .toJson()
                        .get("keyframeRequests")
                        .get("coalesced")
                        .asLong());
    }

    @Test
    void feedbackForUnknownSsrcsIsCountedAndIgnored() {
        h.vp8Producer("alice");
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        alice.clear();
        h.advanceMillis(1000);
        h.rtcp(bobEndpoint, Rtcp.pli(0xB9, 0xDEAD));
        h.rtcp(bobEndpoint, Rtcp.fir(0xB9, 0xBEEF, 3));
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, 0xB1)); // NACK for a number never sent: counted, ignored
        h.rtcp(aliceEndpoint, Rtcp.senderReport(0x7777, 1L << 32, 0, 0, 0));
        assertEquals(0, plisToAlice());
        assertEquals(2, bobEndpoint.drops().get(DropReason.UNKNOWN_FEEDBACK_SSRC));
        assertEquals(1, aliceEndpoint.drops().get(DropReason.UNKNOWN_FEEDBACK_SSRC));
        assertEquals(0, bobEndpoint.toJson().get("feedbackNotHandled").asLong());
        assertEquals(1, h.router.consumer("c-bob").nackMisses("unknown"));
        assertEquals(0, h.router.consumer("c-bob").retransmitted());
        assertEquals(0, h.pool.outstanding());
    }

    @Test
    void waitingConsumersGetARetryOnTheReportTick() {
        ForwardHarness fast = new ForwardHarness(RouterConfig.defaults().toBuilder()
                .rtcpIntervalMillis(1000)
                .pliMinIntervalMillis(300)
                .cname("sfu")
                .build());
        RecordingSender pub = new RecordingSender();
        fast.endpoint("alice", pub, 0xA0);
        fast.endpoint("bob", new RecordingSender(), 0xB0);
        fast.vp8Producer("alice");
        fast.router.addConsumer("bob", "video-1", ConsumerParams.of("c", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        assertEquals(1, Rtcp.countPlis(pub.rtcp, PUB_SSRC));
        fast.advanceMillis(1000); // the PLI or its keyframe got lost: ask again
        assertEquals(2, Rtcp.countPlis(pub.rtcp, PUB_SSRC));
    }
}
