package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.drop.DropReason;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Last-N through a router on the fake clock: a subscriber gets the cameras of the N most recent
 * speakers (then the others in subscription order), screen shares always, nothing it does not
 * show; the rest are paused at the SFU and its listener hears which.
 */
class LastNTest {
    private static final int LEVEL_ID = 5;
    private static final HeaderExtensionIds EXT = HeaderExtensionIds.NONE.with(RtpExtension.AUDIO_LEVEL, LEVEL_ID);
    private static final int PUBLISHERS = 4;

    private final ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
            .rtcpIntervalMillis(1_000_000)
            .pliMinIntervalMillis(0)
            .cname("sfu")
            .lastN(2)
            .build());
    private final List<String> paused = new ArrayList<>();
    private final Endpoint[] publishers = new Endpoint[PUBLISHERS];
    private final RecordingSender sub = new RecordingSender();
    private final Consumer[] cameras = new Consumer[PUBLISHERS];
    private final int[] seq = new int[PUBLISHERS];
    private final int[] videoSeq = new int[PUBLISHERS];
    private Consumer screen;

    LastNTest() {
        h.router.setListener(new Router.Listener() {
            @Override
            public void onDominantSpeaker(String endpointId) {}

            @Override
            public void onVideosPaused(String endpointId, List<String> consumerIds) {
                paused.clear();
                paused.addAll(consumerIds);
            }
        });
        h.endpoint("sub", sub, 0xB0);
        for (int i = 0; i < PUBLISHERS; i++) {
            publishers[i] = h.endpoint("p" + i, new RecordingSender(), 0xA0 + i);
            h.router.addProducer("p" + i, ProducerParams.of("mic" + i, Codec.OPUS, 0x100 + i, 111, EXT));
            h.router.addProducer("p" + i, ProducerParams.of("cam" + i, Codec.VP8, 0x200 + i, 96, EXT));
        }
        h.router.addProducer(
                "p3", ProducerParams.of("screen3", Codec.VP8, 0x300, 96, EXT).withScreen(true));
        for (int i = 0; i < PUBLISHERS; i++) {
            cameras[i] = h.router.addConsumer(
                    "sub", "cam" + i, ConsumerParams.of("c" + i, 0xC00 + i, 96, HeaderExtensionIds.NONE, 0));
        }
        screen = h.router.addConsumer("sub", "screen3", ConsumerParams.of("s3", 0xD00, 96, HeaderExtensionIds.NONE, 0));
    }

    private List<Boolean> selected() {
        List<Boolean> s = new ArrayList<>();
        for (Consumer c : cameras) {
            s.add(c.isSelected());
        }
        return s;
    }

    /** {@code ms} of audio in which publisher {@code speaker} talks, and a keyframe on every camera. */
    private void talk(int speaker, long ms) {
        for (long t = 0; t < ms; t += 20) {
            for (int i = 0; i < PUBLISHERS; i++) {
                int level = i == speaker && (t % 200) >= 40 ? 25 : 75;
                h.rtp(
                        publishers[i],
                        RtpBuilder.rtp(0x100 + i, seq[i]++ & 0xFFFF, t * 48)
                                .pt(111)
                                .ext(LEVEL_ID, (byte) level)
                                .payload(new byte[] {1})
                                .build());
            }
            h.advanceMillis(20);
        }
        for (int i = 0; i < PUBLISHERS; i++) {
            h.rtp(
                    publishers[i],
                    RtpBuilder.rtp(0x200 + i, videoSeq[i]++, videoSeq[i] * 3000L)
                            .pt(96)
                            .payload(RtpBuilder.vp8Keyframe())
                            .build());
        }
    }

    @Test
    void theMostRecentSpeakersCamerasAreForwardedAndTheRestPaused() {
        assertEquals(List.of(true, true, false, false), selected(), "no speaker yet: subscription order");
        assertEquals(List.of("c2", "c3"), paused);
        assertTrue(screen.isSelected(), "a screen share is never counted");

        talk(3, 1_000);
        assertEquals(List.of(true, false, false, true), selected(), "p3 spoke");
        assertEquals(1, cameras[0].packetsSent(), "selected: its keyframe went out");
        assertEquals(0, cameras[1].packetsSent(), "not selected: nothing");
        talk(2, 1_000);
        assertEquals(List.of(false, false, true, true), selected(), "p2, then p3");
        assertEquals(List.of("c0", "c1"), paused);
        assertEquals(1, cameras[0].packetsSent(), "out of the selection: its next keyframe stayed here");
        assertEquals(2, cameras[3].packetsSent(), "p3's camera flows");
        assertEquals(1, cameras[2].packetsSent(), "back in the selection, p2 restarted on its keyframe");
        assertTrue(h.router.drops().get(DropReason.NOT_SELECTED) >= 3, "paused cameras are counted");
    }

    @Test
    void aTileTheSubscriberDoesNotShowLeavesRoomForTheNextAndTheClientMayAskForFewer() {
        h.router.setViewSize("c0", 0, 0);
        assertEquals(List.of(false, true, true, false), selected(), "c0 is not shown: c2 takes its place");
        h.router.setViewSize("c0", 320, 180);
        assertEquals(List.of(true, true, false, false), selected());
        h.router.setLastN("sub", 1);
        assertEquals(List.of(true, false, false, false), selected(), "the client's own N, lower");
        h.router.setLastN("sub", 5);
        assertEquals(List.of(true, true, false, false), selected(), "never above the server's");
        assertFalse(h.router.endpoint("sub").toJson().get("videoSelection").isEmpty());
    }
}
