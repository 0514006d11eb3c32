package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.RtpExtension;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * How {@link AnswerBuilder} answers simulcast offers: Chrome's (rid-only), a Firefox-shaped one
 * (rids plus an SSRC per layer), and the offers it must answer as if there were no simulcast.
 */
class SimulcastAnswerTest {
    /** What the conference passes: ProducerParams.MAX_ENCODINGS. */
    private static final int MAX_LAYERS = 4;

    private static final String CHROME_VIDEO_RIDS = "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\n";
    private static final String CHROME_VIDEO_SIMULCAST = "a=simulcast:send q;h;f\r\n";

    private static Answer answer(String offerText, int maxLayers) throws SdpException {
        return AnswerBuilder.forOffer(SdpParser.parse(offerText))
                .transport(AnswerForChrome.TRANSPORT)
                .origin(77, 3)
                .acceptSimulcast(maxLayers)
                .build();
    }

    private static String chrome() {
        String offer = Fixtures.text(Fixtures.SIMULCAST);
        assertTrue(offer.contains(CHROME_VIDEO_RIDS + CHROME_VIDEO_SIMULCAST), "the fixture's simulcast lines");
        return offer;
    }

    /** Chrome's offer with its video's rid and simulcast lines replaced. */
    private static String chromeWith(String ridsAndSimulcast) {
        return chrome().replace(CHROME_VIDEO_RIDS + CHROME_VIDEO_SIMULCAST, ridsAndSimulcast);
    }

    /** The answer as a browser reads it, and the SFU's view of the same line: no simulcast either way. */
    private static void assertOneStream(Answer answer, String mid, String why) throws SdpException {
        assertFalse(answer.sdp().contains("a=rid"), answer.sdp());
        assertFalse(answer.sdp().contains("a=simulcast"), answer.sdp());
        MediaSection parsed = SdpParser.parse(answer.sdp()).sectionByMid(mid).orElseThrow();
        assertEquals(Direction.RECVONLY, parsed.direction(), "the line itself is still accepted");
        NegotiatedSection section = answer.section(mid).orElseThrow();
        assertFalse(section.isSimulcast());
        assertEquals(List.of(), section.simulcastRids());
        assertEquals(Optional.of(why), section.simulcastDeclined());
    }

