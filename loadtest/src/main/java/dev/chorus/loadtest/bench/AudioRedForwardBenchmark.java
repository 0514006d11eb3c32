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
 * One microphone's packet through the SFU without SRTP, as {@link ForwardPathNoSrtpBenchmark} does for video:
 * {@code mode} says what the publisher sends and what the subscribers negotiated. {@code opus-opus} is plain
 * forwarding; {@code red-red} parses the publisher's RED once and writes each subscriber a RED packet with two
 * earlier frames from the SFU's history; {@code red-opus} cuts the primary frame out for each subscriber;
 * {@code opus-red} adds redundancy to plain Opus. One op is one publisher packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AudioRedForwardBenchmark {
    @Param({"opus-opus", "red-red", "red-opus", "opus-red"})
    public String mode;

    @Param({"1", "10"})
    public int subscribers;

    ForwardRig rig;
    private byte[] packet;
    private int nextSeq;
    private long nextTimestamp;

    @Setup(Level.Trial)
    public void setup() {
        boolean publisherRed = mode.startsWith("red-");
        rig = new ForwardRig(null, subscribers, new ForwardRig.Audio(publisherRed, mode.endsWith("-red")));
        packet =
                BenchPackets.opus(ForwardRig.PUBLISHER_SSRC, ForwardRig.OPUS_PT, publisherRed ? ForwardRig.RED_PT : -1);
        nextSeq = 0;
        nextTimestamp = 0;
    }

    @Benchmark
    public void forward(Blackhole bh) {
        for (SubscriberSink s : rig.sinks) {
            s.blackhole = bh;
        }
        rig.forwardPlain(packet, nextSeq, nextTimestamp);
        nextSeq = (nextSeq + 1) & 0xFFFF;
        nextTimestamp = (nextTimestamp + 960) & 0xFFFF_FFFFL;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }
}
