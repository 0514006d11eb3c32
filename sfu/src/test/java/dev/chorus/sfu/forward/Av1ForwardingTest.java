package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_PT;
import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.DependencyDescriptor;
import dev.chorus.sfu.codec.DependencyDescriptorBytes;
import dev.chorus.sfu.codec.DependencyDescriptorBytes.Structure;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * AV1 SVC forwarded per consumer through a router on the fake clock, its layers read from the Dependency
 * Descriptor. The publisher sends what Chromium sends for {@code L3T3_KEY}: one SSRC, each picture in three
 * spatial layers (320x180, 640x360, 1280x720 in the key frames' template structure), two packets per layer
 * frame (start and end of frame in the descriptor), the marker on the picture's last packet, the temporal
 * pattern 0, 2, 1, 2, the key frame's first packet with the structure (in a two-byte extension block) and
 * the aggregation header's N bit. Checks what the subscriber gets: the layers its tile and bandwidth allow,
 * without sequence gaps, with the marker on the last packet it gets of each picture and the descriptor under
 * its own extension id; switching up only at a key frame; bad descriptors counted.
 */
class Av1ForwardingTest {
    private static final long BOB_SSRC = 0xB1;
    private static final int[] PATTERN = {0, 2, 1, 2};
    private static final int LAYERS = 3;
    private static final int PUB_DD = 5;
    private static final int BOB_DD = 9;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(10)
            .cname("sfu")
            .build());
    private final RecordingSender alice = new RecordingSender();
    private final RecordingSender bob = new RecordingSender();
    private final Endpoint aliceEndpoint = h.endpoint("alice", alice, 0xA0);
    private final Endpoint bobEndpoint = h.endpoint("bob", bob, 0xB0);
    private final Structure structure = DependencyDescriptorBytes.keyStructure(LAYERS, 3, 11, 1280, 720);
    /** The subscriber's view of the descriptors it gets (its own structure, from the forwarded key frame). */
    private final DependencyDescriptor received = new DependencyDescriptor();

    private int seq = 65_500; // wraps
    private int frameNumber = 65_530; // wraps too
    private int n;
    private long ts = 1_000;

    private Consumer setUp() {
        h.router.addProducer(
                "alice",
                ProducerParams.of(
                        "video-1",
                        Codec.AV1,
                        PUB_SSRC,
                        PUB_PT,
                        HeaderExtensionIds.NONE.with(RtpExtension.DEPENDENCY_DESCRIPTOR, PUB_DD)));
        return h.router.addConsumer(
                "bob",
                "video-1",
                ConsumerParams.of(
                        "c-bob",
                        BOB_SSRC,
                        100,
                        HeaderExtensionIds.NONE.with(RtpExtension.DEPENDENCY_DESCRIPTOR, BOB_DD),
                        7));
    }

    /** One picture: {@link #LAYERS} spatial layers of two packets each; the clock moves a frame on. */
    private void picture(boolean key) {
        if (key) {
            n = 0;
        }
        int tid = key ? 0 : PATTERN[n % PATTERN.length];
        for (int sid = 0; sid < LAYERS; sid++) {
            // Template index: sid * 4 + (0 key, 1 tid-0 delta, 1 + tid above).
            int index = sid * 4 + (key ? 0 : tid == 0 ? 1 : 1 + tid);
            for (int part = 0; part < 2; part++) {
                boolean start = part == 0;
                boolean end = part == 1;
                byte[] dd = key && sid == 0 && start
                        ? DependencyDescriptorBytes.withStructure(structure, start, end, index, frameNumber)
                        : DependencyDescriptorBytes.frame(structure, start, end, index, frameNumber);
                // Aggregation header: Z (continues an OBU) on the second packet, N on the key frame's first.
                int aggregation = (end ? 0x80 : 0) | 0x10 | (key && sid == 0 && start ? 0x08 : 0);
                byte[] payload = {(byte) aggregation, 0x32, (byte) sid, (byte) tid, 0x44};
                RtpBuilder b = RtpBuilder.rtp(PUB_SSRC, seq, ts)
                        .pt(PUB_PT)
                        .ext(PUB_DD, dd)
                        .payload(payload);
                h.rtp(aliceEndpoint, (sid == LAYERS - 1 && end ? b.marker() : b).build());
                seq = (seq + 1) & 0xFFFF;
            }
            frameNumber = (frameNumber + 1) & 0xFFFF;
        }
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

    /**
     * The spatial layers that reached the subscriber in each picture; checks sequence and marker continuity,
     * and that each packet's descriptor comes under the subscriber's id and parses against what it got.
     */
    private List<TreeSet<Integer>> checkAndGroup(List<RtpPacket> got) {
        List<TreeSet<Integer>> pictures = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            RtpPacket p = got.get(i);
            if (i == 0 || p.timestamp() != got.get(i - 1).timestamp()) {
                pictures.add(new TreeSet<>());
            }
            int at = p.extensionOffset(BOB_DD);
            assertTrue(at >= 0, "the descriptor under the subscriber's id, at " + i);
            assertEquals(-1, p.extensionOffset(PUB_DD), "not under the publisher's id, at " + i);
            assertEquals(
                    DependencyDescriptor.Outcome.OK,
                    received.parse(p.buffer(), at, p.extensionLength(BOB_DD)),
                    "parses for the subscriber at " + i);
            pictures.get(pictures.size() - 1).add(received.spatialId());
            if (i > 0) {
                assertEquals(
                        (got.get(i - 1).sequenceNumber() + 1) & 0xFFFF, p.sequenceNumber(), "no sequence gap at " + i);
            }
            boolean lastOfPicture = i == got.size() - 1 || got.get(i + 1).timestamp() != p.timestamp();
            if (i < got.size() - 1) {
                assertEquals(lastOfPicture, p.marker(), "marker on the last packet of a picture only, at " + i);
                if (lastOfPicture) {
                    assertTrue(received.endOfFrame(), "the marked packet ends its layer's frame");
                }
            }
        }
        return pictures;
    }

    @Test
    void everyLayerGoesToASubscriberThatAsksForNothingLessWithItsSizesFromTheStructure() {
        Consumer c = setUp();
        picture(true);
        for (int i = 0; i < 7; i++) {
            picture(false);
        }
        List<RtpPacket> got = bobMedia();
        assertEquals(8 * 6, got.size());
        assertEquals(7, got.get(0).sequenceNumber());
        assertTrue(received.structure().templateCount() == 0, "not parsed yet");
        checkAndGroup(got).forEach(p -> assertEquals(List.of(0, 1, 2), List.copyOf(p)));
        assertEquals(12, received.structure().templateCount(), "the structure reached the subscriber");
        assertEquals(2, c.currentSpatialLayer());
        JsonNode svc = h.router.toJson().findValue("svc");
        assertEquals(3, svc.get("spatialLayers").asInt());
        assertEquals(1280, svc.get("layers").get(2).get("width").asInt());
        assertEquals(180, svc.get("layers").get(0).get("height").asInt());
    }

    @Test
    void aSmallTileGetsTheLowerLayersAtOnceAndTheTopOneFromTheNextKeyFrame() {
        Consumer c = setUp();
        picture(true);
        picture(false);
        c.setViewSize(300, 170, h.clock.nowNanos());
        assertEquals(0, c.targetLayer(), "320x180 covers a 300x170 tile");
        for (int i = 0; i < 6; i++) {
            picture(false);
        }
        List<TreeSet<Integer>> pictures = checkAndGroup(bobMedia());
        assertEquals(8, pictures.size());
        pictures.subList(2, 8).forEach(p -> assertEquals(List.of(0), List.copyOf(p), "down at the next picture"));
        assertEquals(24, h.router.drops().get(DropReason.SPATIAL_LAYER_DROPPED));
        int plisBefore = Rtcp.countPlis(alice.rtcp, PUB_SSRC);

        c.setViewSize(1280, 720, h.clock.nowNanos());
        assertEquals(2, c.targetLayer());
        assertEquals(plisBefore + 1, Rtcp.countPlis(alice.rtcp, PUB_SSRC), "going up asks for a key frame");
        bob.clear();
        picture(false);
        picture(true);
        picture(false);
        pictures = checkAndGroup(bobMedia());
        assertEquals(List.of(0), List.copyOf(pictures.get(0)), "no upper layer without its references");
        assertEquals(List.of(0, 1, 2), List.copyOf(pictures.get(1)), "up at the key frame");
        assertEquals(List.of(0, 1, 2), List.copyOf(pictures.get(2)));
        assertFalse(c.isSwitchPending());
    }

    @Test
    void aCappedSubscriberGetsTheBaseLayerAtAQuarterOfTheFrameRateWithoutGaps() {
        Consumer c = setUp();
        c.setBandwidthRung(QualityLadder.of(0, 0), h.clock.nowNanos());
        picture(true);
        for (int i = 0; i < 11; i++) {
            picture(false);
        }
        List<TreeSet<Integer>> pictures = checkAndGroup(bobMedia());
        assertEquals(3, pictures.size(), "pictures 0, 4 and 8: temporal layer 0 only");
        pictures.forEach(p -> assertEquals(List.of(0), List.copyOf(p)));
        assertEquals(0, c.currentTemporalLayer());
        assertEquals(0, c.currentSpatialLayer());
    }

    @Test
    void descriptorsTheSfuCannotPlaceAreCountedAndTheStreamGoesOnFromTheNextKeyFrame() {
        setUp();
        int plis = Rtcp.countPlis(alice.rtcp, PUB_SSRC);
        picture(false); // joined after the key frame: no structure yet
        assertEquals(6, h.router.drops().get(DropReason.UNKNOWN_DEPENDENCY_TEMPLATE));
        assertTrue(Rtcp.countPlis(alice.rtcp, PUB_SSRC) > plis, "a key frame is asked for");
        picture(true);
        h.rtp(
                aliceEndpoint,
                RtpBuilder.rtp(PUB_SSRC, seq, ts)
                        .pt(PUB_PT)
                        .ext(PUB_DD, (byte) 0x80, (byte) 0)
                        .payload(new byte[] {0x10, 1})
                        .build());
        seq = (seq + 1) & 0xFFFF;
        picture(false);
        assertEquals(1, h.router.drops().get(DropReason.MALFORMED_DEPENDENCY_DESCRIPTOR));
        assertEquals(12, bobMedia().size(), "both good pictures forwarded");
    }
}
