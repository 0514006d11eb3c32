package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.MediaKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Field-by-field parsing of real Chromium offers. */
class SdpParserFixtureTest {
    private static final String STREAM = "789961ba-c6d2-4681-a005-debea19e61d4";
    private static final String AUDIO_TRACK = "e22d7e0c-30b4-499a-9268-42eb6136d557";
    private static final String VIDEO_TRACK = "9e8dd6c5-b009-4e45-8fe9-148e8945c25b";
    private static final String FINGERPRINT =
            "EC:24:42:2C:B2:04:D6:68:28:02:12:BB:B0:B4:86:F8:73:25:31:6F:DE:97:91:D3:47:32:0F:22:4C:E7:D4:55";

    @Test
    void publishOfferSessionLevel() {
        SessionDescription offer = Fixtures.parsed(Fixtures.PUBLISH);
        assertEquals("-", offer.origin().username());
        assertEquals("IN", offer.origin().networkType());
        assertEquals("IP4", offer.origin().addressType());
        assertEquals("127.0.0.1", offer.origin().address());
        assertEquals("-", offer.sessionName());
        assertEquals(List.of("0", "1"), offer.bundleGroup().orElseThrow().mids());
        assertTrue(offer.extmapAllowMixed());
        assertFalse(offer.iceLite());
        // Chrome writes ICE and DTLS attributes per m= section, none at session level.
        assertEquals(Optional.empty(), offer.iceUfrag());
        assertEquals(Optional.empty(), offer.fingerprint());
        assertEquals(2, offer.media().size());
    }

    @Test
    void publishOfferAudioSection() {
        MediaSection audio = Fixtures.parsed(Fixtures.PUBLISH).media().get(0);
        assertEquals(0, audio.index());
        assertEquals(MediaKind.AUDIO, audio.kind());
        assertEquals("UDP/TLS/RTP/SAVPF", audio.protocol());
        assertEquals(Optional.of("0"), audio.mid());
        assertEquals(Direction.SENDONLY, audio.direction());
        assertFalse(audio.rejected());
        assertTrue(audio.port() > 0);
        assertTrue(audio.rtcpMux());
        assertTrue(audio.rtcpRsize());
        assertEquals(SetupRole.ACTPASS, audio.setup().orElseThrow());
        assertEquals("sha-256", audio.fingerprint().orElseThrow().hashFunction());
        assertTrue(audio.fingerprint().orElseThrow().isWellFormed());
        assertTrue(audio.iceUfrag().orElseThrow().length() >= 4);
        assertTrue(audio.icePwd().orElseThrow().length() >= 22);
        assertFalse(audio.candidates().isEmpty());
        assertTrue(audio.candidates().stream().allMatch(c -> c.startsWith("candidate:")));
        assertTrue(audio.candidates().stream().anyMatch(c -> c.contains(" 127.0.0.1 ") && c.contains(" udp ")));

        assertEquals(List.of("111", "63", "9", "0", "8", "13", "110", "126"), audio.formats());
        PayloadFormat opus = audio.codecs().get(0);
        assertEquals(111, opus.payloadType());
        assertEquals("opus", opus.name());
        assertEquals(48000, opus.clockRate());
        assertEquals(2, opus.channels());
        assertEquals(Map.of("minptime", "10", "useinbandfec", "1"), opus.parameters());
        assertEquals(
                List.of("minptime", "useinbandfec"),
                List.copyOf(opus.parameters().keySet()));
        assertEquals(List.of("transport-cc"), opus.feedback());
        PayloadFormat red = audio.codec(63).orElseThrow();
        assertEquals("red", red.name());
        assertEquals(Map.of("111/111", ""), red.parameters());
        assertEquals("PCMU", audio.codec(0).orElseThrow().name());
        assertEquals(1, audio.codec(0).orElseThrow().channels());

        assertEquals(4, audio.extensions().size());
        assertEquals(
                1,
                audio.extension("urn:ietf:params:rtp-hdrext:ssrc-audio-level")
                        .orElseThrow()
                        .id());
        assertEquals(
                4,
                audio.extension("urn:ietf:params:rtp-hdrext:sdes:mid")
                        .orElseThrow()
                        .id());
        assertEquals(Optional.empty(), audio.extensions().get(0).direction());

        assertEquals(new Msid(STREAM, AUDIO_TRACK), audio.msid().orElseThrow());
        assertEquals(1, audio.ssrcs().size());
        SsrcDescription ssrc = audio.ssrcs().get(0);
        assertEquals(1856735486L, ssrc.ssrc());
        assertEquals(Optional.of("BdwNkYyPa8qBi43U"), ssrc.cname());
        assertEquals(Optional.of(new Msid(STREAM, AUDIO_TRACK)), ssrc.msid());
        assertTrue(audio.ssrcGroups().isEmpty());
        assertTrue(audio.rids().isEmpty());
        assertEquals(Optional.empty(), audio.simulcast());
    }

