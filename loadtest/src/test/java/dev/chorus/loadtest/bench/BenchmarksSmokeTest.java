package dev.chorus.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import dev.chorus.sfu.transport.SrtpBuffer;
import dev.chorus.sfu.transport.SrtpImplementation;
import dev.chorus.sfu.transport.SrtpProfile;
import java.util.Arrays;
import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs each benchmark's setup and invocation body directly (no JMH) and checks that it does the
 * work it claims: every subscriber gets every packet, SRTP-protected with its own key and
 * carrying its own SSRC, PT and sequence; the parsers see valid input.
 */
class BenchmarksSmokeTest {
    private static Blackhole blackhole() {
        return new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }

    @Test
    void forwardPathReachesEverySubscriberRewrittenAndProtected() throws Exception {
        for (SrtpImplementation implementation : SrtpImplementation.values()) {
            for (SrtpProfile profile : SrtpProfile.values()) {
                for (int subscribers : new int[] {1, 10}) {
                    ForwardPathBenchmark b = new ForwardPathBenchmark();
                    b.implementation = implementation;
                    b.profile = profile;
                    b.subscribers = subscribers;
                    b.batch = 8;
                    b.setup();
                    try {
                        // Two batches: sequence numbers and SRTP index must keep advancing across refills.
                        for (int round = 0; round < 2; round++) {
                            b.prepareBatch();
                            for (SubscriberSink s : b.rig.sinks) {
                                s.capture = round == 1;
                            }
                            b.forward(blackhole());
                        }
                        String what = implementation + " " + profile + " x" + subscribers;
                        byte[] expectedPayload = BenchPackets.vp8(
                                ForwardRig.PUBLISHER_SSRC,
                                ForwardRig.PUBLISHER_PT,
                                0,
                                0,
                                false,
                                BenchPackets.PAYLOAD_LENGTH);
                        for (int i = 0; i < subscribers; i++) {
                            SubscriberSink s = b.rig.sinks[i];
                            assertEquals(1 + 2L * b.batch, s.rtpPackets, what + " packets at " + i);
                            assertEquals(0, s.protectFailures, what);
                            assertEquals(ForwardRig.CONSUMER_SSRC_BASE + i, s.lastSsrc, what + " ssrc at " + i);
                            assertEquals(
                                    (1000 * i + 2 * b.batch) & 0xFFFF,
                                    s.lastSequence,
                                    what + " gap-free rewritten sequence at " + i);

                            // The subscriber can decrypt it with its own key: real SRTP, not a copy.
                            byte[] wire = s.lastProtected;
                            assertNotNull(wire);
                            byte[] buf = Arrays.copyOf(wire, wire.length + 64);
                            SrtpBuffer view = new SrtpBuffer().wrap(buf, 0, wire.length);
                            assertEquals(SrtpErrorStatus.OK, b.rig.subscriberClients[i].unprotectRtp(view), what);
                            RtpPacket p = new RtpPacket();
                            assertEquals(RtpValidity.OK, p.wrap(buf, 0, view.getLength()));
                            assertEquals(ForwardRig.CONSUMER_SSRC_BASE + i, p.ssrc());
                            assertEquals(100 + i, p.payloadType());
                            assertEquals(BenchPackets.PAYLOAD_LENGTH, p.payloadLength());
                            int payloadStart = expectedPayload.length - BenchPackets.PAYLOAD_LENGTH;
                            assertArrayEquals(
                                    Arrays.copyOfRange(expectedPayload, payloadStart, expectedPayload.length),
                                    Arrays.copyOfRange(buf, p.payloadOffset(), p.payloadOffset() + p.payloadLength()));
                            long mid = p.findExtension(BenchPackets.MID_ID);
                            assertNotEquals(-1L, mid);
                        }
                        assertEquals(0, b.rig.pool.outstanding(), "every pooled buffer went back");
                    } finally {
                        b.tearDown();
                    }
                }
            }
        }
    }

    @Test
    void av1ForwardingReadsTheDependencyDescriptorAndGivesSmallTilesTheBaseLayer() {
        Av1ForwardBenchmark b = new Av1ForwardBenchmark();
        b.subscribers = 4;
        b.setup();
        try {
            Blackhole bh = blackhole();
            for (int k = 0; k < 24; k++) { // four pictures of three spatial layers, two packets each
                b.forward(bh);
            }
            for (int i = 0; i < 4; i++) {
                SubscriberSink s = b.rig.sinks[i];
                // Spatial layer 0 of the key frame and of the four pictures (2 + 8 packets), or all (6 + 24).
                assertEquals(i % 2 == 0 ? 2 + 8 : 6 + 24, s.rtpPackets, "subscriber " + i);
                assertEquals(1000 * i + s.rtpPackets - 1, s.lastSequence, "no gap in subscriber " + i + "'s sequence");
            }
            assertEquals(0, b.rig.router.drops().get(dev.chorus.sfu.drop.DropReason.MALFORMED_DEPENDENCY_DESCRIPTOR));
            assertEquals(0, b.rig.router.drops().get(dev.chorus.sfu.drop.DropReason.UNKNOWN_DEPENDENCY_TEMPLATE));
            assertEquals(0, b.rig.pool.outstanding());
        } finally {
            b.tearDown();
        }
    }

