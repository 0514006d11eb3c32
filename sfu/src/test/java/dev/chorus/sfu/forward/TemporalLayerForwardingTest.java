package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VP8 temporal layers dropped per consumer, through a router on the fake clock: the publisher
 * sends Chromium's three-layer pattern (TID 0, 2, 1, 2 per frame; Y on the first TL2 frame after
 * each TL0 and on every other TL1 frame, as an encoder whose TL1 frames may reference the TL1
 * frame before), two packets a frame. Checks what the subscriber gets: only the allowed layers,
 * sequence numbers and picture ids without a gap, TL0PICIDX untouched, switches up only where the
 * decoder can follow, and retransmissions that never carry a dropped frame.
 */
class TemporalLayerForwardingTest {
    private static final long PUB_RTX_SSRC = 0x1111_2222L;
    private static final int PUB_RTX_PT = 97;
    private static final long BOB_SSRC = 0xB1;
    private static final long BOB_RTX_SSRC = 0xB2;
    private static final int[] PATTERN = {0, 2, 1, 2};

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(300)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);

    private int seq = 65_000; // wraps during the longer tests
    private int pictureId = 32_700; // wraps too
    private int tl0 = 250;
    /** Frames since the last keyframe. */
    private int n;

    private long ts = 1_000;

    private Consumer setUp(boolean rtxPublisher) {
        ProducerParams p = ProducerParams.of("video-1", Codec.VP8, PUB_SSRC, PUB_PT, HeaderExtensionIds.NONE);
        h.router.addProducer("alice", rtxPublisher ? p.withRtx(PUB_RTX_SSRC, PUB_RTX_PT) : p);
        return h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("c-bob", BOB_SSRC, 100, HeaderExtensionIds.NONE, 7)
                        .withRtx(BOB_RTX_SSRC, 101)
                        .withTimestampOffset(0));
    }

    private static int tidOf(int frame) {
        return PATTERN[frame % PATTERN.length];
    }

    private static boolean syncOf(int frame) {
        return frame % 4 == 1 || frame % 8 == 2;
    }

    /** The payload of packet {@code part} (0 or 1) of the next frame; {@code layered} false: no TL0PICIDX/TID. */
    private byte[] payload(boolean key, int part, boolean layered) {
        int tid = key ? 0 : tidOf(n);
        boolean sync = key || syncOf(n);
        byte[] d = layered
                ? new byte[] {
                    (byte) (part == 0 ? 0x90 : 0x80),
                    (byte) 0xE0,
                    (byte) (0x80 | (pictureId >>> 8)),
                    (byte) pictureId,
                    (byte) tl0,
                    (byte) ((tid << 6) | (sync ? 0x20 : 0))
                }
                : new byte[] {
                    (byte) (part == 0 ? 0x90 : 0x80), (byte) 0x80, (byte) (0x80 | (pictureId >>> 8)), (byte) pictureId
                };
        byte[] body = part == 0 && key
                ? new byte[] {0x50, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A, 0x40, 0x01, (byte) 0xF0, 0x00, (byte) tid}
                : new byte[] {0x51, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) tid};
        byte[] out = new byte[d.length + body.length];
        System.arraycopy(d, 0, out, 0, d.length);
        System.arraycopy(body, 0, out, d.length, body.length);
        return out;
    }

    /**
     * Sends the next frame (two packets, unless one is in {@code lost}: 0 or 1) and moves the clock a
     * frame on; returns the frame's first sequence number.
     */
    private int frame(boolean key, boolean layered, int... lost) {
        if (key) {
            n = 0;
        }
        if (key || tidOf(n) == 0) {
            tl0 = (tl0 + 1) & 0xFF;
        }
        int first = seq;
        for (int part = 0; part < 2; part++) {
            boolean drop = false;
            for (int l : lost) {
                drop |= l == part;
            }
            if (!drop) {
                RtpBuilder b = RtpBuilder.rtp(PUB_SSRC, seq, ts).pt(PUB_PT).payload(payload(key, part, layered));
                h.rtp(aliceEndpoint, (part == 1 ? b.marker() : b).build());
            }
            seq = (seq + 1) & 0xFFFF;
        }
        pictureId = (pictureId + 1) & 0x7FFF;
        ts += 3000;
        n++;
        h.advanceMillis(33);
        return first;
    }

    private List<RtpPacket> bobMedia() {
        List<RtpPacket> out = new ArrayList<>();
        for (int i = 0; i < bob.rtp.size(); i++) {
            RtpPacket p = bob.rtpAt(i);
            if (p.ssrc() == BOB_SSRC) {
                out.add(p);
            }
        }
        return out;
    }

    private static int tidOf(RtpPacket p) {
        return Vp8Payload.temporalId(p.buffer(), p.payloadOffset(), p.payloadLength());
    }

    private static int pictureIdOf(RtpPacket p) {
        return Vp8Payload.pictureId(p.buffer(), p.payloadOffset(), p.payloadLength());
    }

    /** Sequence numbers step by one; picture ids by one per frame (a new timestamp). */
    private static void assertContinuous(List<RtpPacket> got) {
        for (int i = 1; i < got.size(); i++) {
            RtpPacket a = got.get(i - 1);
            RtpPacket b = got.get(i);
            assertEquals((a.sequenceNumber() + 1) & 0xFFFF, b.sequenceNumber(), "no sequence gap at " + i);
            int step = a.timestamp() == b.timestamp() ? 0 : 1;
            assertEquals((pictureIdOf(a) + step) & 0x7FFF, pictureIdOf(b), "picture ids consecutive at " + i);
        }
    }

    private List<Integer> frameTids(List<RtpPacket> got) {
        List<Integer> tids = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            if (i == 0 || got.get(i).timestamp() != got.get(i - 1).timestamp()) {
                tids.add(tidOf(got.get(i)));
            }
        }
        return tids;
    }

    @Test
    void onlyTheBaseLayerGoesThroughWithoutGapsAndWithConsecutivePictureIds() {
        Consumer c = setUp(false);
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        frame(true, true);
        for (int i = 0; i < 15; i++) {
            frame(false, true);
        }
        List<RtpPacket> got = bobMedia();
        assertEquals(List.of(0, 0, 0, 0), frameTids(got), "frames 0, 4, 8, 12: a quarter of the frame rate");
        assertContinuous(got);
        assertEquals(7, got.get(0).sequenceNumber());
        for (int i = 2; i < got.size(); i += 2) {
            int tl0Before =
                    Vp8Payload.tl0PicIdx(got.get(i - 2).buffer(), got.get(i - 2).payloadOffset(), 6);
            int tl0Now = Vp8Payload.tl0PicIdx(got.get(i).buffer(), got.get(i).payloadOffset(), 6);
            assertEquals((tl0Before + 1) & 0xFF, tl0Now, "TL0PICIDX still counts base frames one by one");
        }
        assertEquals(24, h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED), "12 frames of 2 packets");
        JsonNode t = c.toJson().get("temporal");
        assertEquals(12, t.get("framesDropped").asLong());
        assertEquals(0, t.get("current").asInt());
        assertEquals(0, c.currentTemporalLayer());
    }

    @Test
    void goingUpWaitsForASyncFrameOfTheNextLayerAndGoingDownIsImmediate() {
        Consumer c = setUp(false);
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        frame(true, true);
        for (int i = 0; i < 5; i++) {
            frame(false, true); // frames 1..5
        }
        c.setBandwidthRung(QualityLadder.top(0), h.clock.nowNanos());
        bob.clear();
        for (int i = 0; i < 10; i++) {
            frame(false, true); // frames 6..15
        }
        // 6 TL1 not sync, 7 TL2, 8 TL0, 9 TL2 sync but TL1 is not there yet, 10 TL1 sync, 11 TL2 not
        // sync, 12 TL0, 13 TL2 sync: all layers from here.
        assertEquals(List.of(0, 1, 0, 2, 1, 2), frameTids(bobMedia()));
        JsonNode t = c.toJson().get("temporal");
        assertEquals(2, t.get("switchesUp").asLong(), "T0 to T1, T1 to T2");

        c.setBandwidthRung(QualityLadder.of(0, 1), h.clock.nowNanos());
        bob.clear();
        for (int i = 0; i < 4; i++) {
            frame(false, true); // frames 16..19: 0 2 1 2
        }
        assertEquals(List.of(0, 1), frameTids(bobMedia()), "down at the next frame");
        assertEquals(1, c.currentTemporalLayer());

        bob.clear();
        c.setBandwidthRung(QualityLadder.top(0), h.clock.nowNanos());
        frame(true, true); // a keyframe: every layer may follow at once
        frame(false, true);
        frame(false, true);
        frame(false, true);
        assertEquals(List.of(0, 2, 1, 2), frameTids(bobMedia()));
    }

    @Test
    void theWholeStreamStaysContinuousAcrossSwitches() {
        Consumer c = setUp(false);
        frame(true, true);
        for (int round = 0; round < 12; round++) {
            c.setBandwidthRung(QualityLadder.of(0, round % 3 == 2 ? TemporalFilter.ALL : round % 3), 0);
            for (int i = 0; i < 7; i++) {
                frame(false, true);
            }
        }
        List<RtpPacket> got = bobMedia();
        assertContinuous(got);
        assertTrue(got.size() < 2 * (1 + 12 * 7), "some frames were dropped: " + got.size());
        assertEquals(2 * (1 + 12 * 7) - got.size(), h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED));
    }

    @Test
    void packetsLostUpstreamInsideDroppedFramesLeaveNoHole() {
        Consumer c = setUp(false);
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        frame(true, true);
        frame(false, true, 1); // TL2, its second packet lost: the gap is between packets of dropped frames
        frame(false, true); // TL1
        frame(false, true, 0); // TL2, its first packet lost: between two dropped frames, consecutive ids
        frame(false, true);
        frame(false, true, 0); // TL2 after a TL0 frame: which frame the lost packet was is unknown
        frame(false, true);
        frame(false, true);
        frame(false, true);
        List<RtpPacket> got = bobMedia();
        assertEquals(List.of(0, 0, 0), frameTids(got));
        assertContinuous(got.subList(0, 4));
        assertEquals(
                (got.get(3).sequenceNumber() + 2) & 0xFFFF,
                got.get(4).sequenceNumber(),
                "one hole, where the lost packet could have been the forwarded frame's");
        assertEquals(2, c.toJson().get("temporal").get("gapsHidden").asLong());
    }

    @Test
    void retransmissionsNeverCarryADroppedFrameAndKeepThePictureIdOfTheFirstSend() {
        Consumer c = setUp(true);
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        frame(true, true);
        frame(false, true);
        frame(false, true);
        frame(false, true);
        frame(false, true); // TL0, bob's outgoing 9 and 10
        int lostFirst = seq;
        byte[] lostPayload = payload(false, 0, true);
        long lostTs = ts;
        frame(false, true, 0); // TL2, first packet lost upstream: a hole at bob's 11
        for (int i = 0; i < 6; i++) {
            frame(false, true);
        }
        List<RtpPacket> got = bobMedia();
        assertEquals(10, got.get(3).sequenceNumber());
        assertEquals(12, got.get(4).sequenceNumber());
        int sentBefore = bob.rtp.size();

        // The publisher's RTX brings the lost packet back: it belongs to a dropped frame.
        long dropsBefore = h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED);
        byte[] body = new byte[lostPayload.length + 2];
        BigEndian.put16(body, 0, lostFirst);
        System.arraycopy(lostPayload, 0, body, 2, lostPayload.length);
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_RTX_SSRC, 1, lostTs)
                        .pt(PUB_RTX_PT)
                        .payload(body)
                        .build());
        assertEquals(sentBefore, bob.rtp.size(), "not forwarded");
        assertEquals(dropsBefore + 1, h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED));

        // Bob asks for the hole: not resent. He asks for a TL0 packet: resent with the id it had.
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 11));
        assertEquals(sentBefore, bob.rtp.size());
        assertEquals(1, c.nackMisses("droppedFrame"));
        h.rtcp(bobEndpoint, Rtcp.nack(0xB9, BOB_SSRC, 12));
        assertEquals(sentBefore + 1, bob.rtp.size());
        RtpPacket resent = bob.rtpAt(bob.rtp.size() - 1);
        assertEquals(BOB_RTX_SSRC, resent.ssrc());
        int osn = BigEndian.u16(resent.buffer(), resent.payloadOffset());
        assertEquals(12, osn);
        int resentPictureId =
                Vp8Payload.pictureId(resent.buffer(), resent.payloadOffset() + 2, resent.payloadLength() - 2);
        assertEquals(pictureIdOf(got.get(4)), resentPictureId);
        assertEquals((pictureIdOf(got.get(3)) + 1) & 0x7FFF, resentPictureId);
    }

    @Test
    void aStreamWithoutTemporalLayersPassesWhole() {
        Consumer c = setUp(false);
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        frame(true, false);
        for (int i = 0; i < 7; i++) {
            frame(false, false);
        }
        List<RtpPacket> got = bobMedia();
        assertEquals(16, got.size());
        assertContinuous(got);
        assertEquals(0, h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED));
    }
}
