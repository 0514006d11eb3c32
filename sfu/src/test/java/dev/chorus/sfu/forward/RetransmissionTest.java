package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Continuation;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Delta;
import static dev.chorus.sfu.forward.RtpBuilder.vp8Keyframe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NACK and RTX end to end through a router on a fake clock: subscribers' NACKs answered from
 * the retransmission buffer (RTX or plain, sequence numbers translated back through the
 * rewriter, rate-limited per packet), publishers' losses NACKed and their RTX unwrapped, and
 * bad feedback counted and ignored.
 */
class RetransmissionTest {
    private static final long PUB_RTX_SSRC = 0x1111_2222L;
    private static final int PUB_RTX_PT = 97;
    private static final long BOB_SSRC = 0xB1;
    private static final long BOB_RTX_SSRC = 0xB2;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(300)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);

    private Producer producerWithRtx() {
        return h.router.addProducer(
                "alice",
                ProducerParams.of("video-1", Codec.VP8, PUB_SSRC, PUB_PT, HeaderExtensionIds.NONE)
                        .withRtx(PUB_RTX_SSRC, PUB_RTX_PT));
    }

    private Consumer bobConsumer(boolean rtx, int initialSeq) {
        ConsumerParams p = ConsumerParams.of("c-bob", BOB_SSRC, 100, HeaderExtensionIds.NONE, initialSeq)
                .withTimestampOffset(500);
        return h.router.addConsumer("bob", "video-1", rtx ? p.withRtx(BOB_RTX_SSRC, 101) : p);
    }

    private static byte[] payload(RtpPacket p) {
        return Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void fromAlice(int seq, long ts, byte[] payload) {
        h.vp8(aliceEndpoint, seq, ts, payload);
    }

    /** An RTX packet from alice carrying original sequence {@code osn}. */
    private void rtxFromAlice(int rtxSeq, int osn, long ts, byte[] payload) {
        byte[] body = concat(new byte[] {(byte) (osn >>> 8), (byte) osn}, payload);
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_RTX_SSRC, rtxSeq, ts)
                        .pt(PUB_RTX_PT)
                        .payload(body)
                        .build());
    }

    @Test
    void subscriberNackIsAnsweredWithRtxWhenNegotiated() {
        producerWithRtx();
        Consumer c = bobConsumer(true, 1000);
        fromAlice(10, 9000, vp8Keyframe());
        fromAlice(11, 9000, vp8Continuation());
        fromAlice(12, 12000, vp8Delta());
        assertArrayEquals(new int[] {1000, 1001, 1002}, bob.sequenceNumbers());

        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 1001));
        assertEquals(4, bob.rtp.size());
        RtpPacket rtx = bob.rtpAt(3);
        assertEquals(BOB_RTX_SSRC, rtx.ssrc());
        assertEquals(101, rtx.payloadType());
        assertEquals(1000 ^ 0x8000, rtx.sequenceNumber(), "the RTX stream has its own sequence");
        assertEquals(9500, rtx.timestamp(), "timestamp rewritten as on the first send");
        assertArrayEquals(
                concat(new byte[] {0x03, (byte) 0xE9}, vp8Continuation()),
                payload(rtx),
                "original sequence number 1001, then the original payload");

        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 1001));
        assertEquals(4, bob.rtp.size(), "again within one RTT (default 100 ms): not resent");
        assertEquals(1, c.nackMisses("rateLimited"));
        h.advanceMillis(100);
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 1000, 1001));
        assertEquals(6, bob.rtp.size());
        assertEquals((1000 ^ 0x8000) + 1, bob.rtpAt(4).sequenceNumber());
        assertArrayEquals(concat(new byte[] {0x03, (byte) 0xE8}, vp8Keyframe()), payload(bob.rtpAt(4)));
        assertEquals(3, c.nacksReceived());
        assertEquals(3, c.retransmitted());
        assertEquals(3, c.retransmittedRtx());
        JsonNode json = c.toJson();
        assertEquals(4, json.get("nackedPackets").asLong());
        assertEquals(0, h.pool.outstanding());
    }

    @Test
    void withoutRtxTheSamePacketIsResentAsIs() {
        producerWithRtx();
        Consumer c = bobConsumer(false, 7);
        fromAlice(10, 9000, vp8Keyframe());
        fromAlice(11, 9000, vp8Continuation());
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 8));
        assertEquals(3, bob.rtp.size());
        assertArrayEquals(bob.rtp.get(1), bob.rtp.get(2), "byte for byte the packet sent the first time");
        assertEquals(1, c.retransmitted());
        assertEquals(0, c.retransmittedRtx());
    }

    @Test
    void nackedNumbersAreTranslatedBackAcrossTheSfusOwnDrops() {
        producerWithRtx();
        Consumer c = bobConsumer(false, 0);
        fromAlice(10, 0, vp8Keyframe());
        fromAlice(11, 0, vp8Continuation());
        h.router.pauseConsumer("c-bob");
        fromAlice(12, 3000, vp8Delta());
        fromAlice(13, 6000, vp8Delta());
        h.router.resumeConsumer("c-bob");
        fromAlice(14, 9000, vp8Delta()); // dropped: waiting for a keyframe
        fromAlice(15, 12000, vp8Keyframe());
        fromAlice(16, 12000, vp8Continuation());
        assertArrayEquals(new int[] {0, 1, 2, 3}, bob.sequenceNumbers());
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 1, 2));
        assertEquals(6, bob.rtp.size());
        assertEquals(1, bob.rtpAt(4).sequenceNumber());
        assertArrayEquals(vp8Continuation(), payload(bob.rtpAt(4)), "out 1 is input 11");
        assertEquals(2, bob.rtpAt(5).sequenceNumber());
        assertArrayEquals(vp8Keyframe(), payload(bob.rtpAt(5)), "out 2 is input 15, after the skipped 12..14");
        assertEquals(12000 + 500, bob.rtpAt(5).timestamp());
        assertEquals(2, c.retransmitted());
    }

    @Test
    void resendsAreSpacedByTheMeasuredRtt() {
        producerWithRtx();
        Consumer c = bobConsumer(false, 0);
        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, 1L << 40, 0, 0, 0));
        fromAlice(10, 0, vp8Keyframe());
        // An SR goes to bob (sent by hand: this harness's report interval is long); bob's RR
        // echoes it 10 ms later with DLSR = 5 ms, so the RTT is 5 ms.
        assertEquals(-1, bobEndpoint.toJson().get("rttMillis").asDouble());
        bobEndpoint.sendReports(h.clock.nowNanos());
        long ntp = Rtcp.lastSenderReportNtp(bob.rtcp, BOB_SSRC);
        assertTrue(ntp > 0, "an SR was sent to bob");
        h.advanceMillis(10);
        h.rtcp(bobEndpoint, Rtcp.receiverReport(0xB9, BOB_SSRC, (ntp >>> 16) & 0xFFFF_FFFFL, 65536 * 5 / 1000));
        assertEquals(5.0, bobEndpoint.toJson().get("rttMillis").asDouble(), 0.1);
        assertEquals(5_000_000, bobEndpoint.rttNanos(), 100_000);

        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 0));
        h.advanceMillis(4);
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 0));
        assertEquals(1, c.retransmitted(), "within the 5 ms RTT");
        h.advanceMillis(2);
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 0));
        assertEquals(2, c.retransmitted(), "one RTT later");
    }

    @Test
    void nackMissesAreCountedByReasonAndIgnored() {
        producerWithRtx();
        Consumer c = bobConsumer(true, 0);
        fromAlice(10, 0, vp8Keyframe());
        fromAlice(11, 0, vp8Continuation());
        fromAlice(13, 3000, vp8Delta()); // 12 lost upstream: bob has 0, 1, 3
        int sent = bob.rtp.size();
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 2)); // the upstream loss
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 50)); // never sent
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 65535)); // before bob's first packet
        assertEquals(1, c.nackMisses("notInBuffer"));
        assertEquals(1, c.nackMisses("unknown"));
        assertEquals(1, c.nackMisses("tooOld"));
        h.advanceMillis(1001); // older than the buffer's 1 s
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 0));
        assertEquals(2, c.nackMisses("tooOld"));
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, 0xDEAD, 1)); // nobody's SSRC
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_RTX_SSRC, 1)); // about the RTX stream: not a media SSRC
        byte[] noItems = Arrays.copyOf(Rtcp.nack(0xB9, BOB_SSRC, 1), 12);
        noItems[3] = 2; // length field: header + two SSRCs, no FCI
        h.rtcp(bobEndpoint, noItems);
        assertEquals(sent, bob.rtp.size(), "nothing was resent");
        assertEquals(2, bobEndpoint.drops().get(DropReason.UNKNOWN_FEEDBACK_SSRC));
        assertEquals(1, bobEndpoint.drops().get(DropReason.MALFORMED_RTCP));
        assertEquals(0, c.retransmitted());
        assertEquals(0, h.pool.outstanding());
    }

    @Test
    void publisherLossIsNackedAndItsRtxIsUnwrappedAndForwarded() {
        Producer p = producerWithRtx();
        Consumer c = bobConsumer(false, 0);
        fromAlice(10, 0, vp8Keyframe());
        fromAlice(11, 0, vp8Continuation());
        fromAlice(14, 3000, vp8Delta()); // 12 and 13 lost upstream
        assertEquals(List.of(12, 13), Rtcp.nackedSeqs(alice.rtcp, PUB_SSRC), "NACKed at once");
        assertArrayEquals(new int[] {0, 1, 4}, bob.sequenceNumbers());

        rtxFromAlice(500, 12, 0, vp8Continuation());
        assertEquals(4, bob.rtp.size());
        RtpPacket recovered = bob.rtpAt(3);
        assertEquals(2, recovered.sequenceNumber(), "forwarded in the hole it left");
        assertEquals(BOB_SSRC, recovered.ssrc());
        assertEquals(100, recovered.payloadType());
        assertArrayEquals(vp8Continuation(), payload(recovered), "the two OSN bytes are stripped");
        assertEquals(1, p.rtxReceived());
        assertTrue(p.stream(0).retransmissionBuffer().contains(12 + 0), "stored like any packet");

        rtxFromAlice(501, 12, 0, vp8Continuation()); // answered twice
        assertEquals(1, p.drops().get(DropReason.DUPLICATE));
        byte[] padding = RtpBuilder.rtp(PUB_RTX_SSRC, 502, 0)
                .pt(PUB_RTX_PT)
                .payload(new byte[] {0, 0, 0, 4})
                .build();
        padding[0] |= 0x20;
        h.rtp(aliceEndpoint, padding);
        assertEquals(1, p.drops().get(DropReason.RTX_PADDING));
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_RTX_SSRC, 503, 0)
                        .pt(PUB_PT)
                        .payload(vp8Delta())
                        .build());
        assertEquals(1, p.drops().get(DropReason.UNKNOWN_PAYLOAD_TYPE), "media payload type on the RTX SSRC");
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_RTX_SSRC, 504, 0)
                        .pt(PUB_RTX_PT)
                        .payload(new byte[] {1})
                        .build());
        assertEquals(1, p.drops().get(DropReason.MALFORMED_RTP), "one byte cannot hold the OSN");
        assertEquals(4, bob.rtp.size());

        // 13 still missing: retried after the default RTT (100 ms), then recovered on the media SSRC.
        h.advanceMillis(100);
        assertEquals(List.of(12, 13, 13), Rtcp.nackedSeqs(alice.rtcp, PUB_SSRC));
        fromAlice(13, 3000, vp8Continuation());
        JsonNode nack = p.toJson().get("nackToPublisher");
        assertEquals(2, nack.get("recovered").asLong());
        assertEquals(0, nack.get("pending").asLong());
        assertEquals(1, p.toJson().get("rtxRecovered").asLong());
        assertEquals(2, aliceEndpoint.toJson().get("nacksSent").asLong());
        assertArrayEquals(new int[] {0, 1, 4, 2, 3}, bob.sequenceNumbers());
        assertEquals(5, c.packetsSent());
        assertEquals(0, h.pool.outstanding());
    }

    @Test
    void rtxAcrossTheSequenceWrapRestoresTheRightNumber() {
        Producer p = producerWithRtx();
        bobConsumer(false, 100);
        fromAlice(65534, 0, vp8Keyframe());
        fromAlice(1, 3000, vp8Delta()); // 65535 and 0 lost
        assertEquals(List.of(65535, 0), Rtcp.nackedSeqs(alice.rtcp, PUB_SSRC));
        rtxFromAlice(7, 0, 0, vp8Continuation());
        rtxFromAlice(8, 65535, 0, vp8Continuation());
        assertArrayEquals(new int[] {100, 103, 102, 101}, bob.sequenceNumbers());
        assertTrue(p.stream(0).retransmissionBuffer().contains(65536), "RTP seq 0 after the wrap, extended");
        assertEquals(0, p.toJson().get("nackToPublisher").get("pending").asLong());
    }

    @Test
    void unrecoverableUplinkLossAsksForAKeyframe() {
        ForwardHarness g = new ForwardHarness(RouterConfig.defaults().toBuilder()
                .rtcpIntervalMillis(1_000_000)
                .pliMinIntervalMillis(300)
                .cname("sfu")
                .build()
                .withNack(2, 1000)
                .withDefaultRtt(20));
        RecordingSender pub = new RecordingSender();
        Endpoint pubEndpoint = g.endpoint("alice", pub, 0xA0);
        g.endpoint("bob", new RecordingSender(), 0xB0);
        Producer p = g.vp8Producer("alice");
        g.router.addConsumer("bob", "video-1", ConsumerParams.of("c", BOB_SSRC, 100, HeaderExtensionIds.NONE, 0));
        assertEquals(1, Rtcp.countPlis(pub.rtcp, PUB_SSRC), "new subscription");
        g.vp8(pubEndpoint, 10, 0, vp8Keyframe());
        g.vp8(pubEndpoint, 12, 0, vp8Delta());
        g.advanceMillis(20); // second and last NACK
        g.advanceMillis(20); // retries exhausted: give up, ask for a keyframe (deferred to t = 300 ms)
        assertEquals(List.of(11, 11), Rtcp.nackedSeqs(pub.rtcp, PUB_SSRC));
        assertEquals(1, p.keyframeRequests(KeyframeRequestKind.UNRECOVERABLE_LOSS));
        assertEquals(1, Rtcp.countPlis(pub.rtcp, PUB_SSRC));
        g.advanceMillis(260);
        assertEquals(2, Rtcp.countPlis(pub.rtcp, PUB_SSRC));
        assertEquals(1, p.toJson().get("nackToPublisher").get("gaveUpRetries").asLong());
    }

    @Test
    void aKeyframeArrivingAnswersADeferredRequest() {
        h.vp8Producer("alice");
        bobConsumer(false, 0);
        assertEquals(1, Rtcp.countPlis(alice.rtcp, PUB_SSRC));
        h.advanceMillis(50);
        h.rtcp(bobEndpoint, Rtcp.pli(0xB9, BOB_SSRC));
        h.rtcp(bobEndpoint, Rtcp.fir(0xB9, BOB_SSRC, 1));
        h.advanceMillis(50);
        fromAlice(1, 0, vp8Keyframe());
        h.advanceMillis(1000);
        assertEquals(1, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "the keyframe answered the deferred PLI");
        JsonNode kf = h.router.producer("video-1").toJson().get("keyframeRequests");
        assertEquals(1, kf.get("satisfiedByKeyframe").asLong());
        assertEquals(1, kf.get("byKind").get("NEW_SUBSCRIPTION").asLong());
        assertEquals(1, kf.get("byKind").get("SUBSCRIBER_PLI").asLong());
        assertEquals(1, kf.get("byKind").get("SUBSCRIBER_FIR").asLong());
    }
}