    @Test
    void svcForwardingGivesSmallTilesTheBaseLayerAndTheOthersEveryLayer() {
        SvcForwardBenchmark b = new SvcForwardBenchmark();
        b.subscribers = 4;
        b.setup();
        try {
            Blackhole bh = blackhole();
            for (int k = 0; k < 24; k++) { // four pictures of three spatial layers, two packets each
                b.forward(bh);
            }
            for (int i = 0; i < 4; i++) {
                SubscriberSink s = b.rig.sinks[i];
                // SID 0 of the keyframe and of the four pictures (2 + 8 packets), or all of them (6 + 24).
                assertEquals(i % 2 == 0 ? 2 + 8 : 6 + 24, s.rtpPackets, "subscriber " + i);
                assertEquals(1000 * i + s.rtpPackets - 1, s.lastSequence, "no gap in subscriber " + i + "'s sequence");
            }
            assertEquals(0, b.rig.pool.outstanding());
        } finally {
            b.tearDown();
        }
    }

    @Test
    void forwardPathWithoutSrtpReachesEverySubscriberRewritten() {
        ForwardPathNoSrtpBenchmark b = new ForwardPathNoSrtpBenchmark();
        b.subscribers = 10;
        b.setup();
        try {
            Blackhole bh = blackhole();
            for (int k = 0; k < 5; k++) {
                b.forward(bh);
            }
            for (int i = 0; i < 10; i++) {
                SubscriberSink s = b.rig.sinks[i];
                assertEquals(6, s.rtpPackets);
                assertEquals(ForwardRig.CONSUMER_SSRC_BASE + i, s.lastSsrc);
                assertEquals(1000 * i + 5, s.lastSequence);
            }
            assertEquals(0, b.rig.pool.outstanding());
        } finally {
            b.tearDown();
        }
    }

    @Test
    void audioRedForwardingWritesWhatEachSubscriberNegotiated() {
        // mode -> {subscriber payload type, payload length of the third packet}
        java.util.Map<String, int[]> expected = java.util.Map.of(
                "opus-opus", new int[] {ForwardRig.SUBSCRIBER_OPUS_PT, BenchPackets.OPUS_FRAME_LENGTH},
                "red-opus", new int[] {ForwardRig.SUBSCRIBER_OPUS_PT, BenchPackets.OPUS_FRAME_LENGTH},
                // Two earlier frames (4-byte headers) and the primary (1-byte header).
                "red-red", new int[] {ForwardRig.SUBSCRIBER_RED_PT, 2 * 4 + 1 + 3 * BenchPackets.OPUS_FRAME_LENGTH},
                "opus-red", new int[] {ForwardRig.SUBSCRIBER_RED_PT, 2 * 4 + 1 + 3 * BenchPackets.OPUS_FRAME_LENGTH});
        for (var e : expected.entrySet()) {
            AudioRedForwardBenchmark b = new AudioRedForwardBenchmark();
            b.mode = e.getKey();
            b.subscribers = 10;
            b.setup();
            try {
                for (SubscriberSink s : b.rig.sinks) {
                    s.capture = true;
                }
                for (int i = 0; i < 3; i++) {
                    b.forward(blackhole());
                }
                for (SubscriberSink s : b.rig.sinks) {
                    assertEquals(3, s.rtpPackets, e.getKey());
                    RtpPacket p = new RtpPacket();
                    assertEquals(RtpValidity.OK, p.wrap(s.lastProtected, 0, s.lastProtected.length), e.getKey());
                    assertEquals(e.getValue()[0], p.payloadType(), e.getKey());
                    assertEquals(e.getValue()[1], p.payloadLength(), e.getKey());
                }
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void srtpProtectProtects() throws Exception {
        for (String backend : new String[] {"chorus", "fastest"}) {
            for (SrtpProfile profile : SrtpProfile.values()) {
                SrtpProtectBenchmark b = new SrtpProtectBenchmark();
                b.profile = profile;
                b.backend = backend; // for jitsi, its own choice: forcing one would change it for the whole JVM
                b.setup();
                try {
                    assertNotEquals(-1, b.protect());
                    assertEquals(b.plain.length + profile.tagLength, b.view.getLength(), profile.name());
                } finally {
                    b.tearDown();
                }
            }
        }
    }

    @Test
    void rtpParserReadsTheBenchmarkPacket() {
        RtpParseBenchmark b = new RtpParseBenchmark();
        b.setup();
        long acc = b.wrapReadHeaderFindExtension();
        assertNotEquals(-1L, acc);
        assertTrue(b.packet.isValid());
        assertEquals(4711, b.packet.sequenceNumber());
        long ref = b.packet.findExtension(BenchPackets.TRANSPORT_CC_ID);
        assertNotEquals(-1L, ref);
        assertEquals(2, RtpHeaderExtensions.lengthOf(ref));
        assertEquals(1, BigEndian.u16(b.buffer, RtpHeaderExtensions.offsetOf(ref)), "transport-cc value");
    }

    @Test
    void rtcpParserWalksEveryPacketOfEachCompound() {
        int[] expectedPackets = {2, 2, 1};
        for (RtcpParseBenchmark.Compound c : RtcpParseBenchmark.Compound.values()) {
            RtcpParseBenchmark b = new RtcpParseBenchmark();
            b.compound = c;
            b.setup();
            b.parseCompound();
            assertEquals(RtcpValidity.OK, b.reader.error(), c + " parsed cleanly");
            assertEquals(expectedPackets[c.ordinal()], b.reader.packetsRead(), c.name());
            switch (c) {
                case SR_SDES -> {
                    assertTrue(b.sr.isValid());
                    assertTrue(b.sdes.isValid());
                }
                case RR_REMB -> {
                    assertTrue(b.rr.isValid());
                    assertTrue(b.remb.isValid());
                    assertEquals(1, b.remb.ssrcCount());
                }
                case TRANSPORT_CC -> {
                    assertTrue(b.tcc.isValid());
                    assertEquals(RtcpParseBenchmark.TCC_PACKETS, b.tcc.packetStatusCount());
                    assertEquals(RtcpParseBenchmark.TCC_PACKETS - 2, b.tcc.receivedCount());
                }
            }
        }
    }
}
