package dev.chorus.sfu.forward;

import static dev.chorus.sfu.forward.ForwardHarness.PUB_SSRC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.RtpExtension;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The forward path must not allocate: pooled buffer in, work queue, SSRC lookup, stats,
 * keyframe check, ten rewritten copies out, periodic RTCP. Measured with HotSpot's per-thread
 * allocation counter over 100k packets; the bound leaves room for JIT/profiling noise only.
 */
class ForwardAllocationTest {
    private static final int CONSUMERS = 10;
    private static final int PACKETS = 100_000;
    private static final long BOUND_BYTES = 64 * 1024;

    /** Counts instead of recording: a recording fake would itself allocate. */
    static final class CountingSender implements PacketEgress {
        long rtp;
        long rtcp;
        long bytes;

        @Override
        public boolean sendRtp(byte[] buf, int off, int len) {
            rtp++;
            bytes += len;
            return true;
        }

        @Override
        public boolean sendRtcp(byte[] buf, int off, int len) {
            rtcp++;
            return true;
        }
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                        && b.isThreadAllocatedMemorySupported()
                        && b.isThreadAllocatedMemoryEnabled()
                ? b
                : null;
    }

    @Test
    void forwardingToTenConsumersAllocatesNothing() {
        com.sun.management.ThreadMXBean bean = threadBean();
        assertNotNull(bean, "HotSpot's per-thread allocation counter is needed to measure allocation");
        ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
                .rtcpIntervalMillis(1000)
                .pliMinIntervalMillis(300)
                .cname("sfu")
                .build());
        CountingSender publisher = new CountingSender();
        Endpoint alice = h.endpoint("alice", publisher, 0xA0);
        h.vp8Producer("alice");
        CountingSender[] subscribers = new CountingSender[CONSUMERS];
        for (int i = 0; i < CONSUMERS; i++) {
            subscribers[i] = new CountingSender();
            h.endpoint("sub" + i, subscribers[i], 0xB0 + i);
            // Different ids per subscriber so remapping, stripping and MID rewriting all run.
            HeaderExtensionIds ids = i % 2 == 0
                    ? ForwardHarness.PUB_EXT
                    : HeaderExtensionIds.NONE.with(RtpExtension.MID, 5).with(RtpExtension.TRANSPORT_CC, 7);
            h.router.addConsumer(
                    "sub" + i,
                    "video-1",
                    ConsumerParams.of("c" + i, 0xC000 + i, 100 + i, ids, i * 1000)
                            .withMid("m" + i));
        }
        h.rtcp(alice, Rtcp.senderReport(PUB_SSRC, 1L << 40, 0, 0, 0));

        byte[] keyframe = RtpBuilder.rtp(PUB_SSRC, 0, 0)
                .pt(96)
                .ext(1, (byte) '0')
                .ext(2, (byte) 1, (byte) 2, (byte) 3)
                .ext(3, (byte) 0, (byte) 1)
                .payload(pad(RtpBuilder.vp8Keyframe(), 1000))
                .build();
        byte[] delta = RtpBuilder.rtp(PUB_SSRC, 0, 0)
                .pt(96)
                .ext(1, (byte) '0')
                .ext(2, (byte) 1, (byte) 2, (byte) 3)
                .ext(3, (byte) 0, (byte) 1)
                .payload(pad(RtpBuilder.vp8Delta(), 1000))
                .build();
        int[] seq = {0};
        Runnable forwardMany = () -> {
            for (int i = 0; i < PACKETS; i++) {
                int s = seq[0]++;
                deliver(h, alice, s % 300 == 0 ? keyframe : delta, s);
                h.clock.advanceNanos(3_000_000); // ~333 packets/s: RTCP ticks fire during the run
                h.worker.runOnce();
            }
        };
        forwardMany.run(); // warm-up: class loading, JIT, map and list growth
        long sentBefore = subscribers[0].rtp;
        long rtcpBefore = publisher.rtcp;

