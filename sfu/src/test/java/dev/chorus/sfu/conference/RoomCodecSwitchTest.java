package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.PUBLISH;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.SdpParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The room's one video codec through real sessions and Chromium's offer (VP8 first, then H264): a room on VP8
 * moves to H264 when a participant who decodes only H264 offers (the others are asked to offer again, and their
 * camera becomes an H264 track), and a participant who decodes only VP8 is then refused.
 */
@Timeout(60)
class RoomCodecSwitchTest {
    private static final Map<String, String> MIC_CAMERA = Map.of("0", "mic", "1", "camera");
    /** Chromium's offer without VP8, VP9 and AV1: H264 is all it decodes. */
    private static final String H264_ONLY =
            withoutScalableCodecs(offer(PUBLISH)).replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP7/90000");
    /** Chromium's offer without VP9 and an H264 the SFU takes (mode 1): VP8 is all it decodes. */
    private static final String VP8_ONLY =
            withoutScalableCodecs(offer(PUBLISH)).replace("packetization-mode=1", "packetization-mode=0");

    private static String withoutScalableCodecs(String sdp) {
        // AV1 too: these browsers offering it, a room in which nothing else suits everyone would go AV1.
        return sdp.replace("a=rtpmap:98 VP9/90000", "a=rtpmap:98 VP7/90000")
                .replace("a=rtpmap:45 AV1/90000", "a=rtpmap:45 X-AV1/90000");
    }

    private TestConference conference;
    private final TestConference.Events aliceEvents = new TestConference.Events();
    private MediaSession alice;

    @BeforeEach
    void start() throws Exception {
        conference = new TestConference(1, 1024);
        alice = conference.service.room("r").join("alice", aliceEvents);
    }

    @AfterEach
    void stop() {
        conference.close();
    }

    private static String videoCodec(OfferOutcome outcome) throws Exception {
        MediaSection video = SdpParser.parse(outcome.sdp()).sectionByMid("1").orElseThrow();
        return video.codecs().get(0).name() + "/" + video.codecs().get(0).payloadType();
    }

    private PublishedTrack camera(MediaSession s) {
        return s.publishedTracks().stream()
                .filter(t -> t.kind() == MediaKind.VIDEO)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anH264OnlyParticipantMovesTheRoomToH264AndAVp8OnlyOneIsThenRefused() throws Exception {
        assertEquals("VP8/96", videoCodec(alice.handleOffer(offer(PUBLISH), MIC_CAMERA)));
        PublishedTrack vp8Camera = camera(alice);
        assertEquals(Codec.VP8, vp8Camera.codec());
        conference.runControlTasks();
        aliceEvents.seen.clear();

        MediaSession bob = conference.service.room("r").join("bob", new TestConference.Events());
        assertEquals("H264/108", videoCodec(bob.handleOffer(H264_ONLY, MIC_CAMERA)));
        conference.runControlTasks();
        assertTrue(
                aliceEvents.seen.stream().anyMatch(e -> e.startsWith("renegotiate")),
                "alice is asked to offer again: " + aliceEvents.seen);

        // Her next offer (the same browser, the same codecs) is answered in H264: her camera is a new track.
        assertEquals("H264/108", videoCodec(alice.handleOffer(offer(PUBLISH), MIC_CAMERA)));
        PublishedTrack h264Camera = camera(alice);
        assertEquals(Codec.H264, h264Camera.codec());
        assertNotEquals(vp8Camera.producerId(), h264Camera.producerId());

        MediaSession carol = conference.service.room("r").join("carol", new TestConference.Events());
        MediaException refused = assertThrows(MediaException.class, () -> carol.handleOffer(VP8_ONLY, MIC_CAMERA));
        assertEquals(MediaException.Kind.UNSUPPORTED_CODEC, refused.kind());
        assertTrue(refused.getMessage().contains("bob [H264]"), refused.getMessage());
        assertEquals(List.of(), carol.publishedTracks(), "nothing of the refused offer applies");
        assertEquals("H264/108", videoCodec(alice.handleOffer(offer(PUBLISH), MIC_CAMERA)), "the room stays");
    }
}
