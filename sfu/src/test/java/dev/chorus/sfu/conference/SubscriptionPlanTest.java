package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.ProducerParams;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which remote track goes on which of alice's receiving lines, with no SDP and no router. */
class SubscriptionPlanTest {
    private static final PublishedTrack BOB_MIC = track("bob-t1", "bob", MediaKind.AUDIO, Codec.OPUS);
    private static final PublishedTrack BOB_CAM = track("bob-t2", "bob", MediaKind.VIDEO, Codec.VP8);
    private static final PublishedTrack CAROL_MIC = track("carol-t1", "carol", MediaKind.AUDIO, Codec.OPUS);
    private static final PublishedTrack CAROL_CAM = track("carol-t2", "carol", MediaKind.VIDEO, Codec.VP8);

    private final SubscriptionPlan plan = new SubscriptionPlan("alice", new Random(7));

    private static PublishedTrack track(String producerId, String publisher, MediaKind kind, Codec codec) {
        TrackSource source = kind == MediaKind.AUDIO ? TrackSource.MIC : TrackSource.CAMERA;
        return new PublishedTrack(producerId, publisher, "0", kind, source, codec, 1000, List.of());
    }

    /** Receiving lines in offer order: alternating mid and codec. */
    private static Map<String, Codec> lines(Object... midThenCodec) {
        Map<String, Codec> lines = new LinkedHashMap<>();
        for (int i = 0; i < midThenCodec.length; i += 2) {
            lines.put((String) midThenCodec[i], (Codec) midThenCodec[i + 1]);
        }
        return lines;
    }

    private static Map<String, String> producersByMid(Map<String, SubscriptionPlan.Subscription> placement) {
        Map<String, String> m = new LinkedHashMap<>();
        placement.forEach((mid, s) -> m.put(mid, s.track().producerId()));
        return m;
    }

    private static Map<String, String> current(SubscriptionPlan plan) {
        Map<String, String> m = new LinkedHashMap<>();
        plan.subscriptions().forEach(s -> m.put(s.mid(), s.track().producerId()));
        return m;
    }

    @Test
    void aNewTrackGoesToTheFirstFreeLineOfItsCodec() {
        Map<String, SubscriptionPlan.Subscription> next =
                plan.place(lines("2", Codec.VP8, "3", Codec.OPUS, "4", Codec.VP8), List.of(BOB_CAM, BOB_MIC));

        assertEquals(Map.of("2", "bob-t2", "3", "bob-t1"), producersByMid(next));
        SubscriptionPlan.Subscription cam = next.get("2");
        SubscriptionPlan.Subscription mic = next.get("3");
        assertEquals("alice-c1", cam.consumerId());
        assertEquals("alice-c2", mic.consumerId());
        assertNotEquals(ProducerParams.NONE, cam.rtxSsrc(), "video is sent with an RTX stream");
        assertEquals(ProducerParams.NONE, mic.rtxSsrc(), "audio has no RTX");
        Set<Long> ssrcs = Set.of(cam.ssrc(), cam.rtxSsrc(), mic.ssrc());
        assertEquals(3, ssrcs.size(), "every SSRC differs");
        assertFalse(ssrcs.contains(0L));
    }

    @Test
    void placementKeepsEveryTrackOnTheLineItHas() {
        Map<String, Codec> lines = lines("2", Codec.VP8, "3", Codec.VP8, "4", Codec.OPUS);
        Map<String, SubscriptionPlan.Subscription> first = plan.place(lines, List.of(CAROL_CAM));
        plan.apply(first);
        assertEquals(Map.of("2", "carol-t2"), producersByMid(first));

        // Bob's camera comes first in publication order, yet Carol's keeps line 2.
        Map<String, SubscriptionPlan.Subscription> second = plan.place(lines, List.of(BOB_CAM, CAROL_CAM, BOB_MIC));
        assertEquals(Map.of("2", "carol-t2", "3", "bob-t2", "4", "bob-t1"), producersByMid(second));
        assertSame(first.get("2"), second.get("2"), "the same consumer and SSRCs carry on");

        SubscriptionPlan.Changes changes = plan.apply(second);
        assertEquals(List.of(), changes.removed());
        assertEquals(List.of(second.get("3"), second.get("4")), changes.added());
    }