        long thread = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(thread);
        forwardMany.run();
        long allocated = bean.getThreadAllocatedBytes(thread) - before;

        assertEquals(PACKETS, subscribers[0].rtp - sentBefore, "every packet reached every consumer");
        assertEquals(PACKETS, subscribers[CONSUMERS - 1].rtp - sentBefore);
        assertTrue(publisher.rtcp - rtcpBefore >= 250, "receiver reports were sent during the run");
        assertTrue(subscribers[0].rtcp > 250, "sender reports were sent during the run");
        assertEquals(0, h.pool.outstanding());
        assertTrue(
                allocated < BOUND_BYTES,
                "forward path allocated " + allocated + " bytes for " + PACKETS + " packets x " + CONSUMERS
                        + " consumers");
    }

    /**
     * The loss-recovery paths must not allocate either: every 50th publisher packet is lost and
     * NACKed, the publisher's RTX answer is unwrapped, stored and forwarded, and every 10th packet
     * each subscriber NACKs a recent one, answered with RTX from the retransmission buffer.
     */
    @Test
    void nackAndRtxInBothDirectionsAllocateNothing() {
        com.sun.management.ThreadMXBean bean = threadBean();
        assertNotNull(bean, "HotSpot's per-thread allocation counter is needed to measure allocation");
        ForwardHarness h = new ForwardHarness(RouterConfig.defaults().toBuilder()
                .rtcpIntervalMillis(1000)
                .pliMinIntervalMillis(300)
                .cname("sfu")
                .build()
                .withDefaultRtt(5));
        CountingSender publisher = new CountingSender();
        Endpoint alice = h.endpoint("alice", publisher, 0xA0);
        long rtxSsrc = 0x2222_3333L;
        h.router.addProducer(
                "alice",
                ProducerParams.of("video-1", Codec.VP8, PUB_SSRC, 96, ForwardHarness.PUB_EXT)
                        .withRtx(rtxSsrc, 97));
        int subscriberCount = 4;
        CountingSender[] subscribers = new CountingSender[subscriberCount];
        Endpoint[] subscriberEndpoints = new Endpoint[subscriberCount];
        for (int i = 0; i < subscriberCount; i++) {
            subscribers[i] = new CountingSender();
            subscriberEndpoints[i] = h.endpoint("sub" + i, subscribers[i], 0xB0 + i);
            h.router.addConsumer(
                    "sub" + i,
                    "video-1",
                    ConsumerParams.of("c" + i, 0xC000 + i, 100, ForwardHarness.PUB_EXT, i * 1000)
                            .withMid("m" + i)
                            .withRtx(0xD000 + i, 101));
        }
        byte[] keyframe = RtpBuilder.rtp(PUB_SSRC, 0, 0)
                .pt(96)
                .ext(1, (byte) '0')
                .ext(2, (byte) 1, (byte) 2, (byte) 3)
                .payload(pad(RtpBuilder.vp8Keyframe(), 1000))
                .build();
        byte[] delta = RtpBuilder.rtp(PUB_SSRC, 0, 0)
                .pt(96)
                .ext(1, (byte) '0')
                .ext(2, (byte) 1, (byte) 2, (byte) 3)
                .payload(pad(RtpBuilder.vp8Delta(), 1000))
                .build();
        byte[] rtx = RtpBuilder.rtp(rtxSsrc, 0, 0)
                .pt(97)
                .ext(1, (byte) '0')
                .ext(2, (byte) 1, (byte) 2, (byte) 3)
                .payload(pad(RtpBuilder.vp8Delta(), 1002))
                .build();
        int rtxPayloadAt = rtx.length - 1002;
        int[] nackSeq = new int[1];
        int[] seq = {0};
        Runnable run = () -> {
            for (int i = 0; i < PACKETS; i++) {
                int s = seq[0]++ & 0xFFFF;
                if (s % 50 == 25) {
                    continue; // lost upstream: NACKed to alice, recovered by RTX below
                }
                byte[] template = s % 300 == 0 ? keyframe : delta;
                deliver(h, alice, template, s);
                if (s % 50 == 27) {
                    PacketBuffer b = h.pool.acquire();
                    System.arraycopy(rtx, 0, b.array(), PacketBuffer.HEADROOM, rtx.length);
                    b.set(PacketBuffer.HEADROOM, rtx.length);
                    b.array()[PacketBuffer.HEADROOM + 2] = (byte) (s >>> 8);
                    b.array()[PacketBuffer.HEADROOM + 3] = (byte) s;
                    int osn = (s - 2) & 0xFFFF;
                    b.array()[PacketBuffer.HEADROOM + rtxPayloadAt] = (byte) (osn >>> 8);
                    b.array()[PacketBuffer.HEADROOM + rtxPayloadAt + 1] = (byte) osn;
                    h.worker.submitRtp(alice, b);
                }
                if (s % 10 == 5) {
                    for (int k = 0; k < subscriberCount; k++) {
                        PacketBuffer b = h.pool.acquire();
                        nackSeq[0] = (k * 1000 + s - 20) & 0xFFFF; // out = initial + input: the SFU drops nothing here
                        int n = dev.chorus.sfu.rtcp.NackWriter.write(
                                b.array(),
                                PacketBuffer.HEADROOM,
                                PacketBuffer.HEADROOM + 200,
                                0xE0,
                                0xC000 + k,
                                nackSeq,
                                0,
                                1);
                        b.set(PacketBuffer.HEADROOM, n);
                        h.worker.submitRtcp(subscriberEndpoints[k], b);
                    }
                }
                h.clock.advanceNanos(3_000_000);
                h.worker.runOnce();
                h.worker.runOnce();
            }
        };
        run.run(); // warm-up, and every retransmission-buffer slot gets its array
        long retransmittedBefore = h.router.consumer("c0").retransmittedRtx();
        long recoveredBefore = h.router
                .producer("video-1")
                .toJson()
                .get("nackToPublisher")
                .get("recovered")
                .asLong();

        long thread = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(thread);
        run.run();
        long allocated = bean.getThreadAllocatedBytes(thread) - before;

        long retransmitted = h.router.consumer("c0").retransmittedRtx() - retransmittedBefore;
        long recovered = h.router
                        .producer("video-1")
                        .toJson()
                        .get("nackToPublisher")
                        .get("recovered")
                        .asLong()
                - recoveredBefore;
        assertTrue(retransmitted > PACKETS / 20, "subscriber NACKs were answered with RTX: " + retransmitted);
        assertTrue(recovered > PACKETS / 60, "publisher losses were NACKed and recovered: " + recovered);
        assertEquals(0, h.pool.outstanding());
        assertTrue(allocated < BOUND_BYTES, "NACK/RTX paths allocated " + allocated + " bytes");
    }

    private static void deliver(ForwardHarness h, Endpoint from, byte[] template, int s) {
        PacketBuffer b = h.pool.acquire();
        System.arraycopy(template, 0, b.array(), PacketBuffer.HEADROOM, template.length);
        b.set(PacketBuffer.HEADROOM, template.length);
        b.array()[PacketBuffer.HEADROOM + 2] = (byte) (s >>> 8);
        b.array()[PacketBuffer.HEADROOM + 3] = (byte) s;
        long ts = (s / 3) * 3000L;
        b.array()[PacketBuffer.HEADROOM + 4] = (byte) (ts >>> 24);
        b.array()[PacketBuffer.HEADROOM + 5] = (byte) (ts >>> 16);
        b.array()[PacketBuffer.HEADROOM + 6] = (byte) (ts >>> 8);
        b.array()[PacketBuffer.HEADROOM + 7] = (byte) ts;
        h.worker.submitRtp(from, b);
    }

    private static byte[] pad(byte[] start, int length) {
        byte[] b = new byte[length];
        System.arraycopy(start, 0, b, 0, start.length);
        return b;
    }
}
