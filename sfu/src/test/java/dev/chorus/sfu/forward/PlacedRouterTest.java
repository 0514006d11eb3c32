package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.worker.ManualClock;
import dev.chorus.sfu.worker.MediaWorker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Placing a router never waits for its worker: the workers here are not started, so nothing runs
 * until the test steps them, exactly like a worker busy with other rooms.
 */
class PlacedRouterTest {
    private final PacketBufferPool pool = new PacketBufferPool(16, 64, true);
    private final MediaWorker worker = new MediaWorker("w0", new ManualClock(), pool, 64, 16);
    private final RouterRegistry registry = new RouterRegistry(List.of(worker), RouterConfig.defaults());

    @Test
    void placingReturnsAtOnceAndLaterCommandsFindTheRouterMade() {
        PlacedRouter placed = registry.placeRouter("room-a");

        assertSame(worker, placed.worker(), "the worker is known at once");
        assertFalse(placed.created().isDone(), "the router is made only when the worker runs");
        assertNull(placed.failure());
        assertNull(registry.router("room-a"));
        List<Router> seen = new ArrayList<>();
        assertTrue(worker.submit(() -> seen.add(placed.router())));

        worker.runUntilIdle();
        assertEquals(1, seen.size());
        assertNotNull(seen.get(0), "a command queued after placing runs after the creation");
        assertSame(seen.get(0), placed.created().join());
        assertSame(seen.get(0), registry.router("room-a"));
        assertEquals("room-a", seen.get(0).id());
    }

    @Test
    void closingBeforeTheRouterIsMadeClosesItOnceMade() {
        PlacedRouter placed = registry.placeRouter("room-a");
        registry.closeRouter("room-a");
        assertNull(registry.router("room-a"));

        worker.runUntilIdle();
        assertTrue(placed.router().isClosed());
        assertNull(registry.router("room-a"));
        PlacedRouter again = registry.placeRouter("room-a");
        assertNull(again.failure(), "the room's name is free again");
    }

    @Test
    void aFullQueueRefusesThePlacementAtOnceAndLeavesNoTrace() {
        int queued = 0;
        while (worker.submit(() -> {})) {
            queued++;
        }
        assertTrue(queued > 0);

        PlacedRouter refused = registry.placeRouter("room-a");
        assertNotNull(refused.failure());
        assertTrue(refused.created().isCompletedExceptionally());
        assertNull(registry.router("room-a"));

        worker.runUntilIdle();
        PlacedRouter placed = registry.placeRouter("room-a");
        assertNull(placed.failure(), "no stale entry blocks the room");
        worker.runUntilIdle();
        assertNotNull(registry.router("room-a"));
    }

    @Test
    void aSecondRouterForOneRoomIsRefused() {
        registry.placeRouter("room-a");
        PlacedRouter duplicate = registry.placeRouter("room-a");
        assertTrue(duplicate.failure() instanceof IllegalArgumentException);
        worker.runUntilIdle();
        assertNotNull(registry.router("room-a"), "the first one stands");
    }

    @Test
    void routersGoToTheLeastLoadedWorkerCountingThoseNotMadeYet() {
        MediaWorker other = new MediaWorker("w1", new ManualClock(), pool, 64, 16);
        RouterRegistry two = new RouterRegistry(List.of(worker, other), RouterConfig.defaults());
        PlacedRouter a = two.placeRouter("room-a");
        PlacedRouter b = two.placeRouter("room-b");
        assertSame(worker, a.worker());
        assertSame(other, b.worker(), "room-a's router counts before it is made");
        two.closeRouter("room-a");
        assertSame(worker, two.placeRouter("room-c").worker());
    }
}
