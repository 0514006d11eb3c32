package dev.chorus.sfu.conference;

import static dev.chorus.sfu.conference.TestConference.PUBLISH;
import static dev.chorus.sfu.conference.TestConference.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.worker.MediaWorker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stopping the service from its control thread (the event loop): sessions end at once, the slow
 * part (joining workers, freeing ICE agents, the port) completes a future instead of blocking.
 */
class ServiceCloseTest {

    @Test
    @Timeout(60)
    void closeAsyncEndsSessionsAtOnceAndReleasesTheRestInTheBackground() throws Exception {
        TestConference conference = new TestConference(2, 1024);
        MediaService service = conference.service;
        MediaRoom room = service.room("r");
        MediaWorker worker = room.worker();
        MediaSession alice = room.join("alice", new TestConference.Events());
        alice.handleOffer(offer(PUBLISH), Map.of("0", "mic", "1", "camera"));
        assertEquals(1, service.transportCount());

        CompletableFuture<Void> released = service.closeAsync();

        assertTrue(alice.isClosed(), "sessions end on the calling thread");
        assertEquals(List.of(), service.roomIds());
        MediaException late = assertThrows(MediaException.class, () -> service.room("r"));
        assertEquals(MediaException.Kind.UNAVAILABLE, late.kind());
        assertSame(released, service.closeAsync(), "closing again is the same close");

        released.get(30, TimeUnit.SECONDS);
        assertFalse(worker.isRunning(), "the workers are stopped once released");
        assertEquals(0, service.transportCount(), "every transport is closed");
        service.close(); // idempotent, and returns at once now
    }
}
