package dev.chorus.loadtest.bench;

import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The RTP parser on a browser-like video packet (one-byte extensions MID, abs-send-time,
 * transport-cc; 1100-byte VP8 payload): {@link RtpPacket#wrap} (validation), the header fields
 * the forwarder reads, and looking up the transport-cc extension (the last element) and reading
 * its value. The packet sits at offset 32 of a larger array, as in a pooled buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtpParseBenchmark {
    static final int OFFSET = 32;

    final RtpPacket packet = new RtpPacket();
    byte[] buffer;
    int length;

    @Setup
    public void setup() {
        byte[] p = BenchPackets.vp8(0x1234_5678L, 96, 4711, 123_456_789L, false, BenchPackets.PAYLOAD_LENGTH);
        buffer = new byte[OFFSET + p.length + 32];
        System.arraycopy(p, 0, buffer, OFFSET, p.length);
        length = p.length;
    }

    /** Returns a value derived from every field read, so none of the work is dead code. */
    @Benchmark
    public long wrapReadHeaderFindExtension() {
        RtpPacket p = packet;
        if (p.wrap(buffer, OFFSET, length) != RtpValidity.OK) {
            return -1;
        }
        long acc = p.ssrc()
                ^ p.timestamp()
                ^ ((long) p.sequenceNumber() << 32)
                ^ p.payloadType()
                ^ (p.marker() ? 1L << 40 : 0)
                ^ ((long) p.payloadOffset() << 44)
                ^ ((long) p.payloadLength() << 20);
        long ref = p.findExtension(BenchPackets.TRANSPORT_CC_ID);
        if (ref != RtpHeaderExtensions.NOT_FOUND) {
            acc += BigEndian.u16(buffer, RtpHeaderExtensions.offsetOf(ref));
        }
        return acc;
    }
}
