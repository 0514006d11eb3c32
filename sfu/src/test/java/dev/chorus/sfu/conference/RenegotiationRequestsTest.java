package dev.chorus.sfu.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One renegotiation request in flight per participant, on a hand-run control thread and clock. */
class RenegotiationRequestsTest {
    private final ArrayDeque<Runnable> control = new ArrayDeque<>();
    private long nowNanos;
    private boolean closed;
    private final List<String> requests = new ArrayList<>();
    private final MediaSessionListener listener = new MediaSessionListener() {
        @Override
        public void renegotiationNeeded(int audioTracks, int videoTracks) {
            requests.add(audioTracks + "/" + videoTracks);
        }

        @Override
        public void mediaConnected() {}

        @Override
        public void mediaFailed(String reason) {}

        @Override
        public void mediaLost(String reason) {}
    };
    private final RenegotiationRequests r =
            new RenegotiationRequests(control::add, () -> nowNanos, () -> closed, List::of, listener);

    private void runControl() {
        while (!control.isEmpty()) {
            control.poll().run();
        }
    }

    @Test
    void requestsOfOneTurnBecomeOne() {
        r.schedule();
        r.schedule();
        r.schedule();
        runControl();
        assertEquals(1, requests.size());
    }

    @Test
    void whileARequestIsUnansweredChangesWaitForTheOffer() {
        r.schedule();
        runControl();
        for (int i = 0; i < 20; i++) { // twenty publishers arrive before the participant's offer
            nowNanos += TimeUnit.MILLISECONDS.toNanos(50);
            r.schedule();
            runControl();
        }
        assertEquals(1, requests.size(), "one request per round trip, not one per newcomer");
        assertEquals(20, r.heldBack());
        r.offerAnswered();
        r.schedule(); // the answer found lines still short
        runControl();
        assertEquals(2, requests.size());
    }

    @Test
    void aParticipantThatNeverOfferedIsAskedAgainAtTheNextChangeAfterTheWait() {
        r.schedule();
        runControl();
        nowNanos += RenegotiationRequests.ANSWER_WAIT_NANOS - 1;
        r.schedule();
        runControl();
        assertEquals(1, requests.size());
        nowNanos += 1;
        r.schedule();
        runControl();
        assertEquals(2, requests.size());
    }

    @Test
    void aClosedSessionIsNotAsked() {
        r.schedule();
        closed = true;
        runControl();
        assertEquals(0, requests.size());
    }
}
