package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.rtp.RtpExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Answers to real Chromium offers, checked as text and by parsing them back. */
class AnswerBuilderTest {
    private static final LocalTransport TRANSPORT = AnswerForChrome.TRANSPORT;
    private static final RemoteTrack ALICE_MIC = AnswerForChrome.TRACKS_BY_MID.get("2");
    private static final RemoteTrack ALICE_CAM = AnswerForChrome.TRACKS_BY_MID.get("3");

    private static AnswerBuilder builderFor(String offerText) {
        try {
            return AnswerBuilder.forOffer(SdpParser.parse(offerText))
                    .transport(TRANSPORT)
                    .origin(77, 3);
        } catch (SdpException e) {
            throw new AssertionError(e);
        }
    }

    private static SessionDescription reparse(Answer answer) throws SdpException {
        return SdpParser.parse(answer.sdp());
    }

    @Test
    void publishAnswerAcceptsOpusAndVp8WithRtxAsRecvonly() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.PUBLISH)).build();
        String sdp = answer.sdp();
        assertFalse(sdp.replace("\r\n", "").contains("\n"), "CRLF line ends only");
        assertTrue(sdp.endsWith("\r\n"));
        assertTrue(
                sdp.startsWith("v=0\r\no=- 77 3 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                        + "a=msid-semantic: WMS *\r\n"),
                sdp);
        assertFalse(sdp.contains("extmap-allow-mixed"));

        SessionDescription parsed = reparse(answer);
        assertEquals(2, parsed.media().size());
        for (MediaSection m : parsed.media()) {
            assertEquals(9, m.port());
            assertEquals("UDP/TLS/RTP/SAVPF", m.protocol());
            assertEquals(Direction.RECVONLY, m.direction());
            assertEquals(Optional.of(SetupRole.PASSIVE), m.setup());
            assertEquals(Optional.of("sfuU"), m.iceUfrag());
            assertEquals(Optional.of("sfuPasswordSfuPassword1"), m.icePwd());
            assertEquals(TRANSPORT.fingerprint(), m.fingerprint().orElseThrow());
            assertTrue(m.rtcpMux());
            assertTrue(m.rtcpRsize());
            assertTrue(m.msids().isEmpty());
            assertTrue(m.ssrcs().isEmpty());
        }
        MediaSection audio = parsed.media().get(0);
        // RED first: Chrome sends RED only when the answer prefers it.
        assertEquals(List.of("63", "111"), audio.formats());
        assertEquals(
                new PayloadFormat(63, "red", 48000, 2, Map.of("111/111", ""), List.of()),
                audio.codecs().get(0));
        assertEquals(
                new PayloadFormat(
                        111, "opus", 48000, 2, Map.of("minptime", "10", "useinbandfec", "1"), List.of("transport-cc")),
                audio.codecs().get(1));
        assertEquals(List.of("candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"), audio.candidates());
        assertTrue(audio.endOfCandidates());

        MediaSection video = parsed.media().get(1);
        assertEquals(List.of("96", "97"), video.formats());
        assertEquals(
                List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"),
                video.codec(96).orElseThrow().feedback());
        assertEquals(OptionalInt.of(96), video.codec(97).orElseThrow().associatedPayloadType());
        assertTrue(video.candidates().isEmpty(), "candidates only in the first bundled m= line");
        // The accepted extensions keep the offer's ids; toffset (14) and friends are dropped.
        assertEquals(
                List.of(2, 3, 4, 10, 11),
                video.extensions().stream().map(HeaderExtension::id).toList());
    }

    @Test
    void publishNegotiatedSectionsDescribeWhatTheBrowserSends() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.PUBLISH)).build();
        NegotiatedSection audio = answer.section("0").orElseThrow();
        assertEquals(Direction.RECVONLY, audio.direction());
        assertEquals(OptionalInt.of(111), audio.payloadType());
        assertEquals(OptionalInt.empty(), audio.rtxPayloadType());
        assertEquals(
                Map.of(
                        RtpExtension.AUDIO_LEVEL.uri(),
                        1,
                        RtpExtension.ABS_SEND_TIME.uri(),
                        2,
                        RtpExtension.TRANSPORT_CC.uri(),
                        3,
                        RtpExtension.MID.uri(),
                        4),
                audio.extensionIds());
        Publication mic = audio.publication().orElseThrow();
        assertEquals(List.of(new Publication.Stream(1856735486L, OptionalLong.empty())), mic.streams());
        assertEquals(
                "e22d7e0c-30b4-499a-9268-42eb6136d557", mic.msid().orElseThrow().trackId());
        assertEquals(Optional.of("BdwNkYyPa8qBi43U"), mic.cname());
        assertEquals(Optional.empty(), audio.subscription());

        NegotiatedSection video = answer.section("1").orElseThrow();
        assertEquals(OptionalInt.of(96), video.payloadType());
        assertEquals(OptionalInt.of(97), video.rtxPayloadType());
        assertEquals(OptionalInt.of(3), video.extensionId(RtpExtension.TRANSPORT_CC.uri()));
        assertEquals(OptionalInt.empty(), video.extensionId(RtpExtension.AUDIO_LEVEL.uri()));
        assertEquals(
                List.of(new Publication.Stream(437219302L, OptionalLong.of(915377074L))),
                video.publication().orElseThrow().streams());

        RemoteTransport remote = answer.remoteTransport().orElseThrow();
        assertEquals(SetupRole.ACTPASS, remote.setup());
        assertEquals("sha-256", remote.fingerprint().hashFunction());
        assertEquals(2, remote.candidates().size());
    }

    @Test
    void recvonlyLinesCarryTheAssignedTrackOrAreInactive() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.PUBLISH_RECEIVE))
                .send("2", ALICE_MIC)
                .send("3", ALICE_CAM)
                .build();
        SessionDescription parsed = reparse(answer);
        assertEquals(
                List.of("0", "1", "2", "3", "4"),
                parsed.bundleGroup().orElseThrow().mids());
        assertEquals(
                List.of(
                        Direction.RECVONLY,
                        Direction.RECVONLY,
                        Direction.SENDONLY,
                        Direction.SENDONLY,
                        Direction.INACTIVE),
                parsed.media().stream().map(MediaSection::direction).toList());

        MediaSection mic = parsed.media().get(2);
        assertEquals(new Msid("pub-alice", "alice-mic"), mic.msid().orElseThrow());
        assertEquals(
                List.of(1001L), mic.ssrcs().stream().map(SsrcDescription::ssrc).toList());
        assertEquals(Optional.of("alice-cname"), mic.ssrcs().get(0).cname());
        assertTrue(mic.ssrcGroups().isEmpty());

        MediaSection cam = parsed.media().get(3);
        assertEquals(new Msid("pub-alice", "alice-cam"), cam.msid().orElseThrow());
        assertEquals(List.of(new SsrcGroup("FID", List.of(2001L, 2002L))), cam.ssrcGroups());
        assertEquals(Optional.of("alice-cname"), cam.ssrc(2002).orElseThrow().cname());
        assertEquals(List.of("96", "97"), cam.formats());

        MediaSection unassigned = parsed.media().get(4);
        assertEquals(9, unassigned.port(), "inactive, not rejected: a track can be assigned later");
        assertTrue(unassigned.msids().isEmpty());
        assertTrue(unassigned.ssrcs().isEmpty());

        NegotiatedSection camSection = answer.section("3").orElseThrow();
        assertEquals(Optional.of(ALICE_CAM), camSection.subscription());
        assertEquals(Optional.empty(), camSection.publication());
        assertEquals(OptionalInt.of(97), camSection.rtxPayloadType());
        assertEquals(Optional.empty(), answer.section("4").orElseThrow().subscription());
    }

    @Test
    void stoppedTransceiverIsAnsweredRejectedInPlace() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.RENEGOTIATE_STOPPED))
                .send("2", ALICE_MIC)
                .send("3", ALICE_CAM) // stale assignment to the stopped line: ignored
                .build();
        SessionDescription parsed = reparse(answer);
        assertEquals(5, parsed.media().size());
        assertEquals(
                List.of("0", "1", "2", "3", "4"),
                parsed.media().stream().map(m -> m.mid().orElseThrow()).toList());
        MediaSection stopped = parsed.media().get(3);
        assertEquals(0, stopped.port());
        assertTrue(stopped.rejected());
        assertEquals(MediaKind.VIDEO, stopped.kind());
        assertTrue(answer.sdp()
                .contains("m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=inactive\r\na=mid:3\r\n"));
        assertEquals(
                List.of("0", "1", "2", "4"), parsed.bundleGroup().orElseThrow().mids());
        NegotiatedSection section = answer.section("3").orElseThrow();
        assertTrue(section.rejected());
        assertEquals(Optional.of("rejected in the offer (port 0)"), section.rejectReason());
        assertEquals(Optional.empty(), section.subscription());
    }

    @Test
    void payloadTypesAreTheOfferersOwn() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH_RECEIVE)
                .replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 X-NONE/90000")
                .replace("a=rtpmap:98 VP9/90000", "a=rtpmap:98 VP8/90000");
        Answer answer = builderFor(offer).send("3", ALICE_CAM).build();
        NegotiatedSection cam = answer.section("3").orElseThrow();
        assertEquals(OptionalInt.of(98), cam.payloadType());
        assertEquals(OptionalInt.of(99), cam.rtxPayloadType());
        MediaSection parsed = reparse(answer).media().get(3);
        assertEquals(List.of("98", "99"), parsed.formats());
        assertEquals("apt=98", parsed.codec(99).orElseThrow().fmtpValue());
        assertEquals(Map.of(), parsed.codec(98).orElseThrow().parameters(), "VP9's profile-id is not copied");
    }

    @Test
    void vp9Profile0IsAnsweredWithItsRtxInAVp9Room() throws SdpException {
        // A room whose codec is VP9 (every member offered it, e.g. ?codec=vp9 pages) narrows the policy to it.
        String offer = Fixtures.text(Fixtures.PUBLISH).replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 X-NONE/90000");
        Answer answer = builderFor(offer)
                .codecPolicy(CodecPolicy.DEFAULT.withVideo(List.of("VP9")))
                .build();
        NegotiatedSection cam = answer.section("1").orElseThrow();
        assertEquals(OptionalInt.of(98), cam.payloadType());
        assertEquals(OptionalInt.of(99), cam.rtxPayloadType());
        MediaSection parsed = reparse(answer).media().get(1);
        assertEquals(List.of("98", "99"), parsed.formats());
        assertEquals(Map.of("profile-id", "0"), parsed.codec(98).orElseThrow().parameters());
        assertTrue(parsed.codec(98).orElseThrow().feedback().contains("nack pli"));
        // With the default preference VP8 comes first.
        NegotiatedSection vp8 =
                builderFor(Fixtures.text(Fixtures.PUBLISH)).build().section("1").orElseThrow();
        assertEquals(OptionalInt.of(96), vp8.payloadType());
    }

    @Test
    void av1IsAnsweredWithItsRtxAndTheDependencyDescriptorInAnAv1Room() throws SdpException {
        // Chromium 156 offers the descriptor (id 12 here) on its video lines, and extmap-allow-mixed.
        String dd = "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
        String offer = Fixtures.text(Fixtures.PUBLISH)
                .replace(
                        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:10",
                        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:12 " + dd + "\r\na=extmap:10");
        assertTrue(offer.contains(dd), "the fixture's video line gets the descriptor");
        Answer answer = builderFor(offer)
                .codecPolicy(CodecPolicy.DEFAULT.withVideo(List.of("AV1")))
                .build();
        NegotiatedSection cam = answer.section("1").orElseThrow();
        assertEquals(OptionalInt.of(45), cam.payloadType());
        assertEquals(OptionalInt.of(46), cam.rtxPayloadType());
        MediaSection parsed = reparse(answer).media().get(1);
        assertEquals(List.of("45", "46"), parsed.formats());
        assertEquals(
                Map.of("level-idx", "5", "profile", "0", "tier", "0"),
                parsed.codec(45).orElseThrow().parameters());
        assertEquals(12, parsed.extension(dd).orElseThrow().id());
        String videoLine = answer.sdp().substring(answer.sdp().indexOf("m=video"));
        assertTrue(videoLine.contains("a=extmap-allow-mixed\r\n"), "two-byte headers for the key frames' structure");
        assertFalse(answer.sdp().substring(0, answer.sdp().indexOf("m=")).contains("extmap-allow-mixed"));
        // A VP8 line is not given the descriptor, nor two-byte headers.
        Answer vp8 = builderFor(offer).build();
        assertTrue(reparse(vp8).media().get(1).extension(dd).isEmpty());
        assertFalse(vp8.sdp().contains("extmap-allow-mixed"));
        // Default preference: AV1 only when nothing else is offered.
        assertEquals(List.of("VP8", "H264", "VP9", "AV1"), CodecPolicy.DEFAULT.videoCodecs());
    }

    @Test
    void sectionsWithoutAnAcceptableCodecAreRejected() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH)
                .replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/48000/1")
                .replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP7/90000")
                .replace("a=fmtp:98 profile-id=0", "a=fmtp:98 profile-id=1");
        Answer answer = builderFor(offer)
                .codecPolicy(CodecPolicy.DEFAULT.withVideo(List.of("VP8", "VP9")))
                .build();
        assertEquals(
                Optional.of("no acceptable audio codec (we accept opus/48000/2)"),
                answer.section("0").orElseThrow().rejectReason());
        assertEquals(
                Optional.of("no acceptable video codec (we accept VP8/90000, VP9/90000)"),
                answer.section("1").orElseThrow().rejectReason());
        assertTrue(answer.sdp().contains("m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
        assertFalse(answer.sdp().contains("a=group:BUNDLE"));
        assertEquals(Optional.empty(), answer.remoteTransport());
    }

    @Test
    void explicitRejectionMovesTheBundleTag() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.PUBLISH))
                .reject("0", "microphone not allowed")
                .build();
        SessionDescription parsed = reparse(answer);
        assertTrue(parsed.media().get(0).rejected());
        assertEquals(List.of("1"), parsed.bundleGroup().orElseThrow().mids());
        assertEquals(1, parsed.media().get(1).candidates().size(), "candidates move to the new first bundled line");
        assertEquals(
                Optional.of("microphone not allowed"),
                answer.section("0").orElseThrow().rejectReason());
    }

    @Test
    void opusStereoIsAskedForOnlyFromASenderThatDeclaresStereo() throws SdpException {
        // Firefox's offer: stereo=1 is its own receive preference, its microphone is mono.
        String offer = Fixtures.text(Fixtures.PUBLISH)
                .replace("a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:111 minptime=20;stereo=1;usedtx=1");
        PayloadFormat opus = answerCodec(builderFor(offer).build(), 0);
        assertEquals("minptime=10;useinbandfec=1;usedtx=1", opus.fmtpValue());
        // A sender that says it sends stereo is asked for it.
        String stereoSource = Fixtures.text(Fixtures.PUBLISH)
                .replace("a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:111 minptime=20;sprop-stereo=1");
        PayloadFormat stereo = answerCodec(builderFor(stereoSource).build(), 0);
        assertEquals("minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1", stereo.fmtpValue());
    }

    @Test
    void videoTrackWithoutRtxOrWhereRtxIsNotOfferedHasNoFidGroup() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH_RECEIVE).replace("a=fmtp:97 apt=96", "a=fmtp:97 apt=95");
        Answer answer = builderFor(offer)
                .send("3", ALICE_CAM)
                .send("4", new RemoteTrack("pub-bob", "bob-cam", MediaKind.VIDEO, 3001, OptionalLong.empty(), "bob"))
                .build();
        SessionDescription parsed = reparse(answer);
        for (int i : new int[] {3, 4}) {
            assertEquals(List.of("96"), parsed.media().get(i).formats());
            assertTrue(parsed.media().get(i).ssrcGroups().isEmpty());
            assertEquals(1, parsed.media().get(i).ssrcs().size());
        }
        assertEquals(OptionalInt.empty(), answer.section("3").orElseThrow().rtxPayloadType());
    }

    /** Chrome's data-channel line (RFC 8841), bundled after its audio. */
    @Test
    void aDataChannelLineIsAnsweredInTheBundleWhenDataChannelsAreOn() throws SdpException {
        String offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 "
                + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
                + "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:0123456789012345678901\r\na=setup:actpass\r\na=mid:1\r\n"
                + "a=sctp-port:5000\r\na=max-message-size:262144\r\n";
        SessionDescription parsed = SdpParser.parse(offer);
        assertEquals(OptionalInt.of(5000), parsed.media().get(1).sctpPort());
        assertEquals(java.util.OptionalLong.of(262144), parsed.media().get(1).maxMessageSize());
        assertTrue(parsed.media().get(1).isDataChannel());

        Answer answer = builderFor(offer).acceptDataChannels(2_097_152).build();
        String sdp = answer.sdp();
        assertTrue(sdp.contains("a=group:BUNDLE 0 1\r\n"), sdp);
        assertTrue(sdp.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"), sdp);
        String data = sdp.substring(sdp.indexOf("m=application"));
        assertTrue(
                data.contains("a=setup:passive\r\na=mid:1\r\na=sctp-port:5000\r\na=max-message-size:2097152\r\n"),
                data);
        assertFalse(data.contains("a=rtpmap"));
        assertTrue(answer.sections().get(1).isDataChannel());
        assertFalse(answer.sections().get(0).isDataChannel());

        Answer off = builderFor(offer).build();
        assertTrue(off.sdp().contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
        assertTrue(off.sdp().contains("a=group:BUNDLE 0\r\n"));
    }

    @Test
    void unsupportedSectionsAreRejectedWithTheirFormats() throws SdpException {
        String offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=rtpmap:111 opus/48000/2\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:3\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
        Answer answer = builderFor(offer).build();
        assertTrue(answer.sdp().contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
        assertEquals(
                Optional.of("data channels are off"), answer.sections().get(0).rejectReason());
        assertEquals(Optional.of("no a=rtcp-mux"), answer.sections().get(1).rejectReason());
        assertEquals(
                Optional.of("not in the BUNDLE group"), answer.sections().get(2).rejectReason());
    }

    @Test
    void extensionDirectionIsReversed() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH)
                .replace(
                        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                        "a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:sdes:mid");
        assertTrue(builderFor(offer)
                .build()
                .sdp()
                .contains("a=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"));
    }

    @Test
    void offersTheSfuCannotServeAreSdpExceptions() {
        String publish = Fixtures.text(Fixtures.PUBLISH);
        assertEquals(
                "m= line 0: a=setup:passive asks the SFU to be the DTLS client; the SFU only answers setup:passive",
                assertThrows(
                                SdpException.class,
                                () -> builderFor(publish.replace("a=setup:actpass", "a=setup:passive"))
                                        .build())
                        .getMessage());
        String noFingerprint = publish.replaceAll("a=fingerprint:[^\r]*\r\n", "");
        assertEquals(
                "m= line 0: no a=fingerprint",
                assertThrows(SdpException.class, () -> builderFor(noFingerprint).build())
                        .getMessage());
        String noUfrag = publish.replaceAll("a=ice-ufrag:[^\r]*\r\n", "");
        assertEquals(
                "m= line 0: no a=ice-ufrag",
                assertThrows(SdpException.class, () -> builderFor(noUfrag).build())
                        .getMessage());
    }

    @Test
    void callerMistakesAreIllegalArguments() {
        String offer = Fixtures.text(Fixtures.PUBLISH_RECEIVE);
        assertEquals(
                "m= line 1 is sendonly in the offer; the browser cannot receive alice-cam on it",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> builderFor(offer).send("1", ALICE_CAM).build())
                        .getMessage());
        assertEquals(
                "m= line 2 is audio, track alice-cam is video",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> builderFor(offer).send("2", ALICE_CAM).build())
                        .getMessage());
        assertEquals(
                "the offer has no m= line with mid 9",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> builderFor(offer).send("9", ALICE_CAM).build())
                        .getMessage());
        assertThrows(
                IllegalStateException.class,
                () -> AnswerBuilder.forOffer(Fixtures.parsed(Fixtures.PUBLISH)).build());
    }

    @Test
    void localValuesAreValidatedUpFront() {
        Fingerprint fp = TRANSPORT.fingerprint();
        assertThrows(
                IllegalArgumentException.class,
                () -> new LocalTransport("abc", "sfuPasswordSfuPassword1", fp, List.of(), true));
        assertThrows(IllegalArgumentException.class, () -> new LocalTransport("abcd", "short", fp, List.of(), true));
        assertThrows(
                IllegalArgumentException.class,
                () -> new LocalTransport(
                        "abcd", "sfuPasswordSfuPassword1", new Fingerprint("sha-256", "nothex"), List.of(), true));
        assertThrows(
                IllegalArgumentException.class,
                () -> new LocalTransport(
                        "abcd",
                        "sfuPasswordSfuPassword1",
                        fp,
                        List.of("candidate:1 1 udp 1 127.0.0.1 99999 typ host"),
                        true));
        assertEquals(
                List.of("candidate:1 1 udp 1 127.0.0.1 9 typ host"),
                new LocalTransport(
                                "abcd",
                                "sfuPasswordSfuPassword1",
                                fp,
                                List.of("a=candidate:1 1 udp 1 127.0.0.1 9 typ host"),
                                true)
                        .candidates());
        assertThrows(IllegalArgumentException.class, () -> RemoteTrack.audio("has space", "t", 1, "c"));
        assertThrows(IllegalArgumentException.class, () -> RemoteTrack.video("p", "t", 1, 1, "c"));
        assertThrows(IllegalArgumentException.class, () -> RemoteTrack.audio("p", "t", 1L << 32, "c"));
    }

    /** The line's codec, RED aside. */
    private static PayloadFormat answerCodec(Answer answer, int index) throws SdpException {
        return reparse(answer).media().get(index).codecs().stream()
                .filter(c -> !c.isNamed("red"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void redForOpusIsAnsweredFirstOnEveryAudioLineThatOffersIt() throws SdpException {
        Answer answer = builderFor(Fixtures.text(Fixtures.PUBLISH_RECEIVE))
                .send("2", ALICE_MIC)
                .build();
        SessionDescription parsed = reparse(answer);
        for (NegotiatedSection s : answer.sections()) {
            if (s.kind() != MediaKind.AUDIO || s.rejected()) continue;
            assertEquals(OptionalInt.of(63), s.redPayloadType(), "mid " + s.mid());
            assertEquals(OptionalInt.of(111), s.payloadType());
            MediaSection m = parsed.sectionByMid(s.mid().orElseThrow()).orElseThrow();
            assertEquals(List.of("63", "111"), m.formats());
            assertEquals("111/111", m.codec(63).orElseThrow().fmtpValue());
        }
        assertTrue(answer.sections().stream()
                .anyMatch(s -> s.kind() == MediaKind.AUDIO && s.subscription().isPresent()));
        for (NegotiatedSection s : answer.sections()) {
            if (s.kind() == MediaKind.VIDEO) assertEquals(OptionalInt.empty(), s.redPayloadType());
        }
    }

    @Test
    void redIsLeftOutWhenTheOfferHasNoneForThisOpusOrThePolicyTakesNone() throws SdpException {
        String plain = Fixtures.text(Fixtures.PUBLISH);
        // RED of another codec, of several codecs, or without fmtp: not RED for our Opus.
        for (String fmtp : List.of("a=fmtp:63 109/109\r\n", "a=fmtp:63 111/0\r\n", "a=fmtp:63 111/111;x=1\r\n", "")) {
            String offer = plain.replace("a=fmtp:63 111/111\r\n", fmtp);
            Answer answer = builderFor(offer).build();
            assertEquals(OptionalInt.empty(), answer.section("0").orElseThrow().redPayloadType(), fmtp);
            assertEquals(List.of("111"), reparse(answer).media().get(0).formats(), fmtp);
        }
        // Deeper redundancy in the offer's fmtp is still RED for this Opus.
        Answer deep = builderFor(plain.replace("a=fmtp:63 111/111", "a=fmtp:63 111/111/111"))
                .build();
        assertEquals(OptionalInt.of(63), deep.section("0").orElseThrow().redPayloadType());
        Answer off = builderFor(plain).codecPolicy(CodecPolicy.WITHOUT_RED).build();
        assertEquals(OptionalInt.empty(), off.section("0").orElseThrow().redPayloadType());
        assertEquals(List.of("111"), reparse(off).media().get(0).formats());
    }

    @Test
    void dtxIsAnsweredOnlyWhenOffered() throws SdpException {
        String plain = Fixtures.text(Fixtures.PUBLISH);
        assertEquals(
                "minptime=10;useinbandfec=1",
                answerCodec(builderFor(plain).build(), 0).fmtpValue());
        String dtx = plain.replace(
                "a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1");
        assertEquals(
                "minptime=10;useinbandfec=1;usedtx=1",
                answerCodec(builderFor(dtx).build(), 0).fmtpValue());
    }
}
