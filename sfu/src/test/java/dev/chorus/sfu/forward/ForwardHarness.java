package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.RtpExtension;
import dev.chorus.sfu.worker.ManualClock;
import dev.chorus.sfu.worker.MediaWorker;

/**
 * A router on a worker that is never started: tests feed packets, move the fake clock and
 * step the loop by hand, so everything is deterministic.
 */
final class ForwardHarness {
    static final long PUB_SSRC = 0x1111_1111L;
    static final int PUB_PT = 96;
    static final HeaderExtensionIds PUB_EXT = HeaderExtensionIds.NONE
            .with(RtpExtension.MID, 1)
            .with(RtpExtension.ABS_SEND_TIME, 2)
            .with(RtpExtension.TRANSPORT_CC, 3);

    final ManualClock clock = new ManualClock();
    final PacketBufferPool pool = new PacketBufferPool(256, 4096, true);
    final MediaWorker worker = new MediaWorker("test-worker", clock, pool, 1024, 16);
    final Router router;

    ForwardHarness() {
        this(RouterConfig.defaults());
    }

    ForwardHarness(RouterConfig config) {
        router = new Router("room-1", worker, config);
    }

    Endpoint endpoint(String id, PacketEgress sender, long rtcpSsrc) {
        return router.addEndpoint(id, sender, rtcpSsrc);
    }

    Producer vp8Producer(String endpointId) {
        return router.addProducer(endpointId, ProducerParams.of("video-1", Codec.VP8, PUB_SSRC, PUB_PT, PUB_EXT));
    }

    /** Delivers {@code bytes} as the transport would and runs the worker until idle. */
    void rtp(Endpoint from, byte[] bytes) {
        PacketBuffer b = pool.acquire();
        assertNotNull(b);
        assertTrue(b.copyFrom(bytes, 0, bytes.length));
        worker.submitRtp(from, b);
        worker.runUntilIdle();
    }

    void rtcp(Endpoint from, byte[] bytes) {
        PacketBuffer b = pool.acquire();
        assertNotNull(b);
        assertTrue(b.copyFrom(bytes, 0, bytes.length));
        worker.submitRtcp(from, b);
        worker.runUntilIdle();
    }

    void advanceMillis(long millis) {
        clock.advanceMillis(millis);
        worker.runUntilIdle();
    }

    /** One VP8 packet from the publisher. */
    void vp8(Endpoint from, int seq, long ts, byte[] payload) {
        rtp(from, RtpBuilder.rtp(PUB_SSRC, seq, ts).pt(PUB_PT).payload(payload).build());
    }
}
