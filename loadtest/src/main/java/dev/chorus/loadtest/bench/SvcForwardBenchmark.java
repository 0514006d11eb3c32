package dev.chorus.loadtest.bench;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.BigEndian;
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
 * VP9 SVC forwarding without SRTP: the publisher's one encoding carries three spatial layers (two packets
 * each per picture) and three temporal layers (TID 0, 2, 1, 2); half the subscribers show it in a small
 * tile (spatial layer 0 only: the filter drops two thirds of the packets, closing up their numbers), the
 * other half get every layer (the marker moved, picture ids kept). One op is one publisher packet, as in
 * {@link ForwardPathNoSrtpBenchmark}, whose VP8 figures are the comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SvcForwardBenchmark {
    private static final int LAYERS = 3;
    private static final int[] TIDS = {0, 2, 1, 2};
    private static final int PACKETS_PER_PICTURE = LAYERS * 2;

    @Param({"1", "10"})
    public int subscribers;

    ForwardRig rig;
    /** One delta picture cycle: 4 pictures of 6 packets. */
    private final byte[][] cycle = new byte[TIDS.length * PACKETS_PER_PICTURE][];

    private int next;
    private int nextSeq;
    private int picture;

    @Setup(Level.Trial)
    public void setup() {
        rig = new ForwardRig(null, subscribers, Codec.VP9);
        for (int i = 0; i < subscribers; i += 2) {
            rig.consumers[i].setViewSize(320, 180, 0);
        }
        for (int part = 0; part < PACKETS_PER_PICTURE; part++) {
            rig.forwardPlain(packet(true, 0, part), nextSeq++, 0);
        }
        for (int p = 0; p < TIDS.length; p++) {
            for (int part = 0; part < PACKETS_PER_PICTURE; part++) {
                cycle[p * PACKETS_PER_PICTURE + part] = packet(false, TIDS[p], part);
            }
        }
        picture = 1;
    }

    /** Packet {@code part} (two per spatial layer) of a picture; the picture id is patched per op. */
    private static byte[] packet(boolean key, int tid, int part) {
        int sid = part / 2;
        boolean begins = part % 2 == 0;
        boolean ss = key && part == 0;
        byte[] b = BenchPackets.vp8(
                ForwardRig.PUBLISHER_SSRC, ForwardRig.PUBLISHER_PT, 0, 0, false, BenchPackets.PAYLOAD_LENGTH);
        int at = b.length - BenchPackets.PAYLOAD_LENGTH;
        b[at] = (byte) (0x80 | (key ? 0 : 0x40) | 0x20 | (begins ? 0x08 : 0x04) | (ss ? 0x02 : 0));
        b[at + 1] = (byte) 0x80; // 15-bit picture id, written per op
        b[at + 2] = 0;
        b[at + 3] = (byte) ((tid << 5) | (tid > 0 ? 0x10 : 0) | (sid << 1) | (key && sid > 0 ? 1 : 0));
        b[at + 4] = 0;
        if (ss) {
            b[at + 5] = (byte) (((LAYERS - 1) << 5) | 0x10);
            for (int s = 0; s < LAYERS; s++) {
                BigEndian.put16(b, at + 6 + 4 * s, 320 << s);
                BigEndian.put16(b, at + 8 + 4 * s, 180 << s);
            }
        }
        if (part == PACKETS_PER_PICTURE - 1) {
            b[1] |= (byte) 0x80; // marker on the picture's last packet
        }
        return b;
    }

    @Benchmark
    public void forward(Blackhole bh) {
        for (SubscriberSink s : rig.sinks) {
            s.blackhole = bh;
        }
        byte[] p = cycle[next];
        int at = p.length - BenchPackets.PAYLOAD_LENGTH;
        p[at + 1] = (byte) (0x80 | ((picture >> 8) & 0x7F));
        p[at + 2] = (byte) picture;
        rig.forwardPlain(p, nextSeq, picture * 3000L);
        nextSeq = (nextSeq + 1) & 0xFFFF;
        if (++next % PACKETS_PER_PICTURE == 0) {
            picture = (picture + 1) & 0x7FFF;
            next %= cycle.length;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }
}
