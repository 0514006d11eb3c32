package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayedTrackTest {
    private static final HeaderExtensionIds EXT = HeaderExtensionIds.NONE
            .with(RtpExtension.MID, 4)
            .with(RtpExtension.RTP_STREAM_ID, 10)
            .with(RtpExtension.REPAIRED_RTP_STREAM_ID, 11)
            .with(RtpExtension.TRANSPORT_CC, 3);

    @Test
    void aSimulcastCameraCrossesAsJsonUnchanged() throws Exception {
        PublishedTrack track = new PublishedTrack(
                "p1-t2",
                "p1",
                "1",
                MediaKind.VIDEO,
                TrackSource.CAMERA,
                Codec.VP8,
                ProducerParams.NONE,
                List.of("l", "m", "h"));
        ProducerParams params = ProducerParams.simulcast("p1-t2", Codec.VP8, 96, EXT, "1", List.of("l", "m", "h"))
                .withRtxPayloadType(97)
                .withMid("1");
        RelayedTrack t = new RelayedTrack(track, params);
        String wire = t.toJson().toString();
        RelayedTrack back = RelayedTrack.fromJson(new ObjectMapper().readTree(wire));
        assertSame(t, back);
    }

    @Test
    void aMicrophoneWithRedAndAPlainStreamWithRtxCrossUnchanged() throws Exception {
        PublishedTrack mic =
                new PublishedTrack("p1-t1", "p1", "0", MediaKind.AUDIO, TrackSource.MIC, Codec.OPUS, 1234L, List.of());
        ProducerParams micParams =
                ProducerParams.of("p1-t1", Codec.OPUS, 1234L, 111, EXT).withRed(63);
        PublishedTrack screen = new PublishedTrack(
                "p1-t3", "p1", "2", MediaKind.VIDEO, TrackSource.SCREEN, Codec.VP8, 5678L, List.of());
        ProducerParams screenParams = ProducerParams.of("p1-t3", Codec.VP8, 5678L, 96, EXT)
                .withRtx(5679L, 97)
                .withScreen(true)
                .withMid("2");
        ObjectMapper json = new ObjectMapper();
        for (RelayedTrack t : List.of(new RelayedTrack(mic, micParams), new RelayedTrack(screen, screenParams))) {
            assertSame(t, RelayedTrack.fromJson(json.readTree(t.toJson().toString())));
        }
    }

    /** Equal in every field (extension ids have no equals of their own: compared by their JSON). */
    private static void assertSame(RelayedTrack expected, RelayedTrack actual) {
        assertEquals(expected.track(), actual.track());
        assertEquals(
                expected.params().extensions().toJson(),
                actual.params().extensions().toJson());
        assertEquals(expected.params().encodings(), actual.params().encodings());
        assertEquals(expected.toJson(), actual.toJson());
    }

    @Test
    void anythingElseIsRefusedWithWhatIsWrong() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThrows(IllegalArgumentException.class, () -> RelayedTrack.fromJson(json.readTree("{}")));
        assertThrows(IllegalArgumentException.class, () -> RelayedTrack.fromJson(json.readTree("[1,2]")));
        PublishedTrack mic =
                new PublishedTrack("p1-t1", "p1", "0", MediaKind.AUDIO, TrackSource.MIC, Codec.OPUS, 1234L, List.of());
        ObjectNode bad = new RelayedTrack(mic, ProducerParams.of("p1-t1", Codec.OPUS, 1234L, 111, EXT)).toJson();
        bad.put("codec", "NOPE");
        assertThrows(IllegalArgumentException.class, () -> RelayedTrack.fromJson(bad));
        bad.put("codec", "OPUS").put("payloadType", 300);
        assertThrows(IllegalArgumentException.class, () -> RelayedTrack.fromJson(bad));
        bad.put("payloadType", 111).putArray("encodings");
        assertThrows(IllegalArgumentException.class, () -> RelayedTrack.fromJson(bad));
    }
}
