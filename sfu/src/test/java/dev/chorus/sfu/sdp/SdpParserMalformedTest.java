package dev.chorus.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.MediaKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the parser refuses, with which message, and what it deliberately lets through. */
class SdpParserMalformedTest {
    private static final String HEAD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    private static SdpException failure(String sdp) {
        return assertThrows(SdpException.class, () -> SdpParser.parse(sdp));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no v= line            | o=- 1 2 IN IP4 0.0.0.0\\ns=-                              | 1 | a session description must start with v=0
            wrong version         | v=1\\no=- 1 2 IN IP4 0.0.0.0                               | 1 | a session description must start with v=0
            not type=value        | v=0\\nhello                                                | 2 | expected <letter>=<value>, got 'hello'
            short m= line         | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9                   | 3 | m= line needs <media> <port> <proto> <fmt>...: 'audio 9'
            non-numeric port      | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio nine RTP/AVP 0      | 3 | m= port 'nine' is not a number
            port out of range     | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 70000 RTP/AVP 0     | 3 | m= port 70000 is outside 0..65535
            non-numeric pt        | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=video 9 UDP/TLS/RTP/SAVPF 96 vp8 | 3 | payload type 'vp8' is not a number
            pt over 127           | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=video 9 UDP/TLS/RTP/SAVPF 128 | 3 | payload type 128 is outside 0..127
            bad o= line           | v=0\\no=- 1 2 IN                                            | 2 | o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>
            rtpmap without rate   | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=rtpmap:111 opus | 4 | rtpmap needs <encoding>/<clock rate>: 'opus'
            rtpmap bad pt         | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=rtpmap:x opus/48000 | 4 | rtpmap payload type 'x' is not a number
            rtpmap bad rate       | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=rtpmap:111 opus/fast | 4 | rtpmap clock rate 'fast' is not a number
            extmap bad id         | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=extmap:0 urn:x | 4 | extmap id 0 is outside 1..255
            extmap bad direction  | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=extmap:3/up urn:x | 4 | extmap direction 'up' is not a direction
            ssrc too large        | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=audio 9 RTP/SAVPF 111\\na=ssrc:4294967296 cname:x | 4 | ssrc 4294967296 is outside 0..4294967295
            ssrc-group bad ssrc   | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=video 9 RTP/SAVPF 96\\na=ssrc-group:FID 1 two | 4 | ssrc-group ssrc 'two' is not a number
            bad setup             | v=0\\no=- 1 2 IN IP4 0.0.0.0\\na=setup:server                 | 3 | setup must be active, passive, actpass or holdconn: 'server'
            bad fingerprint       | v=0\\no=- 1 2 IN IP4 0.0.0.0\\na=fingerprint:sha-256          | 3 | fingerprint needs <hash function> <value>
            bad rid direction     | v=0\\no=- 1 2 IN IP4 0.0.0.0\\nm=video 9 RTP/SAVPF 96\\na=rid:q sideways | 4 | rid needs <id> send or recv: 'q sideways'
            """)
    void malformedLinesAreReportedWithTheirNumber(String name, String sdp, int line, String message) {
        SdpException e = failure(sdp.replace("\\n", "\r\n"));
        assertEquals(line, e.lineNumber());
        assertEquals("line " + line + ": " + message, e.getMessage());
    }

    @Test
    void emptyInputIsRefused() {
        assertEquals("empty session description", failure("").getMessage());
        assertEquals("empty session description", failure(" \r\n").getMessage());
    }

    @Test
    void missingOriginIsRefused() {
        assertEquals("missing o= line", failure("v=0\r\ns=-\r\n").getMessage());
    }

    @Test
    void sizeLimitIsEnforcedBeforeParsing() throws SdpException {
        String sdp = HEAD + "a=x-padding:" + "x".repeat(600) + "\r\n";
        SdpException e = assertThrows(SdpException.class, () -> SdpParser.parse(sdp, new SdpLimits(512, 8)));
        assertTrue(
                e.getMessage().startsWith("session description has " + sdp.length() + " characters"), e.getMessage());
        assertTrue(SdpParser.parse(sdp, new SdpLimits(sdp.length(), 8)) != null);
    }

    @Test
    void mediaSectionLimitIsEnforced() throws SdpException {
        String sdp = HEAD + "m=audio 9 RTP/SAVPF 0\r\n".repeat(3);
        SdpException e = assertThrows(SdpException.class, () -> SdpParser.parse(sdp, new SdpLimits(10_000, 2)));
        assertEquals("line 7: more than 2 m= sections", e.getMessage());
        assertEquals(3, SdpParser.parse(sdp, new SdpLimits(10_000, 3)).media().size());
    }

    @Test
    void defaultLimitsTakeAFortyTrackSubscriberOffer() throws SdpException {
        String offer = Fixtures.text(Fixtures.PUBLISH_RECEIVE);
        String videoSection = offer.substring(offer.lastIndexOf("m=video"));
        String big = offer + videoSection.repeat(40);
        assertEquals(45, SdpParser.parse(big).media().size());
    }

    @Test
    void toleratesBareLineFeedsBlankLinesAndUnknownLines() throws SdpException {
        String sdp = "v=0\n\no=- 1 2 IN IP4 0.0.0.0\nz=unknown\nm=audio 9 UDP/TLS/RTP/SAVPF 111\n"
                + "a=rtpmap:111 opus/48000/2\na=x-future:whatever\na=rtpmap:112 other/9000\n"
                + "b=AS:30\na=mid:a\n";
        MediaSection audio = SdpParser.parse(sdp).media().get(0);
        assertEquals(Optional.of("a"), audio.mid());
        assertEquals(1, audio.codecs().size(), "rtpmap for a payload type not in m= is dropped");
        assertEquals(Direction.SENDRECV, audio.direction(), "no direction attribute means sendrecv");
    }

    @Test
    void wildcardFeedbackAppliesToEveryCodec() throws SdpException {
        String sdp = HEAD + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=rtpmap:96 VP8/90000\r\n"
                + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=rtcp-fb:* nack\r\na=rtcp-fb:96  nack   pli\r\n";
        MediaSection video = SdpParser.parse(sdp).media().get(0);
        assertEquals(List.of("nack", "nack pli"), video.codec(96).orElseThrow().feedback());
        assertEquals(List.of("nack"), video.codec(97).orElseThrow().feedback());
        assertEquals(Map.of(96, 97), video.rtxPayloadTypes());
    }

    @Test
    void sessionLevelTransportAttributesApplyToSections() throws SdpException {
        String sdp = HEAD + "a=ice-ufrag:sess\r\na=ice-pwd:sessionpasswordsessionpwd\r\n"
                + "a=fingerprint:sha-256 AB:CD\r\na=setup:active\r\na=ice-options:trickle renomination\r\n"
                + "a=ice-lite\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:mine\r\n";
        SessionDescription d = SdpParser.parse(sdp);
        assertEquals(List.of("trickle", "renomination"), d.iceOptions());
        assertTrue(d.iceLite());
        MediaSection audio = d.media().get(0);
        assertEquals(Optional.of("mine"), audio.iceUfrag());
        assertEquals(Optional.of("sessionpasswordsessionpwd"), audio.icePwd());
        assertEquals(new Fingerprint("sha-256", "AB:CD"), audio.fingerprint().orElseThrow());
        assertEquals(Optional.of(SetupRole.ACTIVE), audio.setup());
        assertEquals("PCMU", audio.codecs().get(0).name(), "static payload types need no rtpmap");
    }

    @Test
    void bundleOnlyPortZeroIsNotRejected() throws SdpException {
        String sdp = HEAD + "m=audio 0 UDP/TLS/RTP/SAVPF 0\r\na=bundle-only\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n";
        List<MediaSection> media = SdpParser.parse(sdp).media();
        assertTrue(media.get(0).bundleOnly());
        assertEquals(false, media.get(0).rejected());
        assertEquals(true, media.get(1).rejected());
    }

    @Test
    void applicationSectionsKeepNonNumericFormats() throws SdpException {
        String sdp = HEAD + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n";
        MediaSection data = SdpParser.parse(sdp).media().get(0);
        assertEquals(MediaKind.APPLICATION, data.kind());
        assertEquals(List.of("webrtc-datachannel"), data.formats());
        assertTrue(data.codecs().isEmpty());
    }

    @Test
    void extmapDirectionAndSimulcastAlternatives() throws SdpException {
        String sdp = HEAD + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=extmap:7/recvonly urn:x attr\r\n"
                + "a=rid:a recv max-width=320\r\na=simulcast:recv a,b;~c send d\r\n";
        MediaSection video = SdpParser.parse(sdp).media().get(0);
        HeaderExtension ext = video.extensions().get(0);
        assertEquals(new HeaderExtension(7, "urn:x", Optional.of(Direction.RECVONLY), "attr"), ext);
        assertEquals(new Rid("a", false, "max-width=320"), video.rids().get(0));
        Simulcast s = video.simulcast().orElseThrow();
        assertEquals(
                List.of(
                        List.of(new Simulcast.Layer("a", false), new Simulcast.Layer("b", false)),
                        List.of(new Simulcast.Layer("c", true))),
                s.receive());
        assertEquals(List.of(List.of(new Simulcast.Layer("d", false))), s.send());
    }
}
