package dev.chorus.testkit.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.sdp.Answer;
import dev.chorus.sfu.sdp.AnswerBuilder;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.Fingerprint;
import dev.chorus.sfu.sdp.LocalTransport;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.NegotiatedSection;
import dev.chorus.sfu.sdp.Publication;
import dev.chorus.sfu.sdp.RemoteTrack;
import dev.chorus.sfu.sdp.Rid;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import dev.chorus.sfu.sdp.SetupRole;
import dev.chorus.sfu.sdp.Simulcast;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The client offer is accepted by the SFU's own SDP parser and answer builder. */
class OfferWriterTest {
    static final Fingerprint CLIENT_FP = new Fingerprint(
            "sha-256",
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    static final LocalTransport CLIENT = new LocalTransport(
            "cliU",
            "clientPasswordClientPwd1",
            CLIENT_FP,
            List.of("candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"),
            true);
    static final LocalTransport SFU = new LocalTransport(
            "sfuU",
            "sfuPasswordSfuPassword1",
            new Fingerprint("sha-256", CLIENT_FP.value().replace("AB", "BA")),
            List.of("candidate:2 1 udp 2130706431 127.0.0.1 40000 typ host"),
            true);

    static final LocalTrack MIC = LocalTrack.audio(1111, "alice", "mic");
    static final LocalTrack CAM = LocalTrack.video(2222, 2223, "alice", "cam");
    static final List<OfferLine> LINES = List.of(
            OfferLine.send(MIC),
            OfferLine.send(CAM),
            OfferLine.recv(MediaKind.AUDIO),
            OfferLine.recv(MediaKind.VIDEO),
            OfferLine.recv(MediaKind.VIDEO));

    static String offer() {
        return new OfferWriter(CLIENT, "alice-cname", 42).write(1, LINES);
    }

    @Test
    void offerParsesWithTheSfuParserAndRoundTripsTransportAndTracks() throws Exception {
        String text = offer();
        assertTrue(text.endsWith("\r\n"));
        assertFalse(text.replace("\r\n", "").contains("\n"), "CRLF only");
        SessionDescription offer = SdpParser.parse(text);
        assertEquals(
                List.of("0", "1", "2", "3", "4"),
                offer.bundleGroup().orElseThrow().mids());
        assertEquals("42", offer.origin().sessionId());
        assertEquals(5, offer.media().size());
        List<Direction> directions = List.of(
                Direction.SENDONLY, Direction.SENDONLY, Direction.RECVONLY, Direction.RECVONLY, Direction.RECVONLY);
        List<MediaKind> kinds =
                List.of(MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.VIDEO);
        for (int i = 0; i < 5; i++) {
            MediaSection m = offer.media().get(i);
            assertEquals(Optional.of(Integer.toString(i)), m.mid());
            assertEquals(kinds.get(i), m.kind());
            assertEquals(directions.get(i), m.direction());
            assertEquals(Optional.of("cliU"), m.iceUfrag());
            assertEquals(Optional.of("clientPasswordClientPwd1"), m.icePwd());
            assertEquals(Optional.of(CLIENT_FP), m.fingerprint());
            assertEquals(Optional.of(SetupRole.ACTPASS), m.setup());
            assertEquals(CLIENT.candidates(), m.candidates());
            assertTrue(m.endOfCandidates());
            assertTrue(m.rtcpMux());
            assertTrue(m.rtcpRsize());
            assertEquals("UDP/TLS/RTP/SAVPF", m.protocol());
            assertTrue(m.extension(RtpExtension.MID.uri()).isPresent());
            assertTrue(m.extension(RtpExtension.TRANSPORT_CC.uri()).isPresent());
            assertEquals(
                    m.kind() == MediaKind.AUDIO,
                    m.extension(RtpExtension.AUDIO_LEVEL.uri()).isPresent());
        }
        MediaSection audio = offer.media().get(0);
        assertEquals("opus", audio.codec(111).orElseThrow().name());
        assertEquals(2, audio.codec(111).orElseThrow().channels());
        assertEquals("alice mic", audio.msid().orElseThrow().toString());
        assertEquals(Optional.of("alice-cname"), audio.ssrc(1111).orElseThrow().cname());
        MediaSection video = offer.media().get(1);
        assertEquals(List.of("96", "97"), video.formats());
        assertEquals(OptionalInt.of(96), video.codec(97).orElseThrow().associatedPayloadType());
        assertTrue(video.codec(96).orElseThrow().hasFeedback("nack pli"));
        assertEquals(List.of(2222L, 2223L), video.ssrcGroups().get(0).ssrcs());
        assertTrue(video.ssrcGroups().get(0).isFid());
        assertEquals(
                "alice cam", video.ssrc(2223).orElseThrow().msid().orElseThrow().toString());
        assertTrue(offer.media().get(3).ssrcs().isEmpty(), "recvonly lines announce no SSRC");
    }

    @Test
    void answerBuilderAcceptsPublicationsAndAssignsTracksToRecvLines() throws Exception {
        SessionDescription offer = SdpParser.parse(offer());
        Answer answer = AnswerBuilder.forOffer(offer)
                .transport(SFU)
                .origin(7, 1)
                .send("2", RemoteTrack.audio("bob", "mic", 5001, "bob-cname"))
                .send("3", RemoteTrack.video("bob", "cam", 5002, 5003, "bob-cname"))
                .build();
        for (NegotiatedSection s : answer.sections()) {
            assertFalse(s.rejected(), s.mid() + " rejected: " + s.rejectReason());
        }
        NegotiatedSection a = answer.section("0").orElseThrow();
        assertEquals(Direction.RECVONLY, a.direction());
        assertEquals(OptionalInt.of(111), a.payloadType());
        assertEquals(
                List.of(new Publication.Stream(1111, OptionalLong.empty())),
                a.publication().orElseThrow().streams());
        assertEquals(
                "alice mic", a.publication().orElseThrow().msid().orElseThrow().toString());
        assertEquals(Optional.of("alice-cname"), a.publication().orElseThrow().cname());
        NegotiatedSection v = answer.section("1").orElseThrow();
        assertEquals(OptionalInt.of(96), v.payloadType());
        assertEquals(OptionalInt.of(97), v.rtxPayloadType());
        assertEquals(
                List.of(new Publication.Stream(2222, OptionalLong.of(2223))),
                v.publication().orElseThrow().streams());
        // Our extension ids survive the codec policy: the forwarder finds mid and transport-cc.
        assertEquals(OptionalInt.of(OfferWriter.EXT_MID), v.extensionId(RtpExtension.MID.uri()));
        assertEquals(OptionalInt.of(OfferWriter.EXT_TRANSPORT_CC), v.extensionId(RtpExtension.TRANSPORT_CC.uri()));
        assertEquals(Direction.SENDONLY, answer.section("2").orElseThrow().direction());
        assertEquals(Direction.SENDONLY, answer.section("3").orElseThrow().direction());
        assertEquals(Direction.INACTIVE, answer.section("4").orElseThrow().direction());

        var remote = answer.remoteTransport().orElseThrow();
        assertEquals("cliU", remote.iceUfrag());
        assertEquals("clientPasswordClientPwd1", remote.icePwd());
        assertEquals(CLIENT_FP, remote.fingerprint());
        assertEquals(CLIENT.candidates(), remote.candidates());

        // And the client reads the answer back per mid.
        AnswerReader.Result read = AnswerReader.read(answer.sdp(), LINES);
        assertEquals("sfuU", read.transport().orElseThrow().iceUfrag());
        assertEquals(SFU.candidates(), read.transport().orElseThrow().candidates());
        RemoteLine mic = read.lines().get(2);
        assertTrue(mic.sfuSends());
        assertEquals(OptionalLong.of(5001), mic.ssrc());
        assertEquals(OptionalInt.of(111), mic.payloadType());
        RemoteLine cam = read.lines().get(3);
        assertEquals(OptionalLong.of(5002), cam.ssrc());
        assertEquals(OptionalLong.of(5003), cam.rtxSsrc());
        assertEquals(OptionalInt.of(97), cam.rtxPayloadType());
        assertFalse(read.lines().get(4).sfuSends());
        assertEquals(Direction.RECVONLY, read.lines().get(0).direction());
        assertEquals(OptionalInt.of(OfferWriter.EXT_MID), read.lines().get(0).midExtensionId());
    }

    static final LocalTrack SIMULCAST_CAM = LocalTrack.simulcastVideo(
            List.of(
                    new SimulcastLayer("l", 3001, 3002),
                    new SimulcastLayer("m", 3003, 3004),
                    new SimulcastLayer("h", 3005, 3006)),
            "alice",
            "cam");
    static final List<OfferLine> SIMULCAST_LINES =
            List.of(OfferLine.send(MIC), OfferLine.send(SIMULCAST_CAM), OfferLine.recv(MediaKind.VIDEO));

    static String simulcastOffer() {
        return new OfferWriter(CLIENT, "alice-cname", 42).write(1, SIMULCAST_LINES);
    }

    @Test
    void simulcastLineOffersRidsLowestFirstAndNoSsrcs() throws Exception {
        SessionDescription offer = SdpParser.parse(simulcastOffer());
        MediaSection video = offer.media().get(1);
        assertEquals(Direction.SENDONLY, video.direction());
        assertEquals(List.of("l", "m", "h"), video.rids().stream().map(Rid::id).toList());
        assertTrue(video.rids().stream().allMatch(Rid::send), "rids we send");
        Simulcast simulcast = video.simulcast().orElseThrow();
        assertEquals(
                List.of("l", "m", "h"),
                simulcast.send().stream()
                        .map(alternatives -> alternatives.get(0).rid())
                        .toList());
        assertTrue(simulcast.send().stream()
                .allMatch(a -> a.size() == 1 && !a.get(0).paused()));
        assertTrue(simulcast.receive().isEmpty());
        assertTrue(video.ssrcs().isEmpty(), "no a=ssrc on the simulcast line: " + video.ssrcs());
        assertTrue(video.ssrcGroups().isEmpty());
        assertEquals(
                OfferWriter.EXT_MID,
                video.extension(RtpExtension.MID.uri()).orElseThrow().id());
        assertEquals(
                OfferWriter.EXT_RID,
                video.extension(RtpExtension.RTP_STREAM_ID.uri()).orElseThrow().id());
        assertEquals(
                OfferWriter.EXT_REPAIRED_RID,
                video.extension(RtpExtension.REPAIRED_RTP_STREAM_ID.uri())
                        .orElseThrow()
                        .id());
        assertTrue(video.extension(RtpExtension.TRANSPORT_CC.uri()).isPresent(), "what plain lines offer stays");
        assertEquals("VP8", video.codec(OfferWriter.VP8_PT).orElseThrow().name());
        assertEquals(
                OptionalInt.of(OfferWriter.VP8_PT),
                video.codec(OfferWriter.RTX_PT).orElseThrow().associatedPayloadType());
        assertEquals("alice cam", video.msid().orElseThrow().toString(), "the track is still named by a=msid");

        // The other lines are written as without simulcast.
        MediaSection audio = offer.media().get(0);
        assertEquals(Optional.of("alice-cname"), audio.ssrc(1111).orElseThrow().cname());
        assertTrue(audio.rids().isEmpty());
        assertTrue(audio.extension(RtpExtension.RTP_STREAM_ID.uri()).isEmpty());
        assertTrue(offer.media().get(2).rids().isEmpty());
        assertTrue(offer.media().get(2).simulcast().isEmpty());
    }

    @Test
    void answerBuilderTakesTheSimulcastLineAndKeepsOurRidExtensionIds() throws Exception {
        Answer answer = AnswerBuilder.forOffer(SdpParser.parse(simulcastOffer()))
                .transport(SFU)
                .origin(7, 1)
                .build();
        NegotiatedSection v = answer.section("1").orElseThrow();
        assertFalse(v.rejected(), v.rejectReason().orElse(""));
        assertEquals(Direction.RECVONLY, v.direction());
        assertTrue(
                v.publication().orElseThrow().streams().isEmpty(),
                "no SSRCs announced: the SFU learns them from the packets");
        assertEquals(OptionalInt.of(OfferWriter.EXT_RID), v.extensionId(RtpExtension.RTP_STREAM_ID.uri()));
        assertEquals(
                OptionalInt.of(OfferWriter.EXT_REPAIRED_RID), v.extensionId(RtpExtension.REPAIRED_RTP_STREAM_ID.uri()));
        assertEquals(OptionalInt.of(OfferWriter.EXT_MID), v.extensionId(RtpExtension.MID.uri()));
    }

    @Test
    void simulcastOfferUsesOnlyAttributesChromiumsSimulcastOfferUses() throws IOException {
        Set<String> chrome = attributeNames(resource("/sdp/chrome-simulcast.sdp"));
        Set<String> ours = attributeNames(simulcastOffer());
        assertTrue(ours.containsAll(Set.of("rid", "simulcast")));
        ours.removeAll(chrome);
        // That capture has no receive line; the other one has.
        ours.removeAll(attributeNames(resource("/sdp/chrome-publish-receive.sdp")));
        assertEquals(Set.of("end-of-candidates"), ours, "attributes Chromium's captured offers do not have");
    }

    @Test
    void simulcastTrackChecksItsLayers() {
        SimulcastLayer l = new SimulcastLayer("l", 1, 2);
        SimulcastLayer clash = new SimulcastLayer("m", 2, 3);
        assertThrows(
                IllegalArgumentException.class,
                () -> LocalTrack.simulcastVideo(List.of(l, clash), "s", "t"),
                "an RTX SSRC reused as a media SSRC");
        assertThrows(IllegalArgumentException.class, () -> new SimulcastLayer("a b", 1, 2), "rid syntax");
        assertThrows(
                IllegalArgumentException.class,
                () -> new SimulcastLayer("abcdefghijklmnopq", 1, 2),
                "17 bytes do not fit a one-byte extension element");
        assertThrows(
                IllegalArgumentException.class,
                () -> new LocalTrack(MediaKind.AUDIO, 1, OptionalLong.empty(), "s", "t", List.of(l)));
        assertEquals(List.of("m", "h"), SimulcastOptions.layers(2).rids());
        assertEquals(List.of("l", "m", "h"), SimulcastOptions.DEFAULT.rids());
        assertThrows(IllegalArgumentException.class, () -> new SimulcastOptions(List.of("l", "l")));
    }

    /** Every attribute we write is one Chromium writes too (checked against a captured offer). */
    @Test
    void offerUsesOnlyAttributesChromiumUses() throws IOException {
        Set<String> chrome = attributeNames(resource("/sdp/chrome-publish-receive.sdp"));
        Set<String> ours = attributeNames(offer());
        ours.removeAll(chrome);
        assertEquals(Set.of("end-of-candidates"), ours, "attributes Chromium's captured offer does not have");
    }

    private static Set<String> attributeNames(String sdp) {
        Set<String> names = new TreeSet<>();
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("a=")) {
                String rest = line.substring(2);
                int colon = rest.indexOf(':');
                names.add(colon < 0 ? rest : rest.substring(0, colon));
            }
        }
        return names;
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = OfferWriterTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