    @Test
    void chromeSimulcastIsAnsweredWithItsRidsAsRecvInTheOffersOrder() throws SdpException {
        Answer answer = answer(chrome(), MAX_LAYERS);

        assertTrue(
                answer.sdp()
                        .contains("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                                + "a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n"),
                answer.sdp());
        SessionDescription parsed = SdpParser.parse(answer.sdp());
        MediaSection video = parsed.sectionByMid("1").orElseThrow();
        assertEquals(List.of(new Rid("q", false, ""), new Rid("h", false, ""), new Rid("f", false, "")), video.rids());
        Simulcast simulcast = video.simulcast().orElseThrow();
        assertEquals(List.of(), simulcast.send());
        assertEquals(
                List.of(
                        List.of(new Simulcast.Layer("q", false)),
                        List.of(new Simulcast.Layer("h", false)),
                        List.of(new Simulcast.Layer("f", false))),
                simulcast.receive());
        // The SFU learns each layer's SSRC from these three elements, so the answer must keep them.
        assertEquals(Optional.of(4), video.extension(RtpExtension.MID.uri()).map(HeaderExtension::id));
        assertEquals(
                Optional.of(10),
                video.extension(RtpExtension.RTP_STREAM_ID.uri()).map(HeaderExtension::id));
        assertEquals(
                Optional.of(11),
                video.extension(RtpExtension.REPAIRED_RTP_STREAM_ID.uri()).map(HeaderExtension::id));
        MediaSection audio = parsed.sectionByMid("0").orElseThrow();
        assertTrue(audio.rids().isEmpty());
        assertEquals(Optional.empty(), audio.simulcast());

        NegotiatedSection section = answer.section("1").orElseThrow();
        assertTrue(section.isSimulcast());
        assertEquals(List.of("q", "h", "f"), section.simulcastRids());
        assertEquals(Optional.empty(), section.simulcastDeclined());
        assertEquals(OptionalInt.of(96), section.payloadType());
        assertEquals(OptionalInt.of(97), section.rtxPayloadType());
        assertEquals(List.of(), section.publication().orElseThrow().streams());
        assertFalse(answer.section("0").orElseThrow().isSimulcast());
        assertEquals(Optional.empty(), answer.section("0").orElseThrow().simulcastDeclined());
    }

    @Test
    void firefoxSimulcastIsAcceptedAndItsSsrcLinesAreNotUsed() throws SdpException {
        String offer = Fixtures.text(Fixtures.FIREFOX_LIKE_SIMULCAST);
        MediaSection offered = SdpParser.parse(offer).sectionByMid("1").orElseThrow();
        // What the SSRC lines alone would say: three streams, in an order that is not the rids'.
        assertEquals(
                List.of(3411002003L, 3411002001L, 3411002002L),
                Publication.of(offered).streams().stream()
                        .map(Publication.Stream::ssrc)
                        .toList());

        Answer answer = answer(offer, MAX_LAYERS);

        assertTrue(
                answer.sdp().contains("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n"),
                answer.sdp());
        NegotiatedSection video = answer.section("1").orElseThrow();
        assertEquals(List.of("q", "h", "f"), video.simulcastRids());
        assertEquals(OptionalInt.of(120), video.payloadType());
        assertEquals(OptionalInt.of(124), video.rtxPayloadType());
        assertEquals(OptionalInt.of(3), video.extensionId(RtpExtension.MID.uri()));
        assertEquals(OptionalInt.of(8), video.extensionId(RtpExtension.RTP_STREAM_ID.uri()));
        assertEquals(OptionalInt.of(9), video.extensionId(RtpExtension.REPAIRED_RTP_STREAM_ID.uri()));
        Publication publication = video.publication().orElseThrow();
        assertEquals(List.of(), publication.streams(), "layers' SSRCs are learnt from the rid extension");
        assertEquals(
                "{0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f}",
                publication.msid().orElseThrow().trackId());

        NegotiatedSection audio = answer.section("0").orElseThrow();
        assertFalse(audio.isSimulcast());
        assertEquals(
                List.of(new Publication.Stream(2349012001L, OptionalLong.empty())),
                audio.publication().orElseThrow().streams());
    }

    @Test
    void alternativesAnswerTheFirstAndPausedLayersStayPaused() throws SdpException {
        String offer = chromeWith(
                "a=rid:q send\r\na=rid:h send\r\na=rid:x send\r\na=rid:f send\r\na=simulcast:send q;h,x;~f\r\n");

        Answer answer = answer(offer, MAX_LAYERS);

        assertTrue(
                answer.sdp().contains("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;~f\r\n"),
                answer.sdp());
        assertFalse(answer.sdp().contains("a=rid:x"), "an alternative left out is not answered");
        NegotiatedSection video = answer.section("1").orElseThrow();
        assertEquals(List.of("q", "h", "f"), video.simulcastRids());
        assertEquals(
                List.of(
                        new Simulcast.Layer("q", false),
                        new Simulcast.Layer("h", false),
                        new Simulcast.Layer("f", true)),
                video.simulcastLayers());
    }

    @Test
    void asManyLayersAsTheMaximumAreAcceptedOneMoreIsNot() throws SdpException {
        String four = chromeWith(
                "a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\n" + "a=simulcast:send a;b;c;d\r\n");
        assertEquals(
                List.of("a", "b", "c", "d"),
                answer(four, MAX_LAYERS).section("1").orElseThrow().simulcastRids());

        String five = four.replace("a=rid:d send\r\n", "a=rid:d send\r\na=rid:e send\r\n")
                .replace("a=simulcast:send a;b;c;d\r\n", "a=simulcast:send a;b;c;d;e\r\n");
        assertOneStream(answer(five, MAX_LAYERS), "1", "5 layers offered, at most 4 accepted");
    }

    @Test
    void withoutTheRidOrMidExtensionTheLayersCouldNotBeToldApart() throws SdpException {
        String noRid = chrome().replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", "");
        assertOneStream(answer(noRid, MAX_LAYERS), "1", "the rtp-stream-id header extension is not negotiated");

        String noMid = chrome().replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n", "");
        assertOneStream(answer(noMid, MAX_LAYERS), "1", "the MID header extension is not negotiated");
    }

    @Test
    void simulcastTurnedOffOrNotAskedForAnswersOneStream() throws SdpException {
        assertOneStream(answer(chrome(), 0), "1", "simulcast is turned off");

        Answer notAsked = AnswerBuilder.forOffer(SdpParser.parse(chrome()))
                .transport(AnswerForChrome.TRANSPORT)
                .origin(77, 3)
                .build();
        assertOneStream(notAsked, "1", "simulcast is turned off");
    }

    @Test
    void layersTheOfferDoesNotDescribeAsSentAreNotAccepted() throws SdpException {
        String missingRid = chromeWith("a=rid:q send\r\na=rid:h send\r\na=simulcast:send q;h;f\r\n");
        assertOneStream(answer(missingRid, MAX_LAYERS), "1", "layer f has no a=rid:f send");

        String recvRid = chromeWith("a=rid:q send\r\na=rid:h send\r\na=rid:f recv\r\na=simulcast:send q;h;f\r\n");
        assertOneStream(answer(recvRid, MAX_LAYERS), "1", "layer f has no a=rid:f send");

        String oneStream = chromeWith("a=rid:q send\r\na=simulcast:send q\r\n");
        assertOneStream(answer(oneStream, MAX_LAYERS), "1", "a=simulcast:send lists one stream");

        String twice = chromeWith("a=rid:q send\r\na=rid:h send\r\na=simulcast:send q;h;q\r\n");
        assertOneStream(answer(twice, MAX_LAYERS), "1", "rid q is listed twice");

        String tooLong =
                chromeWith("a=rid:q send\r\na=rid:abcdefghijklmnopq send\r\na=simulcast:send q;abcdefghijklmnopq\r\n");
        assertOneStream(answer(tooLong, MAX_LAYERS), "1", "rid 'abcdefghijklmnopq' is not 1-16 of [A-Za-z0-9_-]");
    }

    @Test
    void aRidRestrictedToOtherPayloadTypesDeclinesSimulcast() throws SdpException {
        String onlyH264 = chromeWith(
                "a=rid:q send pt=102;max-width=320\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n");
        assertOneStream(answer(onlyH264, MAX_LAYERS), "1", "rid q excludes payload type 96");

        String vp8Allowed = chromeWith(
                "a=rid:q send pt=102,96;max-width=320\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n");
        assertEquals(
                List.of("q", "h", "f"),
                answer(vp8Allowed, MAX_LAYERS).section("1").orElseThrow().simulcastRids());
    }

    @Test
    void aLineTheBrowserOnlyReceivesOnHasNoSimulcastToDecline() throws SdpException {
        String recvonly = chrome().replace(
                        "a=sendonly\r\na=msid:789961ba-c6d2-4681-a005-debea19e61d4 9e8dd6c5-b009-4e45-8fe9-148e8945c25b\r\n",
                        "a=recvonly\r\n");
        assertTrue(recvonly.contains("a=recvonly\r\n"));

        Answer answer = answer(recvonly, MAX_LAYERS);

        NegotiatedSection video = answer.section("1").orElseThrow();
        assertEquals(Direction.INACTIVE, video.direction(), "nothing to send there, nothing to receive");
        assertFalse(video.isSimulcast());
        assertEquals(Optional.empty(), video.simulcastDeclined());
        assertFalse(answer.sdp().contains("a=simulcast"));
    }
}
