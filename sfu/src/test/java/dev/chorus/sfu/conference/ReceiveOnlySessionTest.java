package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.PUBLISH;
import static dev.chorus.sfu.conference.TestConference.PUBLISH_RECEIVE;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broadcast rooms on the media side: a presenter publishes, viewers (receive-only sessions) receive. A viewer's
 * offer that sends is refused and changes nothing; viewers coming and going cost the presenter and the other
 * viewers nothing: no renegotiation, no event.
 */
@Timeout(60)
class ReceiveOnlySessionTest {
    private static final Map<String, String> MIC_CAMERA = Map.of("0", "mic", "1", "camera");

    private TestConference conference;
    private final TestConference.Events presenterEvents = new TestConference.Events();
    private MediaSession presenter;

    @BeforeEach
    void start() throws Exception {
        conference = new TestConference(1, 1024);
        presenter = conference.service.room("live").join("presenter", presenterEvents);
        presenter.handleOffer(offer(PUBLISH), MIC_CAMERA);
        conference.runControlTasks();
    }

    @AfterEach
    void stop() {
        conference.close();
    }

    /** Chromium's publish-and-receive offer with its two sending lines turned to receiving ones. */
    private static String receiveOnlyOffer() {
        return offer(PUBLISH_RECEIVE).replace("a=sendonly", "a=recvonly");
    }

    @Test
    void aViewerReceivesThePresentersTracks() throws Exception {
        MediaSession viewer = conference.service.room("live").joinReceiveOnly("v1", new TestConference.Events());

        OfferOutcome outcome = viewer.handleOffer(receiveOnlyOffer(), Map.of());

        assertEquals(2, outcome.tracks().size(), "the presenter's mic and camera");
        assertTrue(
                outcome.tracks().stream().allMatch(t -> t.track().publisherId().equals("presenter")));
        assertFalse(outcome.candidates().isEmpty());
    }

    @Test
    void aViewersOfferThatSendsIsRefusedAndChangesNothing() throws Exception {
        TestConference.Events events = new TestConference.Events();
        MediaSession viewer = conference.service.room("live").joinReceiveOnly("v1", events);

        MediaException refused =
                assertThrows(MediaException.class, () -> viewer.handleOffer(offer(PUBLISH_RECEIVE), Map.of()));

        assertEquals(MediaException.Kind.NOT_ALLOWED, refused.kind());
        assertTrue(refused.getMessage().contains("0, 1"), refused.getMessage());
        assertEquals(Map.of(), viewer.subscriptions());
        conference.runControlTasks();
        assertEquals(List.of(), presenterEvents.seen, "nothing was published, so nobody renegotiates");
        // Refused is not ended: the same viewer can still offer to receive.
        OfferOutcome outcome = viewer.handleOffer(receiveOnlyOffer(), Map.of());
        assertEquals(2, outcome.tracks().size());
    }

    @Test
    void viewersComingAndGoingCostTheOthersNoRenegotiation() throws Exception {
        List<TestConference.Events> viewerEvents = new ArrayList<>();
        List<MediaSession> viewers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestConference.Events events = new TestConference.Events();
            MediaSession viewer = conference.service.room("live").joinReceiveOnly("v" + i, events);
            viewer.handleOffer(receiveOnlyOffer(), Map.of());
            viewerEvents.add(events);
            viewers.add(viewer);
            conference.runControlTasks();
        }
        for (int i = 0; i < 10; i++) {
            viewers.get(i).close();
            conference.runControlTasks();
        }

        assertEquals(List.of(), presenterEvents.seen);
        for (TestConference.Events events : viewerEvents) {
            assertEquals(List.of(), events.seen, "a viewer hears nothing of the other viewers");
        }
        assertEquals(2, viewers.get(19).subscriptions().size());
    }

    @Test
    void anOrdinaryParticipantMayStillPublishInTheSameRoom() throws Exception {
        MediaSession guest = conference.service.room("live").join("guest", new TestConference.Events());

        OfferOutcome outcome = guest.handleOffer(offer(PUBLISH_RECEIVE), Map.of("0", "mic", "1", "camera"));

        assertEquals(2, outcome.tracks().size());
        conference.runControlTasks();
        assertEquals(List.of("renegotiate 1 1"), presenterEvents.seen, "the presenter makes room for the guest");
    }
}
