package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import org.junit.jupiter.api.Test;

/**
 * Buffers must always find their way back: across consumer churn, pauses, keyframe waits,
 * RTCP in both directions, malformed input and router close. The strict pool throws on any
 * double release, so this also proves nothing is released twice.
 */
class PoolAccountingTest {
    @Test
    void twoHundredCyclesOfConsumerChurnLeaveNothingOutstanding() {
        ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
                .rtcpIntervalMillis(1000)
                .pliMinIntervalMillis(300)
                .cname("sfu")
                .build());
        RecordingSender alice = new RecordingSender();
        Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
        RecordingSender bob = new RecordingSender();
        Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);
        h.vp8Producer("alice");
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, 0x2222, 111, HeaderExtensionIds.NONE));
        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, 1L << 40, 0, 0, 0));
        int seq = 0;
        long sent = 0;
        for (int cycle = 0; cycle < 200; cycle++) {
            String id = "c" + cycle;
            Consumer video = h.router.addConsumer(
                    "bob", "video-1", ConsumerParams.of(id, 0xB100 + cycle, 100, ForwardHarness.PUB_EXT, cycle));
            h.router.addConsumer(
                    "bob", "audio-1", ConsumerParams.of(id + "a", 0xB500 + cycle, 111, HeaderExtensionIds.NONE, cycle));
            for (int i = 0; i < 10; i++) {
                byte[] payload = i == 2 ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
                h.rtp(
                        aliceEndpoint,
                        RtpBuilder.rtp(PUB_SSRC, seq & 0xFFFF, seq * 3000L)
                                .pt(96)
                                .ext(1, (byte) '0')
                                .ext(3, (byte) 0, (byte) i)
                                .payload(payload)
                                .build());
                h.rtp(
                        aliceEndpoint,
                        RtpBuilder.rtp(0x2222, seq & 0xFFFF, seq * 960L).pt(111).build());
                seq++;
                if (i == 5) {
                    video.pause();
                }
                if (i == 7) {
                    video.resume(h.clock.nowNanos());
                }
            }
            h.rtcp(bobEndpoint, Rtcp.pli(0xB0, 0xB100 + cycle));
            h.rtp(aliceEndpoint, new byte[] {1, 2, 3});
            h.advanceMillis(137); // reports and deferred PLIs fire now and then
            h.router.removeConsumer(id);
            h.router.removeConsumer(id + "a");
            sent = bob.rtp.size();
            assertEquals(0, h.pool.outstanding(), "cycle " + cycle);
        }
        assertTrue(sent > 200 * 10, "packets really flowed: " + sent);
        assertTrue(alice.rtcp.size() > 20, "reports and PLIs really went out");
        h.router.close();
        assertEquals(0, h.pool.outstanding());
        assertEquals(0, h.pool.doubleReleases());
    }

    @Test
    void packetsQueuedForAClosedRouterAreReleased() {
        ForwardHarness h = new ForwardHarness();
        Endpoint alice = h.endpoint("alice", new RecordingSender(), 0xA0);
        h.vp8Producer("alice");
        var b = h.pool.acquire();
        b.copyFrom(RtpBuilder.rtp(PUB_SSRC, 1, 0).pt(96).build(), 0, 16);
        h.worker.submitRtp(alice, b);
        h.worker.submit(h.router::close); // already queued behind the packet...
        var late = h.pool.acquire();
        late.copyFrom(RtpBuilder.rtp(PUB_SSRC, 2, 0).pt(96).build(), 0, 16);
        h.worker.submitRtp(alice, late); // ...and one arriving after the close
        h.worker.runUntilIdle();
        assertEquals(0, h.pool.outstanding());
        assertEquals(1, alice.drops().get(dev.chorus.sfu.drop.DropReason.CLOSED));
    }
}
