package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.worker.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Endpoints, producers and consumers take no locks: their entry points refuse a thread other than
 * their worker's while it runs, as the router's do, instead of racing the packet path.
 */
class WorkerThreadCheckTest {
    @Test
    @Timeout(30)
    void entryPointsOfEndpointProducerAndConsumerFailOffTheirWorkerThread() throws Exception {
        PacketBufferPool pool = new PacketBufferPool(64, 256, true);
        try (RouterRegistry registry = RouterRegistry.start(1, pool, Clock.SYSTEM, 1024, RouterConfig.defaults())) {
            Router router = registry.createRouter("room").get(10, TimeUnit.SECONDS);
            Consumer consumer = router.worker()
                    .call(() -> {
                        router.addEndpoint("alice", new RecordingSender(), 0xA0);
                        router.addEndpoint("bob", new RecordingSender(), 0xB0);
                        router.addProducer(
                                "alice", ProducerParams.of("cam", Codec.VP8, PUB_SSRC, 96, HeaderExtensionIds.NONE));
                        return router.addConsumer(
                                "bob", "cam", ConsumerParams.of("c", 0xB1, 96, HeaderExtensionIds.NONE, 1));
                    })
                    .get(10, TimeUnit.SECONDS);
            Producer producer = consumer.producer();
            Endpoint alice = producer.publisher();

            IllegalStateException e = assertThrows(IllegalStateException.class, consumer::pause);
            assertTrue(e.getMessage().contains("consumer c"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> consumer.resume(0));
            assertThrows(IllegalStateException.class, consumer::toJson);
            assertThrows(
                    IllegalStateException.class,
                    () -> producer.requestKeyframe(0, KeyframeRequestKind.NEW_SUBSCRIPTION));
            assertThrows(IllegalStateException.class, () -> producer.bitrateBps(0));
            assertThrows(IllegalStateException.class, producer::toJson);
            PacketBuffer b = pool.acquire();
            b.copyFrom(RtpBuilder.rtp(PUB_SSRC, 1, 0).pt(96).build(), 0, 12);
            assertThrows(IllegalStateException.class, () -> alice.handleRtp(b));
            pool.release(b);
            assertThrows(IllegalStateException.class, alice::toJson);

            // The same calls on the worker are fine.
            boolean paused = router.worker()
                    .call(() -> {
                        consumer.pause();
                        return consumer.isPaused();
                    })
                    .get(10, TimeUnit.SECONDS);
            assertTrue(paused);
            assertEquals(
                    "c",
                    router.worker()
                            .call(() -> consumer.toJson().get("id").asText())
                            .get(10, TimeUnit.SECONDS));
        }
        assertEquals(0, pool.outstanding());
    }
}
