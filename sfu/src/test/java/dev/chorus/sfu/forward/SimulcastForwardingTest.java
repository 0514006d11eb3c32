package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.Vp8Payload;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Simulcast through a router on a fake clock: layer SSRCs learnt from the MID and rid extensions,
 * one layer forwarded per consumer, switches on the target layer's keyframe that keep sequence
 * numbers, timestamps and VP8 picture ids continuous, and NACKs after a switch answered from the
 * layer the packet came from.
 */
class SimulcastForwardingTest {
    private static final int MID = 1;
    private static final int RID = 4;
    private static final int REPAIRED_RID = 5;
    private static final HeaderExtensionIds EXT = HeaderExtensionIds.NONE
            .with(RtpExtension.MID, MID)
            .with(RtpExtension.RTP_STREAM_ID, RID)
            .with(RtpExtension.REPAIRED_RTP_STREAM_ID, REPAIRED_RID);
    private static final String[] RIDS = {"l", "m", "h"};
    /** Layer SSRCs and RTX SSRCs as the publisher picks them; the SFU is not told. */
    private static final long[] SSRC = {0x5000_0001L, 0x5000_0002L, 0x5000_0003L};

    private static final long[] RTX_SSRC = {0x6000_0001L, 0x6000_0002L, 0x6000_0003L};
    /** Each layer's own RTP timestamp base: the layers share a capture clock, not a numbering. */
    private static final long[] TS_BASE = {1_000, 500_000, 90_000_000};

