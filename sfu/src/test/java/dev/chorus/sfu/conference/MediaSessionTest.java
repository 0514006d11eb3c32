package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.PUBLISH;
import static dev.chorus.sfu.conference.TestConference.PUBLISH_RECEIVE;
import static dev.chorus.sfu.conference.TestConference.RENEGOTIATE_STOPPED;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.codec.MediaKind;
import dev.chorus.sfu.sdp.Direction;
import dev.chorus.sfu.sdp.MediaSection;
import dev.chorus.sfu.sdp.SdpParser;
import dev.chorus.sfu.sdp.SessionDescription;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Offer/answer through a real media service with offers Chromium made (see
 * {@code src/test/resources/sdp/README.md}): alice publishes mic and camera; bob publishes and
 * receives on three lines (audio 2, video 3 and 4).
 */
@Timeout(60)
class MediaSessionTest {
    private static final Map<String, String> MIC_CAMERA = Map.of("0", "mic", "1", "camera");

    private TestConference conference;
    private final TestConference.Events aliceEvents = new TestConference.Events();
    private final TestConference.Events bobEvents = new TestConference.Events();
    private MediaSession alice;
    private MediaSession bob;

    @BeforeEach
    void start() throws Exception {
        conference = new TestConference(1, 1024);
        alice = conference.service.room("r").join("alice", aliceEvents);
        bob = conference.service.room("r").join("bob", bobEvents);
    }

    @AfterEach
    void stop() {
        conference.close();
    }

    private static MediaSection line(OfferOutcome outcome, String mid) throws Exception {
        SessionDescription answer = SdpParser.parse(outcome.sdp());
        return answer.sectionByMid(mid).orElseThrow();
    }