    @Test
    void publishOfferVideoSection() {
        MediaSection video = Fixtures.parsed(Fixtures.PUBLISH).media().get(1);
        assertEquals(MediaKind.VIDEO, video.kind());
        assertEquals(9, video.port());
        assertEquals(Optional.of("1"), video.mid());
        assertEquals(Direction.SENDONLY, video.direction());
        assertTrue(video.candidates().isEmpty(), "Chrome puts bundled candidates in the first m= only");

        PayloadFormat vp8 = video.codecs().get(0);
        assertEquals(96, vp8.payloadType());
        assertEquals("VP8", vp8.name());
        assertEquals(90000, vp8.clockRate());
        assertEquals(List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"), vp8.feedback());
        PayloadFormat rtx = video.rtxFor(96).orElseThrow();
        assertEquals(97, rtx.payloadType());
        assertTrue(rtx.isRtx());
        assertEquals(96, rtx.associatedPayloadType().getAsInt());
        assertEquals(97, video.rtxPayloadTypes().get(96));
        assertEquals(103, video.rtxPayloadTypes().get(102));
        PayloadFormat h264 = video.codec(102).orElseThrow();
        assertEquals("H264", h264.name());
        assertEquals("42001f", h264.parameters().get("profile-level-id"));
        assertEquals("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", h264.fmtpValue());
        assertEquals("0", video.codec(98).orElseThrow().parameters().get("profile-id"));
        assertEquals(video.formats().size(), video.codecs().size());

        assertEquals(
                11,
                video.extension("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id")
                        .orElseThrow()
                        .id());
        assertEquals(
                14,
                video.extension("urn:ietf:params:rtp-hdrext:toffset")
                        .orElseThrow()
                        .id());

        assertEquals(new Msid(STREAM, VIDEO_TRACK), video.msid().orElseThrow());
        SsrcGroup fid = video.ssrcGroups().get(0);
        assertTrue(fid.isFid());
        assertEquals(List.of(437219302L, 915377074L), fid.ssrcs());
        assertEquals(2, video.ssrcs().size());
        assertEquals(
                Optional.of("BdwNkYyPa8qBi43U"),
                video.ssrc(915377074L).orElseThrow().cname());
    }

    @Test
    void publishReceiveOfferHasThreeRecvonlySections() {
        SessionDescription offer = Fixtures.parsed(Fixtures.PUBLISH_RECEIVE);
        assertEquals(
                List.of("0", "1", "2", "3", "4"),
                offer.bundleGroup().orElseThrow().mids());
        assertEquals(
                List.of(MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.VIDEO),
                offer.media().stream().map(MediaSection::kind).toList());
        assertEquals(
                List.of(
                        Direction.SENDONLY,
                        Direction.SENDONLY,
                        Direction.RECVONLY,
                        Direction.RECVONLY,
                        Direction.RECVONLY),
                offer.media().stream().map(MediaSection::direction).toList());
        MediaSection recvVideo = offer.sectionByMid("3").orElseThrow();
        assertEquals(3, recvVideo.index());
        assertTrue(recvVideo.ssrcs().isEmpty());
        assertTrue(recvVideo.msids().isEmpty());
        // The receive side offers more codecs than the send side, under the same numbers.
        assertEquals(34, recvVideo.formats().size());
        assertEquals("flexfec-03", recvVideo.codec(49).orElseThrow().name());
        assertEquals("VP8", recvVideo.codec(96).orElseThrow().name());
        // Every section shares the one transport.
        String ufrag = offer.media().get(0).iceUfrag().orElseThrow();
        assertTrue(
                offer.media().stream().allMatch(m -> m.iceUfrag().orElseThrow().equals(ufrag)));
        assertTrue(offer.media().stream()
                .allMatch(m -> m.fingerprint().orElseThrow().value().equals(FINGERPRINT)));
    }

    @Test
    void stoppedTransceiverIsRejectedAndLeftOutOfBundle() {
        SessionDescription offer = Fixtures.parsed(Fixtures.RENEGOTIATE_STOPPED);
        assertEquals(5, offer.media().size());
        assertEquals("4", offer.origin().sessionVersion());
        MediaSection stopped = offer.media().get(3);
        assertEquals(0, stopped.port());
        assertTrue(stopped.rejected());
        assertFalse(stopped.bundleOnly());
        assertEquals(Optional.of("3"), stopped.mid());
        assertEquals(Direction.INACTIVE, stopped.direction());
        assertEquals(
                List.of("0", "1", "2", "4"), offer.bundleGroup().orElseThrow().mids());
        assertFalse(offer.media().get(4).rejected());
    }

    @Test
    void simulcastOfferHasRidsAndNoSsrcs() {
        MediaSection video = Fixtures.parsed(Fixtures.SIMULCAST).media().get(1);
        assertEquals(List.of(new Rid("q", true, ""), new Rid("h", true, ""), new Rid("f", true, "")), video.rids());
        Simulcast simulcast = video.simulcast().orElseThrow();
        assertEquals(
                List.of(
                        List.of(new Simulcast.Layer("q", false)),
                        List.of(new Simulcast.Layer("h", false)),
                        List.of(new Simulcast.Layer("f", false))),
                simulcast.send());
        assertTrue(simulcast.receive().isEmpty());
        assertTrue(video.ssrcs().isEmpty(), "Chrome announces simulcast layers by rid only");
        assertEquals(
                10,
                video.extension("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")
                        .orElseThrow()
                        .id());
    }
}
