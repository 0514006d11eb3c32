package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Continuation;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Delta;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Keyframe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ForwardingTest {
    private final ForwardHarness h = new ForwardHarness();
    private final RecordingSender alice = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);

    private static byte[] copyOfPayload(RtpPacket p) {
        return Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
    }

    @Test
    void oneProducerThreeConsumersGetCorrectlyRewrittenPackets() {
        h.vp8Producer("alice");
        RecordingSender bob = new RecordingSender();
        RecordingSender carol = new RecordingSender();
        RecordingSender dave = new RecordingSender();
        h.endpoint("bob", bob, 0xB0);
        h.endpoint("carol", carol, 0xC0);
        h.endpoint("dave", dave, 0xD0);
        // bob: every extension under other ids, his own MID, a timestamp offset.
        h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of(
                                "c-bob",
                                0xB1,
                                100,
                                HeaderExtensionIds.NONE
                                        .with(RtpExtension.MID, 4)
                                        .with(RtpExtension.ABS_SEND_TIME, 5)
                                        .with(RtpExtension.TRANSPORT_CC, 6),
                                100)
                        .withMid("7")
                        .withTimestampOffset(1000));
        // carol: the publisher's ids, sequence about to wrap.
        h.router.addConsumer(
                "carol",
                "video-1",
                ConsumerParams.of("c-carol", 0xC1, 101, ForwardHarness.PUB_EXT, 65534)
                        .withMid("0"));
        // dave: only transport-cc, under the same id; MID and abs-send-time must go.
        h.router.addConsumer(
                "dave",
                "video-1",
                ConsumerParams.of("c-dave", 0xD1, 102, HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, 3), 0)
                        .withTimestampOffset(0xFFFF_FFF0L));

        long[] timestamps = {0xFFFF_FFFEL, 0xFFFF_FFFEL, 3000};
        byte[][] payloads = {vp8Keyframe(), vp8Continuation(), vp8Delta()};
        for (int i = 0; i < 3; i++) {
            h.rtp(
                    aliceEndpoint,
                    RtpBuilder.rtp(PUB_SSRC, 5000 + i, timestamps[i])
                            .pt(PUB_PT)
                            .ext(1, "0".getBytes(StandardCharsets.US_ASCII))
                            .ext(2, (byte) 0x12, (byte) 0x34, (byte) 0x56)
                            .ext(3, (byte) 0x00, (byte) (40 + i))
                            .payload(payloads[i])
                            .build());
        }
        int now = ExtensionRewriter.absSendTime(h.clock.nowNanos());

        assertEquals(3, bob.rtp.size());
        assertEquals(3, carol.rtp.size());
        assertEquals(3, dave.rtp.size());
        for (int i = 0; i < 3; i++) {
            RtpPacket b = bob.rtpAt(i);
            assertEquals(0xB1, b.ssrc());
            assertEquals(100, b.payloadType());
            assertEquals(100 + i, b.sequenceNumber());
            assertEquals((timestamps[i] + 1000) & 0xFFFF_FFFFL, b.timestamp());
            assertEquals(RtpHeaderExtensions.NOT_FOUND, b.findExtension(1), "publisher ids are gone");
            assertEquals(RtpHeaderExtensions.NOT_FOUND, b.findExtension(2));
            assertEquals(RtpHeaderExtensions.NOT_FOUND, b.findExtension(3));
            assertEquals('7', b.buffer()[b.extensionOffset(4)], "MID rewritten to bob's");
            assertEquals(1, b.extensionLength(4));
            assertEquals(
                    now,
                    ((b.buffer()[b.extensionOffset(5)] & 0xFF) << 16)
                            | ((b.buffer()[b.extensionOffset(5) + 1] & 0xFF) << 8)
                            | (b.buffer()[b.extensionOffset(5) + 2] & 0xFF),
                    "abs-send-time is our send time");
            assertEquals(i, b.buffer()[b.extensionOffset(6) + 1], "transport-cc numbered per subscriber transport");
            assertArrayEquals(payloads[i], copyOfPayload(b));

            RtpPacket c = carol.rtpAt(i);
            assertEquals(0xC1, c.ssrc());
            assertEquals(101, c.payloadType());
            assertEquals((65534 + i) & 0xFFFF, c.sequenceNumber());
            assertEquals(timestamps[i], c.timestamp());
            assertEquals('0', c.buffer()[c.extensionOffset(1)]);
            assertEquals(i, c.buffer()[c.extensionOffset(3) + 1]);
            assertArrayEquals(payloads[i], copyOfPayload(c));

            RtpPacket d = dave.rtpAt(i);
            assertEquals(0xD1, d.ssrc());
            assertEquals(102, d.payloadType());
            assertEquals(i, d.sequenceNumber());
            assertEquals((timestamps[i] + 0xFFFF_FFF0L) & 0xFFFF_FFFFL, d.timestamp());
            assertEquals(RtpHeaderExtensions.NOT_FOUND, d.findExtension(1), "MID stripped");
            assertEquals(RtpHeaderExtensions.NOT_FOUND, d.findExtension(2), "abs-send-time stripped");
            assertEquals(i, d.buffer()[d.extensionOffset(3) + 1]);
            assertArrayEquals(payloads[i], copyOfPayload(d));
        }
        assertEquals(0, h.pool.outstanding(), "every buffer went back");
    }

    private Consumer oneVideoSubscriber(RecordingSender bob, int initialSeq) {
        h.vp8Producer("alice");
        h.endpoint("bob", bob, 0xB0);
        return h.router.addConsumer(
                "bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, HeaderExtensionIds.NONE, initialSeq));
    }

    @Test
    void videoConsumerStartsOnKeyframe() {
        RecordingSender bob = new RecordingSender();
        Consumer c = oneVideoSubscriber(bob, 10);
        h.vp8(aliceEndpoint, 1, 0, vp8Delta());
        h.vp8(aliceEndpoint, 2, 0, vp8Continuation());
        assertEquals(0, bob.rtp.size());
        h.vp8(aliceEndpoint, 3, 3000, vp8Keyframe());
        h.vp8(aliceEndpoint, 4, 3000, vp8Continuation());
        assertArrayEquals(new int[] {10, 11}, bob.sequenceNumbers());
        assertEquals(2, c.drops().get(DropReason.WAITING_FOR_KEYFRAME));
    }

    @Test
    void pauseAndResumeKeepSequenceGapFreeAndResumeOnKeyframe() {
        RecordingSender bob = new RecordingSender();
        Consumer c = oneVideoSubscriber(bob, 0);
        h.vp8(aliceEndpoint, 10, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 11, 0, vp8Continuation());
        h.vp8(aliceEndpoint, 12, 3000, vp8Delta());
        h.router.pauseConsumer("c-bob");
        for (int seq = 13; seq <= 20; seq++) {
            h.vp8(aliceEndpoint, seq, 3000L * seq, seq == 15 ? vp8Keyframe() : vp8Delta());
        }
        long plisBefore = h.router.producer("video-1").keyframeRequestsSent();
        h.advanceMillis(400);
        h.router.resumeConsumer("c-bob");
        assertTrue(c.isWaitingForKeyframe());
        assertEquals(plisBefore + 1, h.router.producer("video-1").keyframeRequestsSent(), "resume asks for a keyframe");
        h.vp8(aliceEndpoint, 21, 63000, vp8Delta());
        h.vp8(aliceEndpoint, 22, 66000, vp8Keyframe());
        h.vp8(aliceEndpoint, 23, 66000, vp8Continuation());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, bob.sequenceNumbers(), "no hole where the SFU dropped");
        assertEquals(8, c.drops().get(DropReason.CONSUMER_PAUSED));
        assertEquals(1, c.drops().get(DropReason.WAITING_FOR_KEYFRAME));
        assertEquals(
                9,
                h.router.drops().get(DropReason.CONSUMER_PAUSED)
                        + h.router.drops().get(DropReason.WAITING_FOR_KEYFRAME));
    }

    @Test
    void aProducerPausedByTheServerForwardsNothingAndResumesOnAKeyframe() {
        RecordingSender bob = new RecordingSender();
        Consumer c = oneVideoSubscriber(bob, 0);
        h.vp8(aliceEndpoint, 10, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 11, 3000, vp8Delta());
        h.router.setProducerPaused("video-1", true);
        assertTrue(h.router.producer("video-1").isPaused());
        for (int seq = 12; seq <= 16; seq++) {
            h.vp8(aliceEndpoint, seq, 3000L * seq, seq == 14 ? vp8Keyframe() : vp8Delta());
        }
        assertArrayEquals(new int[] {0, 1}, bob.sequenceNumbers(), "nothing forwarded while paused");
        assertEquals(5, c.drops().get(DropReason.PRODUCER_PAUSED));
        long plisBefore = h.router.producer("video-1").keyframeRequestsSent();
        h.advanceMillis(400);
        h.router.setProducerPaused("video-1", false);
        assertTrue(c.isWaitingForKeyframe());
        assertEquals(plisBefore + 1, h.router.producer("video-1").keyframeRequestsSent(), "resume asks for a keyframe");
        h.vp8(aliceEndpoint, 17, 51000, vp8Delta());
        h.vp8(aliceEndpoint, 18, 54000, vp8Keyframe());
        assertArrayEquals(new int[] {0, 1, 2}, bob.sequenceNumbers(), "no hole where the SFU dropped");
        assertEquals(1, c.drops().get(DropReason.WAITING_FOR_KEYFRAME));
    }

    @Test
    void publisherLossGapIsKeptSoTheSubscriberCanNack() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 500);
        h.vp8(aliceEndpoint, 10, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 11, 0, vp8Continuation());
        h.vp8(aliceEndpoint, 13, 3000, vp8Delta()); // 12 lost upstream
        h.vp8(aliceEndpoint, 14, 6000, vp8Delta());
        h.vp8(aliceEndpoint, 12, 0, vp8Continuation()); // ...and arrives late
        assertArrayEquals(new int[] {500, 501, 503, 504, 502}, bob.sequenceNumbers());
    }

    @Test
    void lossGapSurvivesAPauseAndLatePacketsUseTheOffsetOfTheirTime() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 0);
        h.vp8(aliceEndpoint, 10, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 12, 3000, vp8Delta()); // 11 lost upstream, for now
        h.router.pauseConsumer("c-bob");
        h.vp8(aliceEndpoint, 13, 6000, vp8Delta());
        h.vp8(aliceEndpoint, 14, 9000, vp8Delta());
        h.router.resumeConsumer("c-bob");
        h.vp8(aliceEndpoint, 15, 12000, vp8Keyframe());
        h.vp8(aliceEndpoint, 17, 15000, vp8Delta()); // 16 lost upstream
        h.vp8(aliceEndpoint, 11, 0, vp8Continuation()); // late: before the pause
        h.vp8(aliceEndpoint, 16, 12000, vp8Continuation()); // late: after the resume
        h.vp8(aliceEndpoint, 13, 6000, vp8Delta()); // late duplicate of one we skipped
        assertArrayEquals(new int[] {0, 2, 3, 5, 1, 4}, bob.sequenceNumbers());
        assertEquals(
                1,
                h.router.producer("video-1").drops().get(DropReason.DUPLICATE),
                "the producer still holds 13 in its retransmission buffer: a second copy is a duplicate");
        assertEquals(0, h.router.consumer("c-bob").drops().get(DropReason.TOO_LATE_TO_MAP));
    }

    @Test
    void sequenceWrapsAcross65535() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 65533);
        h.vp8(aliceEndpoint, 65534, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 65535, 0, vp8Continuation());
        h.router.pauseConsumer("c-bob");
        h.vp8(aliceEndpoint, 0, 3000, vp8Delta()); // dropped across the input wrap
        h.vp8(aliceEndpoint, 1, 6000, vp8Delta());
        h.router.resumeConsumer("c-bob");
        h.vp8(aliceEndpoint, 2, 9000, vp8Keyframe());
        h.vp8(aliceEndpoint, 3, 9000, vp8Continuation());
        h.vp8(aliceEndpoint, 5, 12000, vp8Delta()); // 4 lost upstream
        assertArrayEquals(new int[] {65533, 65534, 65535, 0, 2}, bob.sequenceNumbers());
        assertEquals(
                65536 + 5,
                h.router
                        .producer("video-1")
                        .toJson()
                        .get("receive")
                        .get("highestExtendedSeq")
                        .asLong());
    }

    @Test
    void unknownSsrcAndMalformedPacketsAreCountedNotThrown() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 0);
        h.rtp(aliceEndpoint, new byte[] {0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}); // version 1
        h.rtp(aliceEndpoint, new byte[] {(byte) 0x80, 96, 0}); // too short
        h.rtp(aliceEndpoint, new byte[] {(byte) 0x9F, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}); // 15 CSRCs missing
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x9999, 1, 0).pt(PUB_PT).payload(vp8Keyframe()).build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, 1, 0).pt(111).payload(vp8Keyframe()).build());
        h.rtcp(aliceEndpoint, new byte[] {(byte) 0x80, (byte) 200, 0, 40}); // length runs past the end
        assertEquals(0, bob.rtp.size());
        assertEquals(3, aliceEndpoint.drops().get(DropReason.MALFORMED_RTP));
        assertEquals(1, aliceEndpoint.drops().get(DropReason.UNKNOWN_SSRC));
        assertEquals(1, aliceEndpoint.drops().get(DropReason.MALFORMED_RTCP));
        assertEquals(1, h.router.producer("video-1").drops().get(DropReason.UNKNOWN_PAYLOAD_TYPE));
        assertEquals(3, h.router.drops().get(DropReason.MALFORMED_RTP), "rolled up to the router");
        assertEquals(1, h.worker.drops().get(DropReason.UNKNOWN_SSRC), "and to the worker");
        assertEquals(0, h.pool.outstanding());
    }

    @Test
    void paddingOnlyProbesAreNotForwardedAndLeaveNoHole() {
        RecordingSender bob = new RecordingSender();
        Consumer c = oneVideoSubscriber(bob, 0);
        h.vp8(aliceEndpoint, 1, 0, vp8Keyframe());
        h.vp8(aliceEndpoint, 2, 0, new byte[0]);
        h.vp8(aliceEndpoint, 3, 3000, vp8Delta());
        assertArrayEquals(new int[] {0, 1}, bob.sequenceNumbers());
        assertEquals(1, c.drops().get(DropReason.PADDING_ONLY));
    }

    @Test
    void removingAProducerRemovesItsConsumersAndLaterPacketsAreUnknown() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 0);
        h.router.removeProducer("video-1");
        h.vp8(aliceEndpoint, 1, 0, vp8Keyframe());
        assertEquals(0, bob.rtp.size());
        assertEquals(1, aliceEndpoint.drops().get(DropReason.UNKNOWN_SSRC));
        assertFalse(h.router.toJson().get("consumers").elements().hasNext());
    }

    @Test
    void everyObjectDumpsItsStateAsJson() {
        RecordingSender bob = new RecordingSender();
        oneVideoSubscriber(bob, 0);
        h.vp8(aliceEndpoint, 1, 0, vp8Delta());
        h.vp8(aliceEndpoint, 2, 0, vp8Keyframe());
        JsonNode json = h.router.toJson();
        assertEquals("room-1", json.get("id").asText());
        JsonNode producer = json.get("producers").get(0);
        assertEquals(PUB_SSRC, producer.get("ssrc").asLong());
        assertEquals(2, producer.get("receive").get("packets").asLong());
        assertEquals(1, producer.get("keyframesSeen").asLong());
        JsonNode consumer = json.get("consumers").get(0);
        assertEquals(0xB1, consumer.get("ssrc").asLong());
        assertEquals(1, consumer.get("packetsSent").asLong());
        assertEquals(1, consumer.get("drops").get("WAITING_FOR_KEYFRAME").asLong());
        assertEquals(1, json.get("drops").get("WAITING_FOR_KEYFRAME").asLong());
        assertEquals("alice", json.get("endpoints").get(0).get("id").asText());
        assertEquals(0, h.worker.toJson().get("pool").get("outstanding").asLong());
    }
}