    private static String ufrag(String sdp) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("a=ice-ufrag:(\\S+)").matcher(sdp);
        assertTrue(m.find(), sdp);
        return m.group(1);
    }

    /**
     * A later offer with new ICE credentials is an ICE restart (the answer has the server's new ones and its
     * candidates); an offer on the restarted credentials is a plain renegotiation; a new DTLS certificate is refused
     * and leaves the session as it was.
     */
    @Test
    void newIceCredentialsAreAnIceRestartButANewCertificateIsRefused() throws Exception {
        String first = offer(PUBLISH);
        String ufrag = ufrag(alice.handleOffer(first, MIC_CAMERA).sdp());
        String restart = first.replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:rst1")
                .replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:restartrestartrestart12");

        OfferOutcome restarted = alice.handleOffer(restart, MIC_CAMERA);
        String newUfrag = ufrag(restarted.sdp());
        assertFalse(ufrag.equals(newUfrag), "the answer carries new ICE credentials");
        assertFalse(restarted.candidates().isEmpty(), "and the server's candidates for them");
        assertEquals(
                newUfrag,
                alice.toJson().path("transport").path("iceRestartUfrag").asText());
        assertEquals(2, alice.publishedTracks().size(), "tracks kept");

        assertEquals(newUfrag, ufrag(alice.handleOffer(restart, MIC_CAMERA).sdp()), "no second restart");

        String newCertificate =
                restart.replaceAll("a=fingerprint:sha-256 \\S+", "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB");
        MediaException refused =
                assertThrows(MediaException.class, () -> alice.handleOffer(newCertificate, MIC_CAMERA));
        assertEquals(MediaException.Kind.BAD_SDP, refused.kind());
        assertTrue(refused.getMessage().contains("DTLS certificate"), refused.getMessage());
        String restartAgain = restart.replace("a=ice-ufrag:rst1", "a=ice-ufrag:rst2");
        String refusedRestart = restartAgain.replaceAll(
                "a=fingerprint:sha-256 \\S+", "a=fingerprint:sha-256 " + "CD:".repeat(31) + "CD");
        assertThrows(MediaException.class, () -> alice.handleOffer(refusedRestart, MIC_CAMERA));
        assertEquals(
                newUfrag,
                alice.toJson().path("transport").path("iceRestartUfrag").asText(),
                "a refused restart offer drops its own ICE session, not the one under way");
    }

    @Test
    void aReceivingOfferGetsTheOthersTracksOnItsFirstLinesOfEachKind() throws Exception {
        OfferOutcome published = alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        assertEquals(List.of(), published.tracks());
        assertFalse(published.candidates().isEmpty(), "the first answer comes with the server's candidates");
        assertEquals("0", published.bundleMid());

        OfferOutcome outcome = bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of("0", "mic", "1", "screen"));

        assertEquals(2, outcome.tracks().size());
        assertEquals("2", outcome.tracks().get(0).mid());
        assertEquals("alice", outcome.tracks().get(0).track().publisherId());
        assertEquals(MediaKind.AUDIO, outcome.tracks().get(0).track().kind());
        assertEquals("3", outcome.tracks().get(1).mid());
        assertEquals(TrackSource.CAMERA, outcome.tracks().get(1).track().source());
        assertEquals(Direction.SENDONLY, line(outcome, "2").direction());
        assertEquals(Direction.SENDONLY, line(outcome, "3").direction());
        assertEquals(Direction.INACTIVE, line(outcome, "4").direction(), "nothing to send on the third line");
        assertEquals(Direction.RECVONLY, line(outcome, "1").direction(), "bob's screen is received");
        assertEquals(Map.of("2", "alice-t1", "3", "alice-t2"), bob.subscriptions());

        conference.runControlTasks();
        assertEquals(List.of("renegotiate 1 1"), aliceEvents.seen, "alice needs lines for bob's two tracks");
        assertEquals(List.of(), bobEvents.seen, "bob has a line for each of alice's tracks");
    }

    @Test
    void aStoppedLineMovesItsTrackToAFreeLineAndKeepsTheOthers() throws Exception {
        alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());

        // Chromium stopped the transceiver of line 3 (port 0) and offered again.
        OfferOutcome outcome = bob.handleOffer(offer(RENEGOTIATE_STOPPED), Map.of());

        assertEquals(Map.of("2", "alice-t1", "4", "alice-t2"), bob.subscriptions());
        assertEquals(0, line(outcome, "3").port(), "a stopped line stays rejected");
        assertEquals(Direction.SENDONLY, line(outcome, "4").direction());
        assertTrue(outcome.candidates().isEmpty(), "candidates come with the first answer only");
    }

    @Test
    void everyAnswerCarriesTheServersCandidatesSoTheBrowserNeedNotWaitForTrickledOnes() throws Exception {
        OfferOutcome first = alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        MediaSection bundled = line(first, first.bundleMid());
        assertFalse(bundled.candidates().isEmpty());
        assertEquals(first.candidates(), bundled.candidates(), "the trickled candidates are in the answer already");
        assertTrue(bundled.endOfCandidates(), "and there are no others");

        OfferOutcome again = alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        assertEquals(first.candidates(), line(again, again.bundleMid()).candidates(), "a later answer repeats them");
        assertTrue(again.candidates().isEmpty(), "trickled once only");
    }

    @Test
    void anOfferThatRestartsIceIsRefusedAndChangesNothing() throws Exception {
        alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());
        conference.runControlTasks();

        // The same browser's other capture: other ICE credentials and certificate.
        MediaException refused = assertThrows(MediaException.class, () -> bob.handleOffer(offer(PUBLISH), Map.of()));
        assertEquals(MediaException.Kind.BAD_SDP, refused.kind());
        assertEquals(Map.of("2", "alice-t1", "3", "alice-t2"), bob.subscriptions());
        conference.runControlTasks();
        assertEquals(List.of("renegotiate 1 1"), aliceEvents.seen, "bob's tracks are still published");

        MediaException bad = assertThrows(MediaException.class, () -> bob.handleOffer("v=0\nnonsense", Map.of()));
        assertEquals(MediaException.Kind.BAD_SDP, bad.kind());
    }

    @Test
    void candidatesNeedAnOfferFirstAndAreParsed() throws Exception {
        String candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host";
        MediaException early = assertThrows(MediaException.class, () -> alice.addRemoteCandidate(candidate));
        assertEquals(MediaException.Kind.NOT_READY, early.kind());

        alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        alice.addRemoteCandidate(candidate);
        alice.addRemoteCandidate("a=" + candidate);
        alice.addRemoteCandidate("");
        alice.addRemoteCandidate(null);
        MediaException bad = assertThrows(MediaException.class, () -> alice.addRemoteCandidate("candidate:x"));
        assertEquals(MediaException.Kind.BAD_CANDIDATE, bad.kind());
    }

    @Test
    void aClosedSessionIsGoneFromTheRoomAndItsTracksFromTheOthersAnswers() throws Exception {
        alice.handleOffer(offer(PUBLISH), MIC_CAMERA);
        bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());
        conference.runControlTasks();

        alice.close();
        assertTrue(alice.isClosed());
        conference.runControlTasks();
        assertEquals(List.of("renegotiate 0 0"), bobEvents.seen, "bob's lines for alice must go");
        MediaException ended = assertThrows(MediaException.class, () -> alice.handleOffer(offer(PUBLISH), Map.of()));
        assertEquals(MediaException.Kind.UNAVAILABLE, ended.kind());

        OfferOutcome outcome = bob.handleOffer(offer(PUBLISH_RECEIVE), Map.of());
        assertEquals(Map.of(), bob.subscriptions());
        assertEquals(Direction.INACTIVE, line(outcome, "2").direction());
        assertEquals(Direction.INACTIVE, line(outcome, "3").direction());
    }
}