    private static final long BOB_SSRC = 0xB1;
    private static final long BOB_RTX_SSRC = 0xB2;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(10)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);
    private final Producer producer = h.router.addProducer(
            "alice",
            ProducerParams.simulcast("video-1", Codec.VP8, 96, EXT, "0", List.of(RIDS))
                    .withRtxPayloadType(97));

    private final int[] seq = {100, 20_000, 65_530};
    private final int[] pictureId = {7, 3_000, 32_760};
    private final int[] tl0 = {1, 100, 250};
    private int frame;
    /** False: VP8 without temporal layers (no TL0PICIDX, no TID), as Firefox sends its simulcast. */
    private boolean temporalLayers = true;

    private Consumer bobConsumer() {
        return h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("c-bob", BOB_SSRC, 100, HeaderExtensionIds.NONE, 1000)
                        .withRtx(BOB_RTX_SSRC, 101)
                        .withTimestampOffset(0));
    }

    /** One one-packet frame on {@code layer} (all three layers share the frame's capture instant). */
    private void frame(int layer, boolean key, boolean withRid) {
        byte[] payload = vp8(key, pictureId[layer], temporalLayers ? tl0[layer] : -1, layer);
        RtpBuilder b = RtpBuilder.rtp(SSRC[layer], seq[layer], TS_BASE[layer] + 3000L * frame)
                .pt(96)
                .payload(payload);
        if (withRid) {
            b.ext(MID, (byte) '0').ext(RID, RIDS[layer].getBytes(StandardCharsets.US_ASCII));
        }
        h.rtp(aliceEndpoint, b.build());
        seq[layer] = (seq[layer] + 1) & 0xFFFF;
        pictureId[layer] = (pictureId[layer] + 1) & 0x7FFF;
        tl0[layer] = (tl0[layer] + 1) & 0xFF;
    }

    /** The same frame on every layer, then the clock moves one frame (33 ms). */
    private void frameOnAllLayers(boolean key, int keyLayer) {
        for (int layer = 0; layer < 3; layer++) {
            frame(layer, key && (keyLayer < 0 || keyLayer == layer), frame == 0);
        }
        frame++;
        h.advanceMillis(33);
    }

    /**
     * A VP8 payload: descriptor with X, S, a 15-bit picture id, TL0PICIDX and TID 0, then a key or
     * inter frame header; the last byte names the layer so the test can tell what was forwarded.
     */
    private static byte[] vp8(boolean key, int pic, int tl0, int layer) {
        byte[] d = tl0 < 0
                ? new byte[] {
                    (byte) 0x90, // X=1, S=1, PID=0
                    (byte) 0x80, // I=1 only: no temporal layers
                    (byte) (0x80 | (pic >>> 8)),
                    (byte) pic,
                }
                : new byte[] {
                    (byte) 0x90, // X=1, S=1, PID=0
                    (byte) 0xE0, // I=1, L=1, T=1
                    (byte) (0x80 | (pic >>> 8)), // M=1, picture id high bits
                    (byte) pic,
                    (byte) tl0,
                    (byte) 0x20, // TID=0, Y=1
                };
        int w = 320 << layer; // 320x180, 640x360, 1280x720
        int h = 180 << layer;
        byte[] header = key
                ? new byte[] {
                    0x50,
                    0x02,
                    0x00,
                    (byte) 0x9D,
                    0x01,
                    0x2A,
                    (byte) w,
                    (byte) (w >> 8),
                    (byte) h,
                    (byte) (h >> 8),
                    7,
                    7
                }
                : new byte[] {0x51, 0x02, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 8, 8};
        byte[] out = new byte[d.length + header.length + 1];
        System.arraycopy(d, 0, out, 0, d.length);
        System.arraycopy(header, 0, out, d.length, header.length);
        out[out.length - 1] = (byte) layer;
        return out;
    }

    private static int layerOf(RtpPacket p) {
        return p.buffer()[p.payloadOffset() + p.payloadLength() - 1];
    }

    private static int pictureIdOf(RtpPacket p) {
        return Vp8Payload.pictureId(p.buffer(), p.payloadOffset(), p.payloadLength());
    }

    private static int tl0Of(RtpPacket p) {
        return Vp8Payload.tl0PicIdx(p.buffer(), p.payloadOffset(), p.payloadLength());
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

    @Test
    void aRecordingTakesTheHighestLayerThatArrivesAndAsksItForAKeyframe() {
        dev.chorus.sfu.record.TrackTap tap = new dev.chorus.sfu.record.TrackTap(256);
        producer.setRecordTap(tap);
        for (int i = 0; i < 30; i++) { // one second of the two lower layers: the top one never comes
            frame(0, i == 0, i == 0);
            frame(1, i == 0, i == 0);
            frame++;
            h.advanceMillis(33);
        }
        // Nothing until the layers settle (0.5 s), then a switch to layer 1 and its frames from the next check on.
        assertTrue(tap.queued() >= 10 && tap.queued() <= 16, "queued: " + tap.queued());
        assertEquals(1, producer.keyframeRequests(KeyframeRequestKind.RECORDING));
        assertTrue(Rtcp.countPlis(alice.rtcp, SSRC[1]) >= 1, "the recorded layer is asked for a keyframe");
        assertEquals(3, producer.params().encodings().size());
        assertEquals(0, tap.droppedBusy());
    }

    @Test
    void layerSsrcsAreLearntFromMidAndRidAndUnknownOnesAreCounted() {
        frameOnAllLayers(true, -1);
        JsonNode streams = producer.toJson().get("streams");
        for (int layer = 0; layer < 3; layer++) {
            assertEquals(RIDS[layer], streams.get(layer).get("rid").asText());
            assertEquals(SSRC[layer], streams.get(layer).get("ssrc").asLong());
            assertEquals(1, streams.get(layer).get("receive").get("packets").asLong());
        }
        // Later packets need no rid: the SSRC is known.
        frameOnAllLayers(false, -1);
        assertEquals(2, producer.packetsReceived(2));

        // RTX of the middle layer names it by repaired rid.
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(RTX_SSRC[1], 9, TS_BASE[1])
                        .pt(97)
                        .ext(MID, (byte) '0')
                        .ext(REPAIRED_RID, (byte) 'm')
                        .payload(new byte[] {(byte) (20_000 >>> 8), (byte) 20_000, 0x00, 1, 2, 3})
                        .build());
        assertEquals(
                RTX_SSRC[1],
                producer.toJson().get("streams").get(1).get("rtxSsrc").asLong());
        assertEquals(1, producer.rtxReceived());

        // A rid nobody announced, a mid of another line, and a second SSRC for a known rid.
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x7777, 1, 0)
                        .pt(96)
                        .ext(MID, (byte) '0')
                        .ext(RID, (byte) 'x')
                        .payload(vp8(true, 1, 1, 0))
                        .build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x7778, 1, 0)
                        .pt(96)
                        .ext(MID, (byte) '5')
                        .ext(RID, (byte) 'l')
                        .payload(vp8(true, 1, 1, 0))
                        .build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x7779, 1, 0)
                        .pt(96)
                        .ext(MID, (byte) '0')
                        .ext(RID, (byte) 'l')
                        .payload(vp8(true, 1, 1, 0))
                        .build());
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(0x777A, 1, 0).pt(96).payload(vp8(true, 1, 1, 0)).build());
        JsonNode learning = aliceEndpoint.toJson().get("ssrcLearning");
        assertEquals(4, learning.get("learnt").asLong(), "three layers and one RTX stream");
        assertEquals(3, learning.get("unknownMidOrRid").asLong());
        assertEquals(1, learning.get("unknownWithoutMid").asLong());
        assertEquals(1, learning.get("conflicts").asLong());
        assertEquals(4, aliceEndpoint.drops().get(DropReason.UNKNOWN_SSRC));
    }

    @Test
    void aConsumerForwardsOnlyItsTargetLayerAndSwitchesSeamlesslyOnThatLayersKeyframe() {
        Consumer c = bobConsumer();
        assertEquals(2, c.targetLayer(), "the top layer until told otherwise");
        frameOnAllLayers(true, -1);
        for (int i = 0; i < 4; i++) {
            frameOnAllLayers(false, -1);
        }
        List<RtpPacket> sent = bobMedia();
        assertEquals(5, sent.size());
        sent.forEach(p -> assertEquals(2, layerOf(p)));
        RtpPacket lastHigh = sent.get(4);

        alice.rtp.clear();
        alice.rtcp.clear();
        h.router.setPreferredLayer("c-bob", 0);
        assertEquals(0, c.targetLayer());
        assertEquals(1, Rtcp.countPlis(alice.rtcp, SSRC[0]), "a keyframe is asked of the target layer");
        assertEquals(0, Rtcp.countPlis(alice.rtcp, SSRC[2]));

        frameOnAllLayers(false, -1); // no keyframe on layer 0 yet: layer 2 goes on
        assertEquals(2, layerOf(bobMedia().get(5)));
        frameOnAllLayers(true, 0); // layer 0's keyframe: the switch
        frameOnAllLayers(false, -1);
        List<RtpPacket> after = bobMedia();
        assertEquals(8, after.size());
        RtpPacket beforeSwitch = after.get(5);
        RtpPacket first = after.get(6);
        RtpPacket second = after.get(7);
        assertEquals(0, layerOf(first));
        assertEquals(0, layerOf(second));
        assertEquals(2, beforeSwitch.ssrc() == BOB_SSRC ? layerOf(beforeSwitch) : -1);
        assertEquals((beforeSwitch.sequenceNumber() + 1) & 0xFFFF, first.sequenceNumber(), "no sequence gap");
        assertEquals((first.sequenceNumber() + 1) & 0xFFFF, second.sequenceNumber());
        long step = (first.timestamp() - beforeSwitch.timestamp()) & 0xFFFF_FFFFL;
        assertTrue(step > 0 && step <= 3000 + 90, "timestamp moves on by about one frame: " + step);
        assertEquals(3000, (second.timestamp() - first.timestamp()) & 0xFFFF_FFFFL);
        assertEquals((pictureIdOf(beforeSwitch) + 1) & 0x7FFF, pictureIdOf(first), "picture id continues");
        assertEquals((pictureIdOf(first) + 1) & 0x7FFF, pictureIdOf(second));
        assertEquals((tl0Of(beforeSwitch) + 1) & 0xFF, tl0Of(first), "TL0PICIDX continues");
        assertEquals(BOB_SSRC, first.ssrc());
        assertEquals(1, c.layerSwitches());
        assertEquals(0, c.currentLayer());
        assertTrue(pictureIdOf(lastHigh) >= 32_760 || pictureIdOf(lastHigh) < 10, "top layer's ids passed through");
    }

    @Test
    void aLayerStopsAtOnceWhenTheBandwidthCapFallsBelowItUntilTheLowerLayersKeyframe() {
        temporalLayers = false; // the next test has temporal layers
        Consumer c = bobConsumer();
        frameOnAllLayers(true, -1);
        for (int i = 0; i < 4; i++) {
            frameOnAllLayers(false, -1);
        }
        assertEquals(5, bobMedia().size());
        RtpPacket lastHigh = bobMedia().get(4);

        alice.rtcp.clear();
        c.setBandwidthRung(QualityLadder.of(0, TemporalFilter.ALL), h.clock.nowNanos());
        assertEquals(0, c.targetLayer());
        assertEquals(1, Rtcp.countPlis(alice.rtcp, SSRC[0]), "a keyframe is asked of the lower layer");
        for (int i = 0; i < 3; i++) {
            frameOnAllLayers(false, -1); // no keyframe on layer 0 yet: layer 2 is not kept on meanwhile
        }
        assertEquals(5, bobMedia().size(), "layer 2's frames stop at once");
        assertEquals(3, h.router.drops().get(DropReason.LAYER_LEFT));

        frameOnAllLayers(true, 0);
        frameOnAllLayers(false, -1);
        List<RtpPacket> after = bobMedia();
        assertEquals(7, after.size());
        assertEquals(0, layerOf(after.get(5)));
        assertEquals(0, layerOf(after.get(6)));
        assertEquals(
                (lastHigh.sequenceNumber() + 1) & 0xFFFF,
                after.get(5).sequenceNumber(),
                "the stopped frames leave no sequence hole");
        assertEquals((pictureIdOf(lastHigh) + 1) & 0x7FFF, pictureIdOf(after.get(5)), "nor a picture id gap");
        assertEquals(1, c.layerSwitches());
    }

    @Test
    void aLayerStoppedOnTheWayDownResumesOnItsOwnKeyframeWhenTheCapLiftsFirst() {
        Consumer c = bobConsumer(); // every frame a TL0 frame with the sync bit: still not a way back
        frameOnAllLayers(true, -1);
        frameOnAllLayers(false, -1);
        c.setBandwidthRung(QualityLadder.of(0, TemporalFilter.ALL), h.clock.nowNanos());
        frameOnAllLayers(false, -1); // stopped
        assertEquals(2, bobMedia().size());

        alice.rtcp.clear();
        h.advanceMillis(20); // past the keyframe request interval
        c.setBandwidthRung(QualityLadder.of(2, TemporalFilter.ALL), h.clock.nowNanos());
        assertEquals(2, c.targetLayer(), "the cap lifted before layer 0's keyframe came");
        frameOnAllLayers(false, -1);
        frameOnAllLayers(false, -1);
        assertEquals(2, bobMedia().size(), "layer 2's decoder lacks the stopped frame: not before a keyframe");
        assertTrue(Rtcp.countPlis(alice.rtcp, SSRC[2]) >= 1, "which is asked for");

        frameOnAllLayers(true, 2);
        frameOnAllLayers(false, -1);
        List<RtpPacket> after = bobMedia();
        assertEquals(4, after.size());
        assertEquals(2, layerOf(after.get(2)));
        assertEquals((after.get(1).sequenceNumber() + 1) & 0xFFFF, after.get(2).sequenceNumber());
        assertEquals(0, c.layerSwitches());
    }

    @Test
    void timestampsFollowTheSenderReportsAcrossASwitch() {
        Consumer c = bobConsumer();
        frameOnAllLayers(true, -1);
        // One capture instant: NTP 1000 s maps to each layer's frame-0 timestamp.
        long ntp = 1000L << 32;
        for (int layer = 0; layer < 3; layer++) {
            h.rtcp(aliceEndpoint, Rtcp.senderReport(SSRC[layer], ntp, TS_BASE[layer], 1, 100));
        }
        frameOnAllLayers(false, -1);
        frameOnAllLayers(false, -1);
        h.advanceMillis(200); // a stall: the wall clock alone would guess a larger step
        h.router.setPreferredLayer("c-bob", 1);
        frameOnAllLayers(true, 1);
        List<RtpPacket> sent = bobMedia();
        RtpPacket before = sent.get(sent.size() - 2);
        RtpPacket first = sent.get(sent.size() - 1);
        assertEquals(1, layerOf(first));
        assertEquals(3000, (first.timestamp() - before.timestamp()) & 0xFFFF_FFFFL, "exactly one frame later");
        assertEquals(1, c.toJson().get("switchesAlignedBySenderReports").asLong());
    }

    @Test
    void aNackAfterASwitchIsAnsweredFromTheLayerThePacketCameFrom() {
        bobConsumer();
        frameOnAllLayers(true, -1);
        frameOnAllLayers(false, -1);
        h.router.setPreferredLayer("c-bob", 0);
        frameOnAllLayers(true, 0);
        frameOnAllLayers(false, -1);
        List<RtpPacket> sent = bobMedia();
        assertEquals(4, sent.size());
        RtpPacket fromTop = sent.get(1);
        RtpPacket fromLow = sent.get(3);
        bob.rtp.clear();

        h.rtcp(bobEndpoint, Rtcp.nack(0xB0, BOB_SSRC, fromTop.sequenceNumber(), fromLow.sequenceNumber()));
        assertEquals(2, bob.rtp.size());
        for (int i = 0; i < 2; i++) {
            RtpPacket rtx = bob.rtpAt(i);
            RtpPacket original = i == 0 ? fromTop : fromLow;
            assertEquals(BOB_RTX_SSRC, rtx.ssrc());
            byte[] b = rtx.buffer();
            int osn = ((b[rtx.payloadOffset()] & 0xFF) << 8) | (b[rtx.payloadOffset() + 1] & 0xFF);
            assertEquals(original.sequenceNumber(), osn);
            assertEquals(original.timestamp(), rtx.timestamp(), "resent with the offsets it was sent with");
            byte[] resent =
                    java.util.Arrays.copyOfRange(b, rtx.payloadOffset() + 2, rtx.payloadOffset() + rtx.payloadLength());
            byte[] first = java.util.Arrays.copyOfRange(
                    original.buffer(), original.payloadOffset(), original.payloadOffset() + original.payloadLength());
            assertArrayEquals(first, resent, "same layer, same rewritten picture id");
        }
    }

    @Test
    void aPlainConsumerOfASimulcastProducerStartsOnItsTargetLayersKeyframe() {
        Consumer c = bobConsumer();
        h.router.setPreferredLayer("c-bob", 1);
        frameOnAllLayers(true, 0); // only layer 0 starts with a keyframe
        frameOnAllLayers(false, -1);
        assertEquals(0, bobMedia().size(), "nothing until the target layer's keyframe");
        assertTrue(c.isWaitingForKeyframe());
        frameOnAllLayers(true, 1);
        assertEquals(1, bobMedia().size());
        assertEquals(1, layerOf(bobMedia().get(0)));
        assertEquals(0, c.layerSwitches(), "starting is not a switch");
    }

    @Test
    void theSizeAVideoIsShownAtPicksTheLowestLayerThatCoversIt() {
        Consumer c = bobConsumer();
        h.router.setViewSize("c-bob", 150, 84);
        assertEquals(2, c.preferredLayer(), "no layer size known yet: the top layer");
        frameOnAllLayers(true, -1);
        assertEquals(0, c.preferredLayer(), "a 150-px tile gets the 320-px layer");
        assertEquals(0, c.targetLayer());
        h.router.setViewSize("c-bob", 400, 225);
        assertEquals(1, c.preferredLayer());
        h.router.setViewSize("c-bob", 1280, 720);
        assertEquals(2, c.preferredLayer());
        h.router.setViewSize("c-bob", 3840, 2160);
        assertEquals(2, c.preferredLayer(), "nothing covers 4K: the top layer");
        h.router.setViewSize("c-bob", 150, 84);
        h.router.setViewSize("c-bob", 0, 0);
        assertEquals(2, c.preferredLayer(), "no size: the top layer again");
        JsonNode streams = producer.toJson().get("streams");
        assertEquals(640, streams.get(1).get("width").asInt());
        assertEquals(360, streams.get(1).get("height").asInt());
    }

    /** The same frame on the first {@code layers} layers only, as a browser whose camera is too small for more. */
    private void frameOnLowLayers(int layers, boolean key) {
        for (int layer = 0; layer < layers; layer++) {
            frame(layer, key, frame == 0);
        }
        frame++;
        h.advanceMillis(33);
    }

    @Test
    void aLayerThePublisherDoesNotSendIsNeverWaitedFor() {
        Consumer c = bobConsumer();
        frameOnLowLayers(2, true);
        assertEquals(2, c.targetLayer(), "at first the top layer may still come");
        for (int i = 0; i < 20; i++) {
            frameOnLowLayers(2, false);
        }
        assertEquals(1, c.targetLayer(), "half a second later it has not: the highest layer that did");
        assertEquals(0, bobMedia().size());
        assertEquals(1, Rtcp.countPlis(alice.rtcp, SSRC[1]), "a keyframe is asked of it");
        frameOnLowLayers(2, true);
        frameOnLowLayers(2, false);
        List<RtpPacket> sent = bobMedia();
        assertEquals(2, sent.size(), "video from its keyframe on");
        sent.forEach(p -> assertEquals(1, layerOf(p)));

        // The top layer starts (its first packet names its rid): the consumer climbs on its keyframe.
        frameOnLowLayers(2, false);
        frame(2, true, true);
        frameOnAllLayers(false, -1);
        assertEquals(2, c.currentLayer());

        // It stops again (the browser is short of CPU): a second later the consumer falls back.
        for (int i = 0; i < 40; i++) {
            frameOnLowLayers(2, i == 35);
        }
        assertEquals(1, c.targetLayer());
        frameOnLowLayers(2, true);
        assertEquals(1, c.currentLayer(), "back on the middle layer at its keyframe");
        assertEquals(1, layerOf(bobMedia().get(bobMedia().size() - 1)));
    }

    @Test
    void layersNoSubscriberWantsArePausedAtThePublisherAndComeBackAtOnce() {
        List<String> told = new ArrayList<>();
        h.router.setListener(new Router.Listener() {
            @Override
            public void onDominantSpeaker(String endpointId) {}

            @Override
            public void onPublisherLayers(String endpointId, String producerId, int layers) {
                told.add(endpointId + "/" + producerId + ":" + layers);
            }
        });
        bobConsumer();
        frameOnAllLayers(true, -1); // the layers' sizes: 320, 640 and 1280 px wide
        h.router.setViewSize("c-bob", 400, 225); // the middle layer covers it
        for (int i = 0; i < 60; i++) { // 2 s: not yet, a want must hold 3 s before a layer goes
            frameOnAllLayers(false, -1);
        }
        assertEquals(List.of(), told);
        for (int i = 0; i < 60; i++) { // the want is seen within a dynacast period, then held 3 s
            frameOnAllLayers(false, -1);
        }
        assertEquals(List.of("alice/video-1:2"), told, "the top layer is wanted by nobody");
        assertEquals(2, producer.toJson().get("layersAskedOfPublisher").asInt());

        h.router.setViewSize("c-bob", 1280, 720);
        for (int i = 0; i < 16; i++) { // one dynacast period
            frameOnAllLayers(false, -1);
        }
        assertEquals(List.of("alice/video-1:2", "alice/video-1:3"), told, "wanted again: back at once");

        h.router.removeConsumer("c-bob");
        for (int i = 0; i < 120; i++) {
            frameOnAllLayers(false, -1);
        }
        assertEquals(
                List.of("alice/video-1:2", "alice/video-1:3", "alice/video-1:1"),
                told,
                "no subscriber: only the lowest layer, for the next one to start on");
    }
}
