package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * H264 in answers to Chromium 156 offers (which list VP8, then H264 in six forms): which form is taken,
 * that its fmtp and RTX come along, and the video codec list a room narrows the policy to.
 */
class H264AnswerTest {
    private static final CodecPolicy H264_ROOM = CodecPolicy.DEFAULT.withVideo(List.of("H264"));

    private static Answer answer(String offer, CodecPolicy policy, int maxLayers) throws SdpException {
        return AnswerBuilder.forOffer(SdpParser.parse(offer))
                .transport(AnswerForChrome.TRANSPORT)
                .origin(77, 3)
                .codecPolicy(policy)
                .acceptSimulcast(maxLayers)
                .build();
    }

    @Test
    void anH264RoomTakesConstrainedBaselineInPacketizationMode1WithItsFmtpAndRtx() throws SdpException {
        Answer answer = answer(Fixtures.text(Fixtures.PUBLISH), H264_ROOM, 0);
        NegotiatedSection video = answer.section("1").orElseThrow();

        // Chrome's 108 is 42e01f, mode 1; 102 (42001f, Baseline without the constraint) comes first in its offer.
        assertEquals(OptionalInt.of(108), video.payloadType());
        assertEquals(OptionalInt.of(109), video.rtxPayloadType());
        MediaSection parsed = SdpParser.parse(answer.sdp()).sectionByMid("1").orElseThrow();
        assertEquals(
                List.of(108, 109),
                parsed.codecs().stream().map(PayloadFormat::payloadType).toList(),
                "only the chosen H264 and its RTX are answered");
        assertEquals(
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                parsed.codec(108).orElseThrow().fmtpValue());
        assertEquals("apt=108", parsed.codec(109).orElseThrow().fmtpValue());
        assertTrue(parsed.codec(108).orElseThrow().hasFeedback("nack pli"));
        assertTrue(parsed.codec(108).orElseThrow().hasFeedback("transport-cc"));
    }

    @Test
    void theDefaultPolicyPrefersVp8AndFallsBackToH264() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH);
        assertEquals(
                "VP8",
                answer(offer, CodecPolicy.DEFAULT, 0)
                        .section("1")
                        .orElseThrow()
                        .codecs()
                        .orElseThrow()
                        .media()
                        .name());

        String h264Only = offer.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP7/90000");
        assertEquals(
                OptionalInt.of(108),
                answer(h264Only, CodecPolicy.DEFAULT, 0)
                        .section("1")
                        .orElseThrow()
                        .payloadType());
    }

    @Test
    void onlyConstrainedBaselineInMode1IsTaken() throws SdpException {
        // Without 42e01f mode 1 Chrome's other constrained-baseline level would do; here none is left.
        String noConstrained =
                Fixtures.text(Fixtures.PUBLISH).replace("profile-level-id=42e01f", "profile-level-id=42001f");
        NegotiatedSection video =
                answer(noConstrained, H264_ROOM, 0).section("1").orElseThrow();
        assertTrue(video.rejected());
        assertEquals(Optional.of("no acceptable video codec (we accept H264/90000)"), video.rejectReason());

        String otherLevel = Fixtures.text(Fixtures.PUBLISH)
                .replace(
                        "packetization-mode=1;profile-level-id=42e01f", "packetization-mode=1;profile-level-id=42e00d");
        MediaSection parsed = SdpParser.parse(answer(otherLevel, H264_ROOM, 0).sdp())
                .sectionByMid("1")
                .orElseThrow();
        assertEquals(
                "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e00d",
                parsed.codec(108).orElseThrow().fmtpValue(),
                "the offered level is echoed");
    }

    @Test
    void profileLevelIdIsConstrainedBaselineOnlyWithProfile66AndConstraintSet1() {
        assertTrue(CodecPolicy.isConstrainedBaseline("42e01f"));
        assertTrue(CodecPolicy.isConstrainedBaseline("42C034"));
        assertTrue(CodecPolicy.isConstrainedBaseline("42401f"));
        assertFalse(CodecPolicy.isConstrainedBaseline("42001f"), "Baseline");
        assertFalse(CodecPolicy.isConstrainedBaseline("4d001f"), "Main");
        assertFalse(CodecPolicy.isConstrainedBaseline("640c1f"), "High");
        assertFalse(CodecPolicy.isConstrainedBaseline("42e01"));
        assertFalse(CodecPolicy.isConstrainedBaseline("zze01f"));
        assertFalse(CodecPolicy.isConstrainedBaseline(null));
    }

    @Test
    void theVideoCodecsALineOffersAreListedInTheSfusOrder() throws SdpException {
        SessionDescription offer = Fixtures.parsed(Fixtures.PUBLISH);
        assertEquals(
                List.of("VP8", "H264", "VP9", "AV1"),
                CodecPolicy.videoCodecsOffered(offer.sectionByMid("1").orElseThrow()));
        assertEquals(
                List.of(),
                CodecPolicy.videoCodecsOffered(offer.sectionByMid("0").orElseThrow()),
                "audio");
        SessionDescription noH264 = SdpParser.parse(Fixtures.text(Fixtures.PUBLISH)
                .replace(
                        "packetization-mode=1;profile-level-id=42e01f",
                        "packetization-mode=0;profile-level-id=42e01f"));
        assertEquals(
                List.of("VP8", "VP9", "AV1"),
                CodecPolicy.videoCodecsOffered(noH264.sectionByMid("1").orElseThrow()));
    }

    @Test
    void videoCodecNamesAreCheckedAndCanonical() {
        assertEquals("H264", CodecPolicy.videoCodec("h264"));
        assertEquals(
                List.of("H264", "VP8"),
                CodecPolicy.DEFAULT.withVideo(List.of("h264", "vp8")).videoCodecs());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CodecPolicy.DEFAULT.withVideo(List.of("VP7")));
        assertTrue(e.getMessage().contains("VP7"), e.getMessage());
    }

    @Test
    void h264SimulcastIsAccepted() throws SdpException {
        Answer answer = answer(Fixtures.text(Fixtures.SIMULCAST), H264_ROOM, 4);
        NegotiatedSection video = answer.sections().stream()
                .filter(s -> s.isSimulcast())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no simulcast line in " + answer.sdp()));
        assertEquals("H264", video.codecs().orElseThrow().media().name());
        assertEquals(List.of("q", "h", "f"), video.simulcastRids());
        assertTrue(answer.sdp().contains("a=simulcast:recv q;h;f"));
    }
}
