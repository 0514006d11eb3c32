package dev.chorus.loadtest.bench;

import dev.chorus.sfu.buffer.PacketBuffer;
import dev.chorus.sfu.transport.SrtpImplementation;
import dev.chorus.sfu.transport.SrtpProfile;
import dev.chorus.sfu.transport.SrtpSession;
import dev.chorus.sfu.worker.ManualClock;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
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
 *       ({@link SrtpSession} on the {@code implementation} under test, replay check on);</li>
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
 *
 * <p><b>Allocation.</b> JMH's {@code -prof gc} counts every byte the JVM allocates during an
 * iteration, untimed fixtures included, so {@code gc.alloc.rate.norm} here also contains the
 * publisher's protect of each packet done in {@link #prepareBatch} (one SRTP operation per
 * packet). {@link ForwardPathNoSrtpBenchmark} is the same path without SRTP.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardPathBenchmark {
    /** Publisher packets per measured invocation (about 1.6 MB of ring). */
    public static final int BATCH = 1024;

    static final int TIMESTAMP_STEP = 3000; // 30 fps at 90 kHz

    @Param({"1", "10"})
    public int subscribers;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public SrtpProfile profile;

    /** Whose SRTP every session of the rig runs (the publisher's and subscribers' ends too). */
    @Param({"CHORUS", "JITSI"})
    public SrtpImplementation implementation;

    ForwardRig rig;
    /** Packets per batch: always {@link #BATCH} under JMH; tests lower it to stay fast. */
    int batch = BATCH;

    private byte[] template;
    private final byte[][] ring = new byte[BATCH][PacketBuffer.CAPACITY];
    private final int[] ringLength = new int[BATCH];
    private int nextSeq;
    private long nextTimestamp;

    @Setup(Level.Trial)
    public void setup() throws GeneralSecurityException {
        rig = new ForwardRig(implementation, profile, subscribers);
        // The consumers start on a keyframe: send one through the full path first.
        byte[] keyframe = BenchPackets.vp8(
                ForwardRig.PUBLISHER_SSRC, ForwardRig.PUBLISHER_PT, 0, 0, true, BenchPackets.PAYLOAD_LENGTH);
        rig.forwardSrtp(ring[0], rig.protectAsPublisher(keyframe, ring[0], 0, 0));
        rig.checkDelivered(1);
        template = BenchPackets.vp8(
                ForwardRig.PUBLISHER_SSRC, ForwardRig.PUBLISHER_PT, 0, 0, false, BenchPackets.PAYLOAD_LENGTH);
        nextSeq = 1;
        nextTimestamp = TIMESTAMP_STEP;
    }

    /** Not timed: the publisher encrypts the next {@link #BATCH} packets, in sequence order. */
    @Setup(Level.Invocation)
    public void prepareBatch() throws GeneralSecurityException {
        for (int i = 0; i < batch; i++) {
            ringLength[i] = rig.protectAsPublisher(template, ring[i], nextSeq, nextTimestamp);
            nextSeq = (nextSeq + 1) & 0xFFFF;
            nextTimestamp = (nextTimestamp + TIMESTAMP_STEP) & 0xFFFF_FFFFL;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void forward(Blackhole bh) throws GeneralSecurityException {
        for (SubscriberSink s : rig.sinks) {
            s.blackhole = bh;
        }
        for (int i = 0; i < batch; i++) {
            rig.forwardSrtp(ring[i], ringLength[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }
}
