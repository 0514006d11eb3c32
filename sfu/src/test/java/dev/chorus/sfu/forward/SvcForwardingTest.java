package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.Vp9Descriptor;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpPacket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * VP9 SVC forwarded per consumer through a router on the fake clock. The publisher sends what Chromium
 * sends for {@code L3T3_KEY}: one SSRC, every picture in three spatial layers (SID 0..2, 160x120, 320x240,
 * 640x480, announced by the scalability structure of each keyframe), two packets per layer frame (B on the
 * first, E on the second), the marker on the picture's last packet, temporal pattern TID 0, 2, 1, 2 with U
 * on every frame above TL0. Checks what the subscriber gets: the spatial and temporal layers its view and
 * bandwidth allow, sequence numbers and picture ids without a gap, the marker on the last packet it gets
 * of each picture, switching up only at a keyframe, and malformed descriptors counted, not crashed on.
 */
class SvcForwardingTest {
    private static final long BOB_SSRC = 0xB1;
    private static final int[] PATTERN = {0, 2, 1, 2};
    private static final int LAYERS = 3;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(10)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);
    private final Vp9Descriptor d = new Vp9Descriptor();

    private int seq = 65_500; // wraps
    private int pictureId = 32_760; // wraps too
    private int tl0 = 254;
    private int n;
    private long ts = 1_000;

    private Consumer setUp() {
        h.router.addProducer(
                "alice", ProducerParams.of("video-1", Codec.VP9, PUB_SSRC, PUB_PT, HeaderExtensionIds.NONE));
        return h.router.addConsumer(
                "bob", "video-1", ConsumerParams.of("c-bob", BOB_SSRC, 100, HeaderExtensionIds.NONE, 7));
    }

    /** The descriptor and a few bytes of frame data of one packet. */
    private byte[] payload(boolean key, int sid, int part) {
        int tid = key ? 0 : PATTERN[n % PATTERN.length];
        boolean begins = part == 0;
        boolean ss = key && sid == 0 && begins;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        // I P L F B E V Z
        b.write(0x80 | (key ? 0 : 0x40) | 0x20 | (begins ? 0x08 : 0) | (part == 1 ? 0x04 : 0) | (ss ? 0x02 : 0));
        b.write(0x80 | (pictureId >> 8));
        b.write(pictureId & 0xFF);
        boolean up = tid > 0;
        b.write((tid << 5) | (up ? 0x10 : 0) | (sid << 1) | (key && sid > 0 ? 1 : 0));
        b.write(tl0);
        if (ss) {
            b.write(((LAYERS - 1) << 5) | 0x10); // N_S = 2, Y
            for (int s = 0; s < LAYERS; s++) {
                int w = 160 << s;
                int hgt = 120 << s;
                b.write(w >> 8);
                b.write(w);
                b.write(hgt >> 8);
                b.write(hgt);
            }
        }
        b.writeBytes(new byte[] {0x11, 0x22, 0x33, (byte) sid, (byte) tid});
        return b.toByteArray();
    }

    /** One picture: {@link #LAYERS} spatial layers of two packets each; the clock moves a frame on. */
    private void picture(boolean key) {
        picture(key, LAYERS);
    }

    /** A picture of its lowest {@code layers} spatial layers only (an encoder short of time skips the top ones). */
    private void picture(boolean key, int layers) {
        if (key) {
            n = 0;
        }
        if (key || PATTERN[n % PATTERN.length] == 0) {
            tl0 = (tl0 + 1) & 0xFF;
        }
        for (int sid = 0; sid < layers; sid++) {
            for (int part = 0; part < 2; part++) {
                RtpBuilder b = RtpBuilder.rtp(PUB_SSRC, seq, ts).pt(PUB_PT).payload(payload(key, sid, part));
                boolean last = sid == layers - 1 && part == 1;
                h.rtp(aliceEndpoint, (last ? b.marker() : b).build());
                seq = (seq + 1) & 0xFFFF;
            }
        }
        pictureId = (pictureId + 1) & 0x7FFF;
        ts += 3000;
        n++;
        h.advanceMillis(33);
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

    private Vp9Descriptor parse(RtpPacket p) {
        assertTrue(d.parse(p.buffer(), p.payloadOffset(), p.payloadLength()));
        return d;
    }

    /** SIDs that reached the subscriber in each picture, and checks sequence, picture id and marker continuity. */
    private List<TreeSet<Integer>> checkAndGroup(List<RtpPacket> got) {
        List<TreeSet<Integer>> pictures = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            RtpPacket p = got.get(i);
            boolean newPicture = i == 0 || p.timestamp() != got.get(i - 1).timestamp();
            if (newPicture) {
                pictures.add(new TreeSet<>());
            }
            int pic = parse(p).pictureId();
            int sid = d.spatialId();
            boolean ends = d.endsFrame();
            pictures.get(pictures.size() - 1).add(sid);
            if (i > 0) {
                RtpPacket a = got.get(i - 1);
                assertEquals((a.sequenceNumber() + 1) & 0xFFFF, p.sequenceNumber(), "no sequence gap at " + i);
                int before = parse(a).pictureId();
                assertEquals((before + (newPicture ? 1 : 0)) & 0x7FFF, pic, "picture ids consecutive at " + i);
            }
            boolean lastOfPicture = i == got.size() - 1 || got.get(i + 1).timestamp() != p.timestamp();
            if (i < got.size() - 1) {
                assertEquals(lastOfPicture, p.marker(), "marker on the last packet of a picture only, at " + i);
                if (lastOfPicture) {
                    assertTrue(ends, "the marked packet ends its layer's frame");
                }
            }
        }
        return pictures;
    }

    @Test
    void everyLayerGoesToASubscriberThatAsksForNothingLess() {
        Consumer c = setUp();
        picture(true);
        for (int i = 0; i < 7; i++) {
            picture(false);
        }
        List<RtpPacket> got = bobMedia();
        assertEquals(8 * 6, got.size());
        assertEquals(7, got.get(0).sequenceNumber());
        List<TreeSet<Integer>> pictures = checkAndGroup(got);
        pictures.forEach(p -> assertEquals(List.of(0, 1, 2), List.copyOf(p)));
        assertEquals(2, c.currentSpatialLayer());
        JsonNode svc = h.router.toJson().findValue("svc");
        assertEquals(3, svc.get("spatialLayers").asInt());
        assertEquals(640, svc.get("layers").get(2).get("width").asInt());
    }

    @Test
    void aSmallTileGetsTheLowerLayersAtOnceAndTheTopOneFromTheNextKeyframe() {
        Consumer c = setUp();
        picture(true);
        picture(false);
        c.setViewSize(300, 200, h.clock.nowNanos());
        assertEquals(1, c.targetLayer(), "320x240 covers a 300x200 tile");
        bob.clear();
        for (int i = 0; i < 6; i++) {
            picture(false);
        }
        List<TreeSet<Integer>> pictures = checkAndGroup(bobMedia());
        assertEquals(6, pictures.size());
        pictures.forEach(p -> assertEquals(List.of(0, 1), List.copyOf(p), "down at the next picture"));
        assertEquals(12, h.router.drops().get(DropReason.SPATIAL_LAYER_DROPPED));
        int plisBefore = Rtcp.countPlis(alice.rtcp, PUB_SSRC);

        c.setViewSize(1280, 720, h.clock.nowNanos());
        assertEquals(2, c.targetLayer());
        assertEquals(plisBefore + 1, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "going up asks for a keyframe");
        assertTrue(c.isSwitchPending());
        bob.clear();
        picture(false);
        picture(false);
        picture(true);
        picture(false);
        List<RtpPacket> got = bobMedia();
        pictures = checkAndGroup(got);
        assertEquals(List.of(0, 1), List.copyOf(pictures.get(0)), "no upper layer without its references");
        assertEquals(List.of(0, 1), List.copyOf(pictures.get(1)));
        assertEquals(List.of(0, 1, 2), List.copyOf(pictures.get(2)), "up at the keyframe");
        assertEquals(List.of(0, 1, 2), List.copyOf(pictures.get(3)));
        assertFalse(c.isSwitchPending());
        JsonNode spatial = c.toJson().get("spatial");
        assertEquals(1, spatial.get("switchesDown").asInt());
        assertEquals(1, spatial.get("switchesUp").asInt());
    }

    @Test
    void aCappedSubscriberGetsTheBaseLayerAtAQuarterOfTheFrameRateWithoutGaps() {
        Consumer c = setUp();
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        picture(true);
        for (int i = 0; i < 11; i++) {
            picture(false);
        }
        List<RtpPacket> got = bobMedia();
        List<TreeSet<Integer>> pictures = checkAndGroup(got);
        assertEquals(3, pictures.size(), "pictures 0, 4 and 8: TL0 only");
        pictures.forEach(p -> assertEquals(List.of(0), List.copyOf(p)));
        assertTrue(got.get(got.size() - 1).marker(), "the base layer's last packet carries the marker");
        for (RtpPacket p : got) {
            assertEquals(0, parse(p).temporalId());
        }
        assertEquals(0, c.currentTemporalLayer());
        assertEquals(0, c.currentSpatialLayer());
    }

    @Test
    void theBandwidthLadderClimbsTheSpatialAndTemporalLayersInsideTheOneEncoding() {
        Consumer c = setUp();
        picture(true);
        for (int i = 0; i < 90; i++) { // 3 s at 30 fps: every layer's rates measured
            picture(false);
        }
        Producer p = c.producer();
        long now = h.clock.nowNanos();
        assertEquals(1, p.layerCount(), "one encoding");
        assertEquals(3, p.spatialLayerCount());
        List<String> ladder = new ArrayList<>();
        for (int r = QualityLadder.first(p, now); r >= 0; r = QualityLadder.next(p, r, now)) {
            ladder.add(QualityLadder.name(r));
        }
        // 120p at 7.5, 15 and 30 fps; 240p at 15 and 30 fps; 480p (360p and up) at its full rate only.
        assertEquals(List.of("0/T0", "0/T1", "0/all", "1/T1", "1/all", "2/all"), ladder);
        long base = QualityLadder.bitrateBps(p, QualityLadder.top(0), now);
        long middle = QualityLadder.bitrateBps(p, QualityLadder.top(1), now);
        long top = QualityLadder.bitrateBps(p, QualityLadder.top(2), now);
        assertTrue(base > 0 && middle > base && top > middle, base + " < " + middle + " < " + top);
        assertTrue(QualityLadder.bitrateBps(p, QualityLadder.of(0, 0), now) < base, "TL0 alone costs less");

        c.setBandwidthRung(QualityLadder.of(1, 1), now);
        assertEquals(1, c.targetLayer());
        bob.clear();
        for (int i = 0; i < 8; i++) {
            picture(false);
        }
        List<TreeSet<Integer>> pictures = checkAndGroup(bobMedia());
        assertEquals(4, pictures.size(), "TL0 and TL1 pictures: half the frame rate");
        pictures.forEach(q -> assertEquals(List.of(0, 1), List.copyOf(q)));
    }

    @Test
    void aBandwidthCutAsksForAKeyframeAndASmallerTileDoesNot() {
        Consumer c = setUp();
        picture(true);
        picture(false);
        int plis = Rtcp.countPlis(alice.rtcp, PUB_SSRC);
        c.setViewSize(300, 200, h.clock.nowNanos());
        picture(false);
        assertEquals(1, c.currentSpatialLayer());
        assertEquals(plis, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "nothing lost: the lower layers decode on");
        h.advanceMillis(500);
        c.setBandwidthRung(QualityLadder.top(0), h.clock.nowNanos());
        assertEquals(
                plis + 1,
                Rtcp.countPlis(alice.rtcp, PUB_SSRC),
                "a cut follows a full queue, which lost packets of the layers kept too: repaired by a keyframe");
        picture(false);
        assertEquals(0, c.currentSpatialLayer(), "down at once, without waiting for that keyframe");
    }

    @Test
    void aPictureWithoutItsTopLayersKeepsThePublishersMarker() {
        setUp();
        picture(true);
        picture(false, 2);
        picture(false, 1);
        picture(false);
        List<TreeSet<Integer>> pictures = checkAndGroup(bobMedia()); // a marker on each picture's last packet
        assertEquals(List.of(0, 1), List.copyOf(pictures.get(1)));
        assertEquals(List.of(0), List.copyOf(pictures.get(2)));
        assertEquals(List.of(0, 1, 2), List.copyOf(pictures.get(3)));
    }

    @Test
    void malformedDescriptorsAreCountedAndTheStreamGoesOn() {
        setUp();
        picture(true);
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, seq, ts)
                        .pt(PUB_PT)
                        .payload(new byte[] {(byte) 0xA0})
                        .build());
        seq = (seq + 1) & 0xFFFF;
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, seq, ts)
                        .pt(PUB_PT)
                        .payload(new byte[] {0x50, 0x03, 0x03, 0x03, 0x03})
                        .build());
        seq = (seq + 1) & 0xFFFF;
        picture(false);
        assertEquals(2, h.router.drops().get(DropReason.MALFORMED_VP9));
        assertEquals(12, bobMedia().size(), "both good pictures forwarded");
    }
}