    @Test
    void aRemovedTrackFreesItsLine() {
        Map<String, Codec> lines = lines("2", Codec.VP8, "3", Codec.VP8);
        Map<String, SubscriptionPlan.Subscription> both = plan.place(lines, List.of(BOB_CAM, CAROL_CAM));
        plan.apply(both);
        assertEquals(Map.of("2", "bob-t2", "3", "carol-t2"), producersByMid(both));

        List<PublishedTrack> bobLeft = List.of(CAROL_CAM);
        assertTrue(plan.anyGone(bobLeft));
        Map<String, SubscriptionPlan.Subscription> next = plan.place(lines, bobLeft);
        assertEquals(Map.of("3", "carol-t2"), producersByMid(next));
        SubscriptionPlan.Changes changes = plan.apply(next);
        assertEquals(List.of(both.get("2")), changes.removed(), "bob's consumer goes");
        assertEquals(List.of(), changes.added());
        assertFalse(plan.anyGone(bobLeft));

        PublishedTrack bobAgain = track("bob-t3", "bob", MediaKind.VIDEO, Codec.VP8);
        Map<String, SubscriptionPlan.Subscription> back = plan.place(lines, List.of(CAROL_CAM, bobAgain));
        assertEquals(Map.of("3", "carol-t2", "2", "bob-t3"), producersByMid(back), "line 2 is free again");
    }

    @Test
    void aLineThatStopsReceivingOrChangesCodecLosesItsTrackWhichMovesToAFreeLine() {
        plan.apply(plan.place(lines("2", Codec.OPUS, "3", Codec.VP8, "4", Codec.VP8), List.of(BOB_MIC, BOB_CAM)));
        assertEquals(Map.of("2", "bob-t1", "3", "bob-t2"), current(plan));

        // The browser stopped line 3 (as in chrome-renegotiate-stopped.sdp), and line 2 now is video.
        Map<String, SubscriptionPlan.Subscription> next =
                plan.place(lines("2", Codec.VP8, "4", Codec.VP8, "5", Codec.OPUS), List.of(BOB_MIC, BOB_CAM));
        assertEquals(Map.of("5", "bob-t1", "2", "bob-t2"), producersByMid(next));
        SubscriptionPlan.Changes changes = plan.apply(next);
        assertEquals(2, changes.removed().size());
        assertEquals(2, changes.added().size());
    }

    @Test
    void tracksWithoutAFreeLineAreCountedAsUnplaced() {
        List<PublishedTrack> available = List.of(BOB_MIC, BOB_CAM, CAROL_MIC, CAROL_CAM);
        assertEquals(4, plan.unplaced(available), "nothing placed yet");
        Map<String, SubscriptionPlan.Subscription> next = plan.place(lines("2", Codec.OPUS, "3", Codec.VP8), available);
        assertEquals(4, plan.unplaced(available), "a placement counts once applied");
        plan.apply(next);

        assertEquals(Map.of("2", "bob-t1", "3", "bob-t2"), producersByMid(next));
        assertEquals(2, plan.unplaced(available), "carol's tracks wait for more lines");
        assertEquals(0, plan.unplaced(List.of(BOB_MIC, BOB_CAM)));
    }

    @Test
    void ssrcsAreNeverZeroNorOneInUseAndComeBackWhenFreed() {
        // nextInt() yields 5, 5, 0, 6, then 5 again: the second 5 and the 0 are skipped.
        ArrayDeque<Integer> draws = new ArrayDeque<>(List.of(5, 5, 0, 6, 5));
        SubscriptionPlan scripted = new SubscriptionPlan("alice", new Random() {
            @Override
            public int nextInt() {
                return draws.remove();
            }
        });
        Map<String, SubscriptionPlan.Subscription> placed = scripted.place(lines("2", Codec.OPUS), List.of(BOB_MIC));
        assertEquals(5, placed.get("2").ssrc());
        assertEquals(6, scripted.newSsrc());
        scripted.apply(placed);
        scripted.apply(scripted.place(lines(), List.of(BOB_MIC)));
        assertEquals(5, scripted.newSsrc(), "the dropped subscription's SSRC is free again");
        assertTrue(draws.isEmpty());

        Set<Long> many = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(many.add(plan.newSsrc()), "unique");
        }
    }
}
