package dev.chorus.loadtest.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ForwardPathBenchmark} without SRTP on either side: pooled copy in, worker queue,
 * endpoint, producer, every consumer's copy and rewrite, sink. This is the SFU's own code alone;
 * the difference to {@link ForwardPathBenchmark} is what SRTP costs. Without replay protection
 * each invocation is one publisher packet (the harness writes its sequence number and timestamp
 * into the pooled copy).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardPathNoSrtpBenchmark {
    @Param({"1", "10"})
    public int subscribers;

    ForwardRig rig;
    private byte[] packet;
    private int nextSeq;
    private long nextTimestamp;

    @Setup(Level.Trial)
    public void setup() {
        rig = new ForwardRig(null, subscribers);
        rig.forwardPlain(
                BenchPackets.vp8(
                        ForwardRig.PUBLISHER_SSRC, ForwardRig.PUBLISHER_PT, 0, 0, true, BenchPackets.PAYLOAD_LENGTH),
                0,
                0);
        rig.checkDelivered(1);
        packet = BenchPackets.vp8(
                ForwardRig.PUBLISHER_SSRC, ForwardRig.PUBLISHER_PT, 0, 0, false, BenchPackets.PAYLOAD_LENGTH);
        nextSeq = 1;
        nextTimestamp = ForwardPathBenchmark.TIMESTAMP_STEP;
    }

    @Benchmark
    public void forward(Blackhole bh) {
        for (SubscriberSink s : rig.sinks) {
            s.blackhole = bh;
        }
        rig.forwardPlain(packet, nextSeq, nextTimestamp);
        nextSeq = (nextSeq + 1) & 0xFFFF;
        nextTimestamp = (nextTimestamp + ForwardPathBenchmark.TIMESTAMP_STEP) & 0xFFFF_FFFFL;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }
}
