package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_EXT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.cc.SimulatedLink;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.rtcp.TransportCcWriter;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Congestion control through a router on the fake clock: transport-cc feedback and REMB to a
 * publisher, and a subscriber behind a {@link SimulatedLink} whose feedback first pauses its
 * video (audio keeps flowing) and, once the link is freed, lets a padding probe resume it.
 */
class CongestionControlTest {
    private static final long AUDIO_SSRC = 0x2222_2222L;
    private static final int AUDIO_PT = 111;
    private static final long MS = 1_000_000L;
    private static final int TCC = 3;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1000)
            .pliMinIntervalMillis(300)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private int publisherTcc = 100;
    private int videoSeq = 1000;
    private int audioSeq = 2000;

    private byte[] videoPacket(boolean keyframe, int payloadBytes) {
        byte[] head = keyframe ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
        byte[] payload = Arrays.copyOf(head, Math.max(head.length, payloadBytes));
        int tcc = publisherTcc++ & 0xFFFF;
        return RtpBuilder.rtp(PUB_SSRC, videoSeq++ & 0xFFFF, videoSeq * 3000L)
                .pt(PUB_PT)
                .ext(TCC, (byte) (tcc >> 8), (byte) tcc)
                .payload(payload)
                .build();
    }

    private byte[] audioPacket() {
        int tcc = publisherTcc++ & 0xFFFF;
        return RtpBuilder.rtp(AUDIO_SSRC, audioSeq++ & 0xFFFF, audioSeq * 960L)
                .pt(AUDIO_PT)
                .ext(TCC, (byte) (tcc >> 8), (byte) tcc)
                .payload(new byte[100])
                .build();
    }

    @Test
    void publisherGetsTransportCcFeedbackAndRemb() {
        h.vp8Producer("alice");
        int[] seqs = {100, 101, 103, 104};
        for (int s : seqs) {
            publisherTcc = s;
            h.rtp(aliceEndpoint, videoPacket(s == 100, 500));
            h.advanceMillis(5);
        }
        h.advanceMillis(60);
        int[] at = Rtcp.find(alice.rtcp, RtcpPacketType.RTPFB);
        assertNotNull(at, "transport-cc feedback went to the publisher");
        byte[] d = alice.rtcp.get(at[0]);
        TransportCcView view = new TransportCcView();
        assertEquals(RtcpValidity.OK, view.wrap(d, at[1], d.length - at[1]));
        assertEquals(100, view.baseSequenceNumber());
        assertEquals(5, view.packetStatusCount());
        List<String> statuses = new ArrayList<>();
        view.forEachPacket((seq, received, delta) -> statuses.add(seq + (received ? "+" : "-")));
        assertEquals(List.of("100+", "101+", "102-", "103+", "104+"), statuses);

        h.advanceMillis(1000);
        int[] remb = Rtcp.find(alice.rtcp, RtcpPacketType.PSFB);
        assertNotNull(remb, "REMB with the receiver report");
        byte[] r = alice.rtcp.get(remb[0]);
        RtcpCompoundReader reader = new RtcpCompoundReader();
        reader.reset(r, 0, r.length);
        assertTrue(reader.next());
        assertEquals(RtcpPacketType.RR, reader.packetType(), "REMB rides in the RR compound");
        RembView view2 = new RembView();
        assertEquals(RtcpValidity.OK, view2.wrap(r, remb[1], r.length - remb[1]));
        assertEquals(CongestionConfig.defaults().publisherMaxBps(), view2.bitrateBps(), 4_000_000 / 1000.0);
        assertEquals(PUB_SSRC, view2.ssrc(0));
    }

    /** What bob's browser would do: note arrivals of our packets and send transport-cc feedback. */
    private final class Receiver {
        final RecordingSender sender = new RecordingSender();
        final Endpoint endpoint = h.endpoint("bob", sender, 0xB0);
        SimulatedLink link = new SimulatedLink(42).rate(300_000);
        int consumed;
        int base = -1;
        final List<int[]> arrived = new ArrayList<>();
        final List<Long> arrivalUs = new ArrayList<>();
        final TransportCcWriter writer = new TransportCcWriter();
        int feedbackCount;
        int padding;
        int videoPackets;
        int audioPackets;
        final java.util.Map<Long, Integer> packetsBySsrc = new java.util.HashMap<>();

        void collect() {
            long now = h.clock.nowNanos();
            for (; consumed < sender.rtp.size(); consumed++) {
                RtpPacket p = sender.rtpAt(consumed);
                long ref = p.findExtension(TCC);
                assertTrue(ref != RtpHeaderExtensions.NOT_FOUND, "every packet to bob carries transport-cc");
                int seq = BigEndian.u16(p.buffer(), RtpHeaderExtensions.offsetOf(ref));
                if (base < 0) {
                    base = seq;
                }
                if (p.ssrc() == 0xB2) {
                    assertEquals(0, p.payloadLength(), "probe packets are padding only");
                    padding++;
                } else if (p.ssrc() == 0xB1) {
                    videoPackets++;
                } else if (p.ssrc() == 0xB3) {
                    audioPackets++;
                }
                packetsBySsrc.merge(p.ssrc(), 1, Integer::sum);
                long arrival = link.send(now, p.length());
                if (arrival >= 0) {
                    arrived.add(new int[] {seq});
                    arrivalUs.add(arrival / 1000);
                }
            }
        }

        /** Feedback for what has arrived by now (in sequence order, as a browser reports it). */
        void feedback() {
            long now = h.clock.nowNanos();
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < arrived.size(); i++) {
                if (arrivalUs.get(i) * 1000 <= now) {
                    idx.add(i);
                }
            }
            if (idx.isEmpty()) {
                return;
            }
            idx.sort((x, y) ->
                    Integer.compare((arrived.get(x)[0] - base) & 0xFFFF, (arrived.get(y)[0] - base) & 0xFFFF));
            int[] seqs = new int[idx.size()];
            long[] times = new long[idx.size()];
            for (int k = 0; k < seqs.length; k++) {
                seqs[k] = arrived.get(idx.get(k))[0];
                times[k] = arrivalUs.get(idx.get(k));
            }
            int from = 0;
            while (from < seqs.length) {
                byte[] out = new byte[1200];
                int n = writer.write(
                        out, 0, out.length, 0xB0B0, 0xB1, base, feedbackCount++, seqs, times, from, seqs.length - from);
                assertTrue(n > 0);
                h.rtcp(endpoint, Arrays.copyOf(out, n));
                from += writer.consumed();
                base = writer.nextBaseSequenceNumber();
            }
            for (int k = idx.size() - 1; k >= 0; k--) {
                int i = idx.get(k);
                arrived.remove(i);
                arrivalUs.remove(i);
            }
        }
    }

    /** Bob takes what was sent, reports every 100 ms (at {@code t}), and 10 ms pass. */
    private void tick(Receiver bob, long t) {
        bob.collect();
        if (t % 100 == 0) {
            bob.feedback();
        }
        h.advanceMillis(10);
        bob.collect();
    }

    /** Publisher sends ~1.2 Mbps of video and 40 kbps of audio for {@code millis}; bob reports every 100 ms. */
    private void call(Receiver bob, long millis) {
        for (long t = 0; t < millis; t += 10) {
            boolean keyframe = Rtcp.countPlis(alice.rtcp, PUB_SSRC) > keyframesSent;
            if (keyframe) {
                keyframesSent++;
            }
            h.rtp(aliceEndpoint, videoPacket(keyframe, 1400));
            if (t % 20 == 0) {
                h.rtp(aliceEndpoint, audioPacket());
            }
            tick(bob, t);
        }
    }

    private int keyframesSent;

    @Test
    void aThinLinkPausesVideoButNotAudioAndAProbeResumesItWhenTheLinkIsFreed() {
        h.vp8Producer("alice");
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, AUDIO_SSRC, AUDIO_PT, PUB_EXT));
        Receiver bob = new Receiver();
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        Consumer audio = h.router.addConsumer("bob", "audio-1", ConsumerParams.of("bob-audio", 0xB3, 111, bobExt, 0));

        call(bob, 8_000);
        assertTrue(
                video.isBandwidthPaused(),
                "1.2 Mbps of video cannot fit a 300 kbps link: "
                        + bob.endpoint.toJson().get("congestion"));
        assertTrue(h.router.drops().get(DropReason.BANDWIDTH_PAUSED) > 0);
        int audioBefore = bob.audioPackets;
        int videoBefore = bob.videoPackets;
        call(bob, 2_000);
        assertTrue(bob.audioPackets - audioBefore >= 95, "audio keeps flowing: " + (bob.audioPackets - audioBefore));
        assertEquals(videoBefore, bob.videoPackets, "no video while paused");
        assertFalse(audio.isBandwidthPaused());

        // Probes while the link is still thin fail and back off; video stays off.
        call(bob, 6_000);
        assertTrue(video.isBandwidthPaused());
        assertTrue(bob.padding > 0, "the SFU probed with padding on the RTX stream");

        bob.link = new SimulatedLink(43);
        long resumeRequests = video.producer().keyframeRequests(KeyframeRequestKind.BANDWIDTH_RESUME);
        call(bob, 12_000);
        assertFalse(
                video.isBandwidthPaused(),
                "video is back once a probe finds room: "
                        + bob.endpoint.toJson().get("congestion"));
        assertTrue(
                video.producer().keyframeRequests(KeyframeRequestKind.BANDWIDTH_RESUME) > resumeRequests,
                "the resumed consumer asked for a keyframe");
        int videoAfterResume = bob.videoPackets;
        call(bob, 1_000);
        assertTrue(bob.videoPackets - videoAfterResume >= 90, "video flows again");
    }

    @Test
    void aLossyPathWhoseDelayJumpsKeepsItsOnlyVideo() {
        // LossRecoveryBrowserIT's case: one small video (about 125 kbps, a frame of one packet every 70 ms) on an
        // open path that suddenly gets 60 ms more delay and 5 % random loss, both ways. That is no bottleneck: over
        // 20 s, on any of a dozen seeds, the video must never be paused.
        StringBuilder paused = new StringBuilder();
        for (long seed = 200; seed < 212; seed++) {
            CongestionControlTest t = new CongestionControlTest();
            t.h.vp8Producer("alice");
            Receiver bob = t.new Receiver();
            bob.link = new SimulatedLink(seed);
            HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
            Consumer video = t.h.router.addConsumer(
                    "bob",
                    "video-1",
                    ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
            t.smallVideoCall(bob, 5_000, video);
            bob.link.delayMillis(80).loss(0.05);
            long pausedAt = t.smallVideoCall(bob, 20_000, video);
            if (pausedAt >= 0) {
                paused.append("seed ")
                        .append(seed)
                        .append(" paused after ")
                        .append(pausedAt)
                        .append(" ms: ")
                        .append(bob.endpoint.toJson().get("congestion"))
                        .append('\n');
            }
        }
        assertEquals("", paused.toString());
    }

    /** One 1100-byte video frame every 70 ms for {@code millis}; returns when {@code video} was first paused, or -1. */
    private long smallVideoCall(Receiver bob, long millis, Consumer video) {
        long pausedAt = -1;
        for (long t = 0; t < millis; t += 10) {
            if (t % 70 == 0) {
                boolean keyframe = Rtcp.countPlis(alice.rtcp, PUB_SSRC) > keyframesSent;
                if (keyframe) {
                    keyframesSent++;
                }
                h.rtp(aliceEndpoint, videoPacket(keyframe, 1100));
            }
            tick(bob, t);
            if (pausedAt < 0 && video.isBandwidthPaused()) {
                pausedAt = t;
            }
        }
        return pausedAt;
    }

    private static final int MID = 1;
    private static final int RID = 4;
    private static final long[] LAYER_SSRC = {0x5100_0001L, 0x5100_0002L, 0x5100_0003L};
    /** Bytes per 10 ms packet: about 160 kbps, 480 kbps and 1.1 Mbps. */
    private static final int[] LAYER_BYTES = {200, 600, 1400};

    private final int[] layerSeq = {10, 20, 30};
    private final int[] layerKeyframes = new int[3];

    /** A simulcast publisher sending all three layers and 40 kbps of audio; bob reports every 100 ms. */
    private void simulcastCall(Receiver bob, long millis) {
        for (long t = 0; t < millis; t += 10) {
            for (int layer = 0; layer < 3; layer++) {
                boolean keyframe = Rtcp.countPlis(alice.rtcp, LAYER_SSRC[layer]) > layerKeyframes[layer]
                        || layerSeq[layer] == 10 * (layer + 1);
                if (keyframe && layerSeq[layer] != 10 * (layer + 1)) {
                    layerKeyframes[layer]++;
                }
                byte[] head = keyframe ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
                int tcc = publisherTcc++ & 0xFFFF;
                h.rtp(
                        aliceEndpoint,
                        RtpBuilder.rtp(LAYER_SSRC[layer], layerSeq[layer]++ & 0xFFFF, t * 90)
                                .pt(PUB_PT)
                                .ext(MID, (byte) '0')
                                .ext(RID, (byte) ('a' + layer))
                                .ext(TCC, (byte) (tcc >> 8), (byte) tcc)
                                .payload(Arrays.copyOf(head, LAYER_BYTES[layer]))
                                .build());
            }
            if (t % 20 == 0) {
                h.rtp(aliceEndpoint, audioPacket());
            }
            tick(bob, t);
        }
    }

    @Test
    void aThinLinkTakesSimulcastVideoDownALayerInsteadOfPausingItAndAFreedLinkTakesItBackUp() {
        HeaderExtensionIds pubExt = PUB_EXT.with(RtpExtension.RTP_STREAM_ID, RID);
        h.router.addProducer(
                "alice", ProducerParams.simulcast("video-1", Codec.VP8, PUB_PT, pubExt, "0", List.of("a", "b", "c")));
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, AUDIO_SSRC, AUDIO_PT, PUB_EXT));
        Receiver bob = new Receiver();
        bob.link = new SimulatedLink(42).rate(400_000);
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        h.router.addConsumer("bob", "audio-1", ConsumerParams.of("bob-audio", 0xB3, 111, bobExt, 0));
        assertEquals(2, video.targetLayer());

        simulcastCall(bob, 12_000);
        assertFalse(
                video.isBandwidthPaused(),
                "the lowest layer fits: " + bob.endpoint.toJson().get("congestion"));
        assertEquals(0, video.currentLayer(), "down to the layer that fits: " + video.toJson());
        int videoBefore = bob.videoPackets;
        simulcastCall(bob, 2_000);
        assertTrue(bob.videoPackets - videoBefore >= 180, "video keeps flowing: " + (bob.videoPackets - videoBefore));
        assertEquals(0, h.router.drops().get(DropReason.BANDWIDTH_PAUSED), "nothing was paused");

        bob.link = new SimulatedLink(43);
        simulcastCall(bob, 30_000);
        assertEquals(
                2,
                video.currentLayer(),
                "back up to the top layer: " + bob.endpoint.toJson().get("congestion"));
        assertTrue(video.layerSwitches() >= 2, "down and up again: " + video.layerSwitches());
    }

    /** Bytes per frame and layer with VP8 temporal layers: about 110 kbps, 270 kbps and 590 kbps at 33 fps. */
    private static final int[] LAYERED_FRAME_BYTES = {400, 1000, 2200};

    private final int[] layeredFrames = new int[3];
    private final List<Integer> bobTids = new ArrayList<>();

    /**
     * A simulcast publisher whose layers carry three temporal layers (TID 0, 2, 1, 2; Y on the first
     * TL2 and TL1 frame after each TL0, as Chromium marks them), a frame every 30 ms (two packets on
     * the top layer), and 40 kbps of audio.
     */
    private void layeredSimulcastCall(Receiver bob, long millis) {
        for (long t = 0; t < millis; t += 10) {
            int before = bob.sender.rtp.size();
            for (int layer = 0; layer < 3 && t % 30 == 0; layer++) {
                boolean keyframe = Rtcp.countPlis(alice.rtcp, LAYER_SSRC[layer]) > layerKeyframes[layer]
                        || layeredFrames[layer] == 0;
                if (keyframe && layeredFrames[layer] != 0) {
                    layerKeyframes[layer]++;
                    layeredFrames[layer] = 0;
                }
                int n = layeredFrames[layer]++;
                int tid = keyframe ? 0 : new int[] {0, 2, 1, 2}[n % 4];
                boolean sync = keyframe || n % 4 == 1 || n % 4 == 2;
                int packets = layer == 2 ? 2 : 1;
                for (int k = 0; k < packets; k++) {
                    byte[] head = keyframe && k == 0 ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
                    byte[] payload = new byte[LAYERED_FRAME_BYTES[layer] / packets];
                    payload[0] = (byte) (k == 0 ? 0x90 : 0x80); // X, S on the first packet
                    payload[1] = (byte) 0x20; // T: the TID byte follows
                    payload[2] = (byte) ((tid << 6) | (sync ? 0x20 : 0));
                    System.arraycopy(head, 1, payload, 3, head.length - 1);
                    int tcc = publisherTcc++ & 0xFFFF;
                    h.rtp(
                            aliceEndpoint,
                            RtpBuilder.rtp(LAYER_SSRC[layer], layerSeq[layer]++ & 0xFFFF, t * 90)
                                    .pt(PUB_PT)
                                    .ext(MID, (byte) '0')
                                    .ext(RID, (byte) ('a' + layer))
                                    .ext(TCC, (byte) (tcc >> 8), (byte) tcc)
                                    .payload(payload)
                                    .build());
                }
            }
            if (t % 20 == 0) {
                h.rtp(aliceEndpoint, audioPacket());
            }
            tick(bob, t);
            for (int i = before; i < bob.sender.rtp.size(); i++) {
                RtpPacket p = bob.sender.rtpAt(i);
                if (p.ssrc() == 0xB1 && (p.buffer()[p.payloadOffset()] & 0x10) != 0) {
                    bobTids.add(dev.chorus.sfu.codec.Vp8Payload.temporalId(
                            p.buffer(), p.payloadOffset(), p.payloadLength()));
                }
            }
        }
    }

    @Test
    void aThinLinkFirstCostsFrameRateThenResolutionAndAFreedLinkGivesBothBack() {
        HeaderExtensionIds pubExt = PUB_EXT.with(RtpExtension.RTP_STREAM_ID, RID);
        h.router.addProducer(
                "alice", ProducerParams.simulcast("video-1", Codec.VP8, PUB_PT, pubExt, "0", List.of("a", "b", "c")));
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, AUDIO_SSRC, AUDIO_PT, PUB_EXT));
        Receiver bob = new Receiver();
        bob.link = new SimulatedLink(45).rate(450_000);
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        h.router.addConsumer("bob", "audio-1", ConsumerParams.of("bob-audio", 0xB3, 111, bobExt, 0));

        layeredSimulcastCall(bob, 15_000);
        Producer producer = h.router.producer("video-1");
        long now = h.clock.nowNanos();
        assertEquals(3, producer.stream(2).temporalLayers(now), "three temporal layers measured");
        assertEquals(33.3, producer.stream(2).frameRate(TemporalFilter.ALL, now), 2.0);
        assertEquals(16.7, producer.stream(2).frameRate(1, now), 1.5);
        assertEquals(8.3, producer.stream(2).frameRate(0, now), 1.0);
        assertFalse(video.isBandwidthPaused(), "it fits at some step: " + video.toJson());
        // 590 kbps at 33 fps does not fit 450 kbps; 295 kbps at 17 fps does, and beats layer 1's 270.
        assertEquals(
                2,
                video.currentLayer(),
                "the top layer...: " + bob.endpoint.toJson().get("congestion"));
        assertEquals(1, video.currentTemporalLayer(), "...at half the frame rate: " + video.toJson());
        bobTids.clear();
        layeredSimulcastCall(bob, 2_000);
        assertFalse(bobTids.contains(2), "no TL2 frame reaches bob: " + bobTids);
        assertTrue(bobTids.size() >= 30, "about 17 fps: " + bobTids.size() + " frames in 2 s");
        assertEquals(0, h.router.drops().get(DropReason.BANDWIDTH_PAUSED), "nothing was paused");
        assertTrue(h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED) > 0);

        bob.link = new SimulatedLink(46);
        layeredSimulcastCall(bob, 20_000);
        assertEquals(2, video.currentLayer());
        assertEquals(2, video.currentTemporalLayer(), "full frame rate again (TL2 is the top): " + video.toJson());
        bobTids.clear();
        layeredSimulcastCall(bob, 1_000);
        assertTrue(bobTids.contains(2), "TL2 frames again: " + bobTids);
    }

    @Test
    void aCapThatCongestsTheLinkTakesTheLayerDownAtTheCutNotAfterAHold() {
        HeaderExtensionIds pubExt = PUB_EXT.with(RtpExtension.RTP_STREAM_ID, RID);
        h.router.addProducer(
                "alice", ProducerParams.simulcast("video-1", Codec.VP8, PUB_PT, pubExt, "0", List.of("a", "b", "c")));
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, AUDIO_SSRC, AUDIO_PT, PUB_EXT));
        Receiver bob = new Receiver();
        bob.link = new SimulatedLink(45);
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        h.router.addConsumer("bob", "audio-1", ConsumerParams.of("bob-audio", 0xB3, 111, bobExt, 0));
        simulcastCall(bob, 5_000);
        assertEquals(2, video.currentLayer(), "the open link carries the top layer: " + video.toJson());

        // 700 kbps: the middle layer and audio fit, the top layer (1.1 Mbps) fills the queue.
        bob.link = new SimulatedLink(46).rate(700_000);
        long capAt = h.clock.nowNanos();
        long downAt = -1;
        int rungBefore = video.bandwidthRung();
        for (int step = 0; step < 40 && downAt < 0; step++) {
            simulcastCall(bob, 100);
            if (video.bandwidthRung() < rungBefore) {
                downAt = h.clock.nowNanos();
            }
        }
        var state = bob.endpoint.toJson().get("congestion").get("toSubscriber");
        assertTrue(downAt >= 0, "never stepped down: " + state);
        long millis = (downAt - capAt) / 1_000_000;
        // The queue fills (about 0.5 s), stays full for the sustain time (0.5 s), one cut: no hold after it.
        assertTrue(millis <= 1_500, "stepped down " + millis + " ms after the cap: " + state);
        simulcastCall(bob, 3_000);
        assertEquals(1, video.currentLayer(), "on the middle layer, which fits: " + state);
        assertFalse(video.isBandwidthPaused());
    }

    @Test
    void simulcastVideoGoesToItsLowestLayerBeforeItPauses() {
        HeaderExtensionIds pubExt = PUB_EXT.with(RtpExtension.RTP_STREAM_ID, RID);
        h.router.addProducer(
                "alice", ProducerParams.simulcast("video-1", Codec.VP8, PUB_PT, pubExt, "0", List.of("a", "b", "c")));
        h.router.addProducer("alice", ProducerParams.of("audio-1", Codec.OPUS, AUDIO_SSRC, AUDIO_PT, PUB_EXT));
        Receiver bob = new Receiver();
        // Even the lowest layer (160 kbps) and audio do not fit: video must pause in the end, but
        // the estimate is at its lowest while the top layer floods the link, so it steps to the
        // lowest layer first (which may well fit once the queue drains) and pauses from there.
        bob.link = new SimulatedLink(44).rate(150_000);
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        h.router.addConsumer("bob", "audio-1", ConsumerParams.of("bob-audio", 0xB3, 111, bobExt, 0));

        simulcastCall(bob, 15_000);
        var state = bob.endpoint.toJson().get("congestion").get("toSubscriber");
        assertTrue(video.isBandwidthPaused(), "nothing fits 150 kbps: " + state);
        assertEquals(1, state.get("layerDowns").asLong(), "to the lowest layer first: " + state);
        assertEquals(1, state.get("pauses").asLong(), "then paused from it: " + state);
    }

    private static final long CAROL_SSRC = 0x3333_3333L;
    private int carolSeq = 5000;
    private int carolKeyframes;

    /** Alice and Carol each send ~1.1 Mbps of video for {@code millis}; bob reports every 100 ms. */
    private void twoPublisherCall(Receiver bob, RecordingSender carol, Endpoint carolEndpoint, long millis) {
        for (long t = 0; t < millis; t += 10) {
            boolean keyframe = Rtcp.countPlis(alice.rtcp, PUB_SSRC) > keyframesSent;
            if (keyframe) {
                keyframesSent++;
            }
            h.rtp(aliceEndpoint, videoPacket(keyframe, 1400));
            boolean carolKey = Rtcp.countPlis(carol.rtcp, CAROL_SSRC) > carolKeyframes;
            if (carolKey) {
                carolKeyframes++;
            }
            byte[] head = carolKey ? RtpBuilder.vp8Keyframe() : RtpBuilder.vp8Delta();
            int tcc = publisherTcc++ & 0xFFFF;
            h.rtp(
                    carolEndpoint,
                    RtpBuilder.rtp(CAROL_SSRC, carolSeq++ & 0xFFFF, carolSeq * 3000L)
                            .pt(PUB_PT)
                            .ext(TCC, (byte) (tcc >> 8), (byte) tcc)
                            .payload(Arrays.copyOf(head, 1400))
                            .build());
            tick(bob, t);
        }
    }

    @Test
    void whenOnlyOneVideoFitsTheOneShownLargerKeepsGoing() {
        RecordingSender carol = new RecordingSender();
        Endpoint carolEndpoint = h.endpoint("carol", carol, 0xC0);
        h.vp8Producer("alice");
        h.router.addProducer("carol", ProducerParams.of("video-2", Codec.VP8, CAROL_SSRC, PUB_PT, PUB_EXT));
        Receiver bob = new Receiver();
        bob.link = new SimulatedLink(42).rate(1_500_000);
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        // Subscribed first, so subscription order alone would keep Alice and pause Carol.
        Consumer aliceVideo = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-alice", 0xB1, 96, bobExt, 0).withRtx(0xB2, 97));
        Consumer carolVideo = h.router.addConsumer(
                "bob",
                "video-2",
                ConsumerParams.of("bob-carol", 0xB4, 96, bobExt, 0).withRtx(0xB5, 97));
        // Bob pinned Carol: her tile fills his window, Alice's is a thumbnail.
        h.router.setViewSize("bob-alice", 320, 180);
        h.router.setViewSize("bob-carol", 1280, 720);
        h.worker.runUntilIdle();

        twoPublisherCall(bob, carol, carolEndpoint, 10_000);
        String state = bob.endpoint.toJson().get("congestion").toString();
        assertTrue(aliceVideo.isBandwidthPaused(), "2.2 Mbps cannot fit 1.5 Mbps: the thumbnail goes: " + state);
        assertFalse(carolVideo.isBandwidthPaused(), "the pinned video stays: " + state);
        int carolBefore = bob.packetsBySsrc.getOrDefault(0xB4L, 0);
        twoPublisherCall(bob, carol, carolEndpoint, 2_000);
        assertTrue(
                bob.packetsBySsrc.getOrDefault(0xB4L, 0) - carolBefore >= 180,
                "Carol's video keeps flowing: " + bob.packetsBySsrc);
        assertEquals(
                "bob-carol",
                bob.endpoint
                        .toJson()
                        .get("congestion")
                        .get("toSubscriber")
                        .get("priorityOrder")
                        .get(0)
                        .asText(),
                state);
    }

    @Test
    void retransmissionsToACongestedSubscriberStayWithinAShareOfItsEstimate() {
        h.vp8Producer("alice");
        Receiver bob = new Receiver();
        HeaderExtensionIds bobExt = HeaderExtensionIds.NONE.with(RtpExtension.TRANSPORT_CC, TCC);
        Consumer video = h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of("bob-video", 0xB1, 96, bobExt, 0).withRtx(0xB6, 97));
        // Its own RTX SSRC: the receiver takes what 0xB2 carries for probe padding only.
        call(bob, 1_500);
        // Bob's link is full and loses packets; he NACKs the last 20 video packets every 10 ms.
        int rtxBefore = bob.packetsBySsrc.getOrDefault(0xB6L, 0);
        long rtxBytes = 0;
        int scanned = bob.sender.rtp.size();
        long maxEstimate = 0;
        for (long t = 0; t < 2_000; t += 10) {
            h.rtp(aliceEndpoint, videoPacket(false, 1400));
            List<Integer> recent = new ArrayList<>();
            for (int i = bob.sender.rtp.size() - 1; i >= 0 && recent.size() < 20; i--) {
                if (bob.sender.rtpAt(i).ssrc() == 0xB1) {
                    recent.add(bob.sender.rtpAt(i).sequenceNumber());
                }
            }
            h.rtcp(
                    bob.endpoint,
                    Rtcp.nack(
                            0xB0B0,
                            0xB1,
                            recent.stream().mapToInt(Integer::intValue).toArray()));
            for (; scanned < bob.sender.rtp.size(); scanned++) {
                RtpPacket p = bob.sender.rtpAt(scanned);
                if (p.ssrc() == 0xB6 && p.payloadLength() > 0) {
                    rtxBytes += p.length();
                }
            }
            maxEstimate = Math.max(maxEstimate, estimateBps(bob));
            tick(bob, t);
        }
        String state = bob.endpoint.toJson().toString();
        assertTrue(bob.packetsBySsrc.getOrDefault(0xB6L, 0) > rtxBefore, "some NACKs are answered: " + state);
        // 2 s at a quarter of the estimate, plus the half second a full bucket holds, plus one packet.
        long budgetBytes = maxEstimate / 4 / 8 * 2_500 / 1_000 + 1500;
        assertTrue(rtxBytes <= budgetBytes, "resent " + rtxBytes + " bytes, budget " + budgetBytes + ": " + state);
        assertTrue(video.nackMisses("overBudget") > 0, state);
        assertEquals(video.nackMisses("overBudget"), h.router.drops().get(DropReason.RETRANSMISSION_OVER_BUDGET));
    }

    private static long estimateBps(Receiver bob) {
        return bob.endpoint
                .toJson()
                .get("congestion")
                .get("toSubscriber")
                .get("estimator")
                .get("estimateBps")
                .asLong();
    }

    @Test
    void badFeedbackIsCountedAndIgnored() {
        Receiver bob = new Receiver();
        // transport-cc whose status count promises more chunks than the packet has.
        byte[] malformed = {
            (byte) 0x8F,
            (byte) 205,
            0,
            4,
            0,
            0,
            (byte) 0xB0,
            (byte) 0xB0,
            0,
            0,
            0,
            (byte) 0xB1,
            0,
            1,
            0x7F,
            (byte) 0xFF,
            0,
            0,
            0,
            1
        };
        h.rtcp(bob.endpoint, malformed);
        // REMB of 2^63 bps (exponent 63) and of 1 bps.
        byte[] huge = remb(63, 1);
        byte[] tiny = remb(0, 1);
        h.rtcp(bob.endpoint, huge);
        h.rtcp(bob.endpoint, tiny);
        var cc = bob.endpoint.toJson().get("congestion");
        assertEquals(1, cc.get("transportCcMalformed").asLong(), cc.toString());
        assertEquals(2, cc.get("rembOutOfRange").asLong(), cc.toString());
        assertEquals(
                CongestionConfig.defaults().estimator().startBps(),
                cc.get("toSubscriber").get("estimator").get("estimateBps").asLong(),
                "estimate untouched");
    }

    private static byte[] remb(int exponent, int mantissa) {
        byte[] b = new byte[24];
        b[0] = (byte) 0x8F;
        b[1] = (byte) 206;
        b[3] = 5;
        BigEndian.put32(b, 4, 0xB0B0);
        b[12] = 'R';
        b[13] = 'E';
        b[14] = 'M';
        b[15] = 'B';
        b[16] = 1;
        b[17] = (byte) ((exponent << 2) | ((mantissa >> 16) & 3));
        b[18] = (byte) (mantissa >> 8);
        b[19] = (byte) mantissa;
        BigEndian.put32(b, 20, 0xB1);
        return b;
    }
}
