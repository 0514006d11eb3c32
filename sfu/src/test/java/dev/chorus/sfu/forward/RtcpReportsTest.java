package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SdesView;
import dev.chorus.sfu.rtcp.SenderReportView;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpReportsTest {
    private static final long REPORT_INTERVAL_MS = 100_000; // no report fires during a stream
    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(REPORT_INTERVAL_MS)
            .pliMinIntervalMillis(300)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);

    /** Runs the clock to the next report tick and returns what alice got. */
    private void runToReportTick(long elapsedMs) {
        h.advanceMillis(REPORT_INTERVAL_MS - elapsedMs);
    }

    /**
     * A 20 ms-paced stream with seeded random loss and arrival jitter: the RR must carry the
     * loss, the extended highest sequence (across a wrap), and RFC 3550 jitter.
     */
    @Test
    void receiverReportCarriesLossJitterAndHighestSequence() {
        h.vp8Producer("alice");
        Random random = new Random(1234);
        int packets = 1000;
        int firstSeq = 65000;
        long elapsedNanos = 0;
        int lost = 0;
        double referenceJitter = 0;
        boolean haveTransit = false;
        double lastTransit = 0;
        for (int i = 0; i < packets; i++) {
            long sendNanos = i * 20_000_000L;
            long arrivalNanos = sendNanos + random.nextInt(8_000_000); // 0..8 ms of queueing delay
            h.clock.advanceNanos(arrivalNanos - elapsedNanos);
            elapsedNanos = arrivalNanos;
            boolean drop = i > 0 && i < packets - 1 && random.nextInt(100) < 7;
            if (drop) {
                lost++;
                continue;
            }
            long ts = (i * 1800L) & 0xFFFF_FFFFL;
            h.vp8(aliceEndpoint, (firstSeq + i) & 0xFFFF, ts, RtpBuilder.vp8Delta());
            double transit = arrivalNanos * 90_000.0 / 1e9 - i * 1800.0;
            if (haveTransit) {
                referenceJitter += (Math.abs(transit - lastTransit) - referenceJitter) / 16;
            }
            lastTransit = transit;
            haveTransit = true;
        }
        // A publisher SR 500 ms before the report: LSR/DLSR must point at it.
        h.clock.advanceNanos(REPORT_INTERVAL_MS * 1_000_000L - elapsedNanos - 500_000_000L);
        long ntp = (3_900_000_000L << 32) | 0x8000_0000L;
        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, ntp, 123_456, 10, 1000));
        assertEquals(null, Rtcp.find(alice.rtcp, RtcpPacketType.RR), "not yet");
        h.advanceMillis(500);

        int[] where = Rtcp.find(alice.rtcp, RtcpPacketType.RR);
        assertNotNull(where, "an RR went to the publisher");
        byte[] datagram = alice.rtcp.get(where[0]);
        ReceiverReportView rr = new ReceiverReportView();
        assertEquals(RtcpValidity.OK, rr.wrap(datagram, where[1], datagram.length - where[1]));
        assertEquals(0xA0, rr.senderSsrc());
        assertEquals(1, rr.reportCount());
        assertEquals(PUB_SSRC, rr.reportSsrc(0));
        assertEquals(lost, rr.cumulativeLost(0));
        assertEquals((lost * 256) / packets, rr.fractionLost(0));
        assertEquals(firstSeq + packets - 1, rr.extendedHighestSeq(0), "cycles counted across the wrap");
        assertTrue(
                Math.abs(rr.jitter(0) - referenceJitter) <= 2,
                "jitter " + rr.jitter(0) + " vs reference " + referenceJitter);
        assertTrue(referenceJitter > 20, "the stream really was jittery");
        assertEquals((ntp >>> 16) & 0xFFFF_FFFFL, rr.lastSr(0));
        assertEquals(32768, rr.delaySinceLastSr(0), "500 ms in 1/65536 s");

        // The next interval had no packets and no loss.
        alice.clear();
        h.advanceMillis(REPORT_INTERVAL_MS);
        where = Rtcp.find(alice.rtcp, RtcpPacketType.RR);
        byte[] next = alice.rtcp.get(where[0]);
        rr.wrap(next, where[1], next.length - where[1]);
        assertEquals(0, rr.fractionLost(0));
        assertEquals(lost, rr.cumulativeLost(0));
    }

    @Test
    void receiverReportIsFollowedBySdesWithCname() {
        h.vp8Producer("alice");
        h.vp8(aliceEndpoint, 1, 0, RtpBuilder.vp8Delta());
        runToReportTick(0);
        byte[] d = alice.rtcp.get(alice.rtcp.size() - 1);
        RtcpCompoundReader reader = new RtcpCompoundReader();
        reader.reset(d, 0, d.length);
        assertTrue(reader.next());
        assertEquals(RtcpPacketType.RR, reader.packetType());
        assertTrue(reader.next());
        assertEquals(RtcpPacketType.SDES, reader.packetType());
        SdesView sdes = new SdesView();
        assertEquals(RtcpValidity.OK, sdes.wrap(d, reader.packetOffset(), reader.packetLength()));
    }

    /**
     * The SR a subscriber receives maps NTP to RTP exactly as the publisher's clock does
     * (shifted by the consumer's timestamp offset), and counts what this consumer sent.
     */
    @Test
    void senderReportToSubscriberFollowsThePublishersClockMapping() {
        h.vp8Producer("alice");
        RecordingSender bob = new RecordingSender();
        h.endpoint("bob", bob, 0xB0);
        long offset = 0xFFFF_0000L;
        h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("c-bob", 0xB1, 100, HeaderExtensionIds.NONE, 0)
                        .withTimestampOffset(offset));
        h.vp8(aliceEndpoint, 1, 90_000, RtpBuilder.vp8Keyframe());
        h.vp8(aliceEndpoint, 2, 90_000, RtpBuilder.vp8Continuation());
        h.vp8(aliceEndpoint, 3, 93_000, RtpBuilder.vp8Delta());
        long payloadOctets =
                RtpBuilder.vp8Keyframe().length + RtpBuilder.vp8Continuation().length + RtpBuilder.vp8Delta().length;

        h.advanceMillis(10);
        long publisherNtp = (3_900_000_123L << 32) | 0x4000_0000L;
        long publisherRtp = 0xFFFF_F000L; // wraps while we extrapolate
        h.rtcp(aliceEndpoint, Rtcp.senderReport(PUB_SSRC, publisherNtp, publisherRtp, 3, 999));
        long srArrivalMs = 10;
        runToReportTick(srArrivalMs);
        long elapsedSinceSrNanos = (REPORT_INTERVAL_MS - srArrivalMs) * 1_000_000L;

        int[] where = Rtcp.find(bob.rtcp, RtcpPacketType.SR);
        assertNotNull(where, "bob got an SR");
        byte[] d = bob.rtcp.get(where[0]);
        SenderReportView sr = new SenderReportView();
        assertEquals(RtcpValidity.OK, sr.wrap(d, where[1], d.length - where[1]));
        assertEquals(0xB1, sr.senderSsrc());
        assertEquals(3, sr.packetCount());
        assertEquals(payloadOctets, sr.octetCount());

        // Both clocks advanced by the same elapsed time since the publisher's SR.
        long ntpDelta = sr.ntpTimestamp() - publisherNtp;
        long expectedNtpDelta = (elapsedSinceSrNanos / 1_000_000_000L << 32)
                + ((elapsedSinceSrNanos % 1_000_000_000L) << 32) / 1_000_000_000L;
        assertEquals(expectedNtpDelta, ntpDelta);
        long rtpDelta = (sr.rtpTimestamp() - offset - publisherRtp) & 0xFFFF_FFFFL;
        double ntpSeconds = ntpDelta / 4294967296.0;
        assertTrue(
                Math.abs(rtpDelta - ntpSeconds * 90_000) <= 1,
                "rtp advanced " + rtpDelta + " ticks for " + ntpSeconds + " s");
        RtcpCompoundReader reader = new RtcpCompoundReader();
        reader.reset(d, 0, d.length);
        reader.next();
        assertTrue(reader.next());
        assertEquals(RtcpPacketType.SDES, reader.packetType(), "SR is followed by SDES");
    }

    @Test
    void noSenderReportBeforeThePublisherSentOne() {
        h.vp8Producer("alice");
        RecordingSender bob = new RecordingSender();
        h.endpoint("bob", bob, 0xB0);
        h.router.addConsumer("bob", "video-1", ConsumerParams.of("c-bob", 0xB1, 100, HeaderExtensionIds.NONE, 0));
        h.vp8(aliceEndpoint, 1, 0, RtpBuilder.vp8Keyframe());
        runToReportTick(0);
        assertEquals(null, Rtcp.find(bob.rtcp, RtcpPacketType.SR), "no mapping to report yet");
        assertEquals(0, h.pool.outstanding());
    }
}
