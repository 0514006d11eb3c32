package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * H264 simulcast through a router on a fake clock: a consumer waits for an H264 keyframe (STAP-A
 * with SPS and PPS, then an IDR in FU-A) of its target layer, switches there with continuous
 * sequence numbers and timestamps, and leaves every payload byte as it came (H264 numbers nothing
 * an SFU must rewrite, and Chromium's H264 carries no temporal layers to filter).
 */
class H264SimulcastForwardingTest {
    private static final int MID = 1;
    private static final int RID = 4;
    private static final HeaderExtensionIds EXT =
            HeaderExtensionIds.NONE.with(RtpExtension.MID, MID).with(RtpExtension.RTP_STREAM_ID, RID);
    private static final String[] RIDS = {"q", "h", "f"};
    private static final long[] SSRC = {0x5000_0001L, 0x5000_0002L, 0x5000_0003L};
    private static final long[] TS_BASE = {1_000, 500_000, 90_000_000};
    private static final long BOB_SSRC = 0xB1;

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
            "alice", ProducerParams.simulcast("video-1", Codec.H264, 108, EXT, "0", List.of(RIDS)));
    private final int[] seq = {100, 20_000, 65_534};
    private int frame;

    /** SPS and PPS in one STAP-A: how Chromium starts an IDR frame. */
    private static byte[] stapA(int layer) {
        return new byte[] {24, 0, 3, 0x67, 0x42, (byte) 0xE0, 0, 2, 0x68, (byte) 0xCE, (byte) layer};
    }

    /** One FU-A fragment of an IDR (type 5) or non-IDR (type 1) slice; its last byte names the layer. */
    private static byte[] fuA(boolean idr, boolean start, boolean end, int layer) {
        int type = idr ? 5 : 1;
        int header = (start ? 0x80 : 0) | (end ? 0x40 : 0) | type;
        return new byte[] {0x7C, (byte) header, 0x11, 0x22, (byte) layer};
    }

    private void packet(int layer, byte[] payload, boolean marker) {
        RtpBuilder b = RtpBuilder.rtp(SSRC[layer], seq[layer], TS_BASE[layer] + 3000L * frame)
                .pt(108)
                .payload(payload)
                .ext(MID, (byte) '0')
                .ext(RID, RIDS[layer].getBytes(StandardCharsets.US_ASCII));
        if (marker) {
            b.marker();
        }
        h.rtp(aliceEndpoint, b.build());
        seq[layer] = (seq[layer] + 1) & 0xFFFF;
    }

    /** One frame on every layer (key on {@code keyLayer}, or on all when -1), two packets each; then 33 ms pass. */
    private void frameOnAllLayers(boolean key, int keyLayer) {
        for (int layer = 0; layer < 3; layer++) {
            boolean idr = key && (keyLayer < 0 || keyLayer == layer);
            packet(layer, idr ? stapA(layer) : fuA(false, true, false, layer), false);
            packet(layer, fuA(idr, !idr, true, layer), true);
        }
        frame++;
        h.advanceMillis(33);
    }

    private static int layerOf(RtpPacket p) {
        return p.buffer()[p.payloadOffset() + p.payloadLength() - 1];
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
    void theKeyframeStartsAreTheStapAWithTheSpsAndTheIdrsFirstFragment() {
        byte[] stap = stapA(0);
        assertTrue(Codec.H264.isKeyframeStart(stap, 0, stap.length));
        byte[] idr = fuA(true, true, false, 0);
        assertTrue(Codec.H264.isKeyframeStart(idr, 0, idr.length));
        byte[] idrMiddle = fuA(true, false, true, 0);
        assertFalse(Codec.H264.isKeyframeStart(idrMiddle, 0, idrMiddle.length));
        byte[] slice = fuA(false, true, true, 0);
        assertFalse(Codec.H264.isKeyframeStart(slice, 0, slice.length));
    }

    @Test
    void layerSizesComeFromTheKeyframesSps() {
        // x264's SPS of 320x180 and 1280x720 (see H264SpsSizeTest), each in a STAP-A as Chromium sends it.
        String[] sps = {
            "6742c00dd901419f9f0110000003001000000303c0f142a480",
            null,
            "6742c01fd9005005bb0110000003001000000303c0f1832480"
        };
        for (int layer : new int[] {0, 2}) {
            byte[] nal = java.util.HexFormat.of().parseHex(sps[layer]);
            byte[] stap = new byte[3 + nal.length];
            stap[0] = 24;
            stap[2] = (byte) nal.length;
            System.arraycopy(nal, 0, stap, 3, nal.length);
            packet(layer, stap, false);
            packet(layer, fuA(true, true, true, layer), true);
        }
        assertEquals(320, producer.stream(0).width());
        assertEquals(720, producer.stream(2).height());
        assertEquals(0, producer.layerForSize(320, 180));
        assertEquals(1, producer.layerForSize(640, 360), "the middle layer, by the halving rule while unknown");
        assertEquals(2, producer.layerForSize(1000, 600));
    }

    @Test
    void aConsumerSwitchesOnTheTargetLayersH264KeyframeWithContinuousNumbersAndUntouchedPayloads() {
        Consumer c = h.router.addConsumer(
                "bob", "video-1", ConsumerParams.of("c-bob", BOB_SSRC, 108, HeaderExtensionIds.NONE, 1000));
        frameOnAllLayers(false, -1); // no keyframe yet: nothing goes out
        assertEquals(0, bobMedia().size());
        frameOnAllLayers(true, -1);
        for (int i = 0; i < 3; i++) {
            frameOnAllLayers(false, -1);
        }
        List<RtpPacket> sent = bobMedia();
        assertEquals(8, sent.size(), "four frames of two packets each, all of the top layer");
        sent.forEach(p -> assertEquals(2, layerOf(p)));
        assertArrayEquals(
                stapA(2),
                Arrays.copyOfRange(
                        sent.get(0).buffer(),
                        sent.get(0).payloadOffset(),
                        sent.get(0).payloadOffset() + sent.get(0).payloadLength()),
                "the payload is forwarded as it came");

        alice.rtcp.clear();
        h.router.setPreferredLayer("c-bob", 0);
        assertEquals(1, Rtcp.countPlis(alice.rtcp, SSRC[0]), "a keyframe is asked of the target layer");
        frameOnAllLayers(false, -1); // not yet: layer 2 goes on
        frameOnAllLayers(true, 0);
        frameOnAllLayers(false, -1);
        List<RtpPacket> after = bobMedia();
        assertEquals(14, after.size());
        RtpPacket beforeSwitch = after.get(9);
        RtpPacket first = after.get(10);
        assertEquals(2, layerOf(beforeSwitch));
        for (int i = 10; i < 14; i++) {
            assertEquals(0, layerOf(after.get(i)));
            assertEquals(BOB_SSRC, after.get(i).ssrc());
            assertEquals(
                    (after.get(i - 1).sequenceNumber() + 1) & 0xFFFF,
                    after.get(i).sequenceNumber(),
                    "no gap");
        }
        long step = (first.timestamp() - beforeSwitch.timestamp()) & 0xFFFF_FFFFL;
        assertTrue(step > 0 && step <= 3000 + 90, "timestamp moves on by about one frame: " + step);
        assertEquals(3000, (after.get(12).timestamp() - first.timestamp()) & 0xFFFF_FFFFL);
        assertEquals(1, c.layerSwitches());
        assertEquals(0, h.router.drops().get(DropReason.TEMPORAL_LAYER_DROPPED), "no temporal filtering");
    }
}
