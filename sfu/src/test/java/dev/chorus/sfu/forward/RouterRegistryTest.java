package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.worker.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The wiring path with real worker threads: signaling-style calls from another thread. */
class RouterRegistryTest {
    @Test
    @Timeout(30)
    void routersAreSpreadOverWorkersAndDriveForwardingFromOtherThreads() throws Exception {
        PacketBufferPool pool = new PacketBufferPool(256, 1024, true);
        try (RouterRegistry registry = RouterRegistry.start(2, pool, Clock.SYSTEM, 1024, RouterConfig.defaults())) {
            Router a = registry.createRouter("room-a").get(10, TimeUnit.SECONDS);
            Router b = registry.createRouter("room-b").get(10, TimeUnit.SECONDS);
            assertNotSame(a.worker(), b.worker(), "two rooms, two workers");
            ExecutionException dup = assertThrows(
                    ExecutionException.class,
                    () -> registry.createRouter("room-a").get(10, TimeUnit.SECONDS));
            assertEquals(IllegalArgumentException.class, dup.getCause().getClass());
            assertThrows(
                    IllegalStateException.class,
                    () -> a.addEndpoint("x", new RecordingSender(), 1),
                    "router calls off its worker thread fail loudly");

            RecordingSender bob = new RecordingSender();
            Endpoint alice = a.worker()
                    .call(() -> {
                        Endpoint e = a.addEndpoint("alice", new RecordingSender(), 0xA0);
                        a.addEndpoint("bob", bob, 0xB0);
                        a.addProducer(
                                "alice", ProducerParams.of("mic", Codec.OPUS, PUB_SSRC, 111, HeaderExtensionIds.NONE));
                        a.addConsumer("bob", "mic", ConsumerParams.of("c", 0xB1, 109, HeaderExtensionIds.NONE, 7));
                        return e;
                    })
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                byte[] bytes = RtpBuilder.rtp(PUB_SSRC, i, i * 960L).pt(111).build();
                PacketBuffer buf = pool.acquire();
                buf.copyFrom(bytes, 0, bytes.length);
                a.worker().submitRtp(alice, buf);
            }
            long sent = a.worker().call(() -> a.consumer("c").packetsSent()).get(10, TimeUnit.SECONDS);
            assertEquals(50, sent);
            int lastSeq = a.worker().call(() -> bob.rtpAt(49).sequenceNumber()).get(10, TimeUnit.SECONDS);
            assertEquals(56, lastSeq);

            JsonNode debug = registry.debugJson().get(10, TimeUnit.SECONDS);
            assertEquals(2, debug.get("workers").size());
            assertEquals(2, debug.get("routers").size());
            CompletableFuture<Void> closed = registry.closeRouter("room-a");
            closed.get(10, TimeUnit.SECONDS);
            assertEquals(null, registry.router("room-a"));
        }
        assertEquals(0, pool.outstanding());
    }
}
