package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.sfu.worker.TimerQueue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rate limit counts only requests that went out: one the transport refused hides nothing. */
class KeyframeRequesterTest {
    private static final long INTERVAL = 300_000_000L;

    private final TimerQueue timers = new TimerQueue();
    private final List<Long> sentAt = new ArrayList<>();
    private boolean transportUp;

    private final KeyframeRequester requester = new KeyframeRequester("pli:test", timers, INTERVAL, now -> {
        if (transportUp) {
            sentAt.add(now);
        }
        return transportUp;
    });

    @Test
    void aRequestTheTransportCouldNotSendDoesNotDeferTheNextOne() {
        requester.request(0, KeyframeRequestKind.NEW_SUBSCRIPTION); // publisher's DTLS not up yet
        assertEquals(0, requester.sent());
        assertEquals(1, requester.toJson().get("notSent").asLong());

        transportUp = true;
        requester.request(100_000_000L, KeyframeRequestKind.RESUME); // inside the interval of the failed one
        assertEquals(List.of(100_000_000L), sentAt, "sent at once, not deferred behind a request that never left");
        assertEquals(1, requester.sent());
    }

    @Test
    void aRequestThatWentOutStillDefersTheNextWithinTheInterval() {
        transportUp = true;
        requester.request(0, KeyframeRequestKind.NEW_SUBSCRIPTION);
        requester.request(100_000_000L, KeyframeRequestKind.SUBSCRIBER_PLI);
        assertEquals(List.of(0L), sentAt);
        timers.runDue(INTERVAL);
        assertEquals(List.of(0L, INTERVAL), sentAt, "the deferred request leaves when the interval ends");
        assertEquals(2, requester.sent());
    }
}
