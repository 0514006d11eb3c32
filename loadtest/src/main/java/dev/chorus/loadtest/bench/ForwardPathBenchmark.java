package dev.chorus.loadtest.bench;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.buffer.PacketBufferPool;
import dev.chorus.sfu.forward.Codec;
import dev.chorus.sfu.forward.ConsumerParams;
import dev.chorus.sfu.forward.Endpoint;
import dev.chorus.sfu.forward.ExtensionKind;
import dev.chorus.sfu.forward.HeaderExtensionIds;
import dev.chorus.sfu.forward.ProducerParams;
import dev.chorus.sfu.forward.Router;
import dev.chorus.sfu.forward.RouterConfig;
import dev.chorus.sfu.transport.SrtpBuffer;
import dev.chorus.sfu.transport.SrtpProfile;
import dev.chorus.sfu.transport.SrtpSession;
import dev.chorus.sfu.worker.ManualClock;
import dev.chorus.sfu.worker.MediaWorker;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpErrorStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The whole media forward path for one publisher packet, as the SFU runs it minus the sockets:
 *
 * <ol>
 *   <li>the SRTP packet as it came off the wire is copied into a pooled {@link PacketBuffer};</li>
 *   <li>SRTP unprotect in place with the SFU's real receive session for the publisher
 *       ({@link SrtpSession}, jitsi-srtp, replay check on);</li>
 *   <li>{@code MediaWorker.submitRtp} + {@code runOnce()}: queue, endpoint (RTP parse, SSRC
 *       lookup), producer (receive stats, keyframe check), every consumer (pooled copy, SSRC / PT /
 *       sequence / timestamp rewrite, header-extension remap, abs-send-time and MID rewrite);</li>
 *   <li>each consumer's {@link SubscriberSink} SRTP-protects the copy in place with the SFU's real
 *       send session for that subscriber and drops it into the Blackhole.</li>
 * </ol>
 *
 * <p><b>Replay protection and fairness.</b> The SFU's receive context rejects replayed
 * indexes, so every packet needs a new sequence number (and, past 65535, a new rollover
 * counter). The publisher's encryption is the publisher's work, not the SFU's, so it must stay
 * out of the measured time. Each measured invocation therefore forwards a batch of
 * {@link #BATCH} packets from a ring that a {@code Level.Invocation} setup (not timed) refilled
 * just before: the same VP8 packet with the next {@code BATCH} sequence numbers, each protected
 * with the publisher's real send session, so sequence numbers and the SRTP index advance
 * forever, rollover included. The invocation lasts milliseconds, so JMH's per-invocation
 * fixture overhead is negligible; the score is per publisher packet thanks to
 * {@link OperationsPerInvocation}. Divide by {@code subscribers} for the cost per forwarded packet.
 *
 * <p>The clock is a {@link ManualClock} that does not move: the periodic RTCP timers and
 * keyframe retries never fire, so the score is the packet path alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardPathBenchmark {
    /** Publisher packets per measured invocation (about 1.2 MB of ring). */
    public static final int BATCH = 1024;
    static final long PUBLISHER_SSRC = 0x1111_1111L;
    static final int PUBLISHER_PT = 96;
    static final long CONSUMER_SSRC_BASE = 0xC000_0000L;
    static final int TIMESTAMP_STEP = 3000; // 30 fps at 90 kHz, one packet per frame is enough here

    @Param({"1", "10"})
    public int subscribers;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public SrtpProfile profile;

    PacketBufferPool pool;
    MediaWorker worker;
    Router router;
    Endpoint publisherEndpoint;
    SubscriberSink[] sinks;
    /** The SFU's side of the publisher's DTLS-SRTP session (unprotects what the publisher sends). */
    SrtpSession sfuFromPublisher;
    /** The publisher's own session (protects in the untimed setup only). */
    SrtpSession publisherClient;
    /** Each subscriber's own session: the far end of the SFU's send session (tests decrypt with it). */
    SrtpSession[] subscriberClients;
    private final SrtpBuffer rxView = new SrtpBuffer();
    private final SrtpBuffer txView = new SrtpBuffer();

    /** Packets per batch: always {@link #BATCH} under JMH; tests lower it to stay fast. */
    int batch = BATCH;
    private byte[] template;
    private final byte[][] ring = new byte[BATCH][PacketBuffer.CAPACITY];
    private final int[] ringLength = new int[BATCH];
    private int nextSeq;
    private long nextTimestamp;

    @Setup(Level.Trial)
    public void setup() throws GeneralSecurityException {
        Random random = new Random(42);
        byte[][] pubKeys = keys(random);
        byte[][] sfuToPubKeys = keys(random);
        publisherClient = new SrtpSession(profile, pubKeys[0], pubKeys[1], sfuToPubKeys[0], sfuToPubKeys[1]);
        sfuFromPublisher = new SrtpSession(profile, sfuToPubKeys[0], sfuToPubKeys[1], pubKeys[0], pubKeys[1]);

        ManualClock clock = new ManualClock();
        pool = new PacketBufferPool(64, 256, true);
        worker = new MediaWorker("bench-worker", clock, pool, 1024, 16);
        router = new Router("bench-room", worker, new RouterConfig(1000, 300, "chorus-bench"));
        HeaderExtensionIds ext = HeaderExtensionIds.NONE
                .with(ExtensionKind.MID, BenchPackets.MID_ID)
                .with(ExtensionKind.ABS_SEND_TIME, BenchPackets.ABS_SEND_TIME_ID)
                .with(ExtensionKind.TRANSPORT_CC, BenchPackets.TRANSPORT_CC_ID);
        publisherEndpoint = router.addEndpoint("publisher", new SubscriberSink(sfuFromPublisher), 0xA0);
        router.addProducer("publisher", ProducerParams.of("video", Codec.VP8, PUBLISHER_SSRC, PUBLISHER_PT, ext));

        sinks = new SubscriberSink[subscribers];
        subscriberClients = new SrtpSession[subscribers];
        for (int i = 0; i < subscribers; i++) {
            byte[][] sfuToSub = keys(random);
            byte[][] subToSfu = keys(random);
            sinks[i] = new SubscriberSink(new SrtpSession(profile, sfuToSub[0], sfuToSub[1], subToSfu[0], subToSfu[1]));
            subscriberClients[i] = new SrtpSession(profile, subToSfu[0], subToSfu[1], sfuToSub[0], sfuToSub[1]);
            router.addEndpoint("sub" + i, sinks[i], 0xB0 + i);
            // Subscribers use the same extension ids but their own MID and PT: a typical browser.
            router.addConsumer("sub" + i, "video", ConsumerParams.of("c" + i, CONSUMER_SSRC_BASE + i,
                    100 + i, ext, 1000 * i).withMid(Integer.toString(i + 1)));
        }

        // The consumers start on a keyframe: send one through the full path first.
        nextSeq = 1;
        nextTimestamp = 90_000;
        byte[] keyframe = BenchPackets.vp8(PUBLISHER_SSRC, PUBLISHER_PT, 0, 0, true, BenchPackets.PAYLOAD_LENGTH);
        int len = protectInto(keyframe, ring[0], 0, 0);
        forwardOne(ring[0], len);
        template = BenchPackets.vp8(PUBLISHER_SSRC, PUBLISHER_PT, 0, 0, false, BenchPackets.PAYLOAD_LENGTH);
        for (SubscriberSink s : sinks) {
            if (s.rtpPackets != 1) {
                throw new IllegalStateException("keyframe did not reach every subscriber");
            }
        }
    }

    /** Not timed: the publisher encrypts the next {@link #BATCH} packets, in sequence order. */
    @Setup(Level.Invocation)
    public void prepareBatch() throws GeneralSecurityException {
        for (int i = 0; i < batch; i++) {
            ringLength[i] = protectInto(template, ring[i], nextSeq, nextTimestamp);
            nextSeq = (nextSeq + 1) & 0xFFFF;
            nextTimestamp = (nextTimestamp + TIMESTAMP_STEP) & 0xFFFF_FFFFL;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void forward(Blackhole bh) throws GeneralSecurityException {
        for (SubscriberSink s : sinks) {
            s.blackhole = bh;
        }
        for (int i = 0; i < batch; i++) {
            forwardOne(ring[i], ringLength[i]);
        }
    }

    /** One publisher packet through the whole path; what the transport reader + worker do. */
    void forwardOne(byte[] srtp, int length) throws GeneralSecurityException {
        PacketBuffer b = pool.acquire();
        b.copyFrom(srtp, 0, length);
        SrtpErrorStatus st = sfuFromPublisher.unprotectRtp(rxView.wrap(b.array(), b.offset(), b.length()));
        if (st != SrtpErrorStatus.OK) {
            pool.release(b);
            throw new IllegalStateException("unprotect failed: " + st);
        }
        b.setLength(rxView.getLength());
        worker.submitRtp(publisherEndpoint, b);
        worker.runOnce();
    }

    /** The publisher's side: plain packet with {@code seq/timestamp} protected into {@code dst}. */
    private int protectInto(byte[] plain, byte[] dst, int seq, long timestamp) throws GeneralSecurityException {
        System.arraycopy(plain, 0, dst, 0, plain.length);
        BenchPackets.setSeqAndTimestamp(dst, 0, seq, timestamp);
        SrtpErrorStatus st = publisherClient.protectRtp(txView.wrap(dst, 0, plain.length));
        if (st != SrtpErrorStatus.OK || txView.getBuffer() != dst) {
            throw new IllegalStateException("publisher protect failed: " + st);
        }
        return txView.getLength();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        worker.close();
        sfuFromPublisher.close();
        publisherClient.close();
    }

    private byte[][] keys(Random random) {
        byte[] key = new byte[profile.keyLength];
        byte[] salt = new byte[profile.saltLength];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new byte[][] {key, salt};
    }
}
