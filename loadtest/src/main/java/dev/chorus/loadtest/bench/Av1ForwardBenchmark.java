package dev.chorus.loadtest.bench;

import dev.chorus.sfu.codec.Codec;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.rtp.RtpHeaderExtensions;
import java.util.HexFormat;
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
 * AV1 SVC forwarding without SRTP, as {@link SvcForwardBenchmark} does VP9: one {@code L3T3_KEY}-like encoding
 * (three spatial layers of two packets each per picture, temporal layers 0, 2, 1, 2), its layers in the
 * Dependency Descriptor header extension (the key frame's first packet carries the template structure in a
 * two-byte block; every other packet a 3-byte descriptor). Half the subscribers show it in a small tile
 * (spatial layer 0 only), the others get every layer. One op is one publisher packet: the receive stream's
 * descriptor parse, then each consumer's decision, rewrite (descriptor id remapped, marker moved) and send.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Av1ForwardBenchmark {
    private static final int LAYERS = 3;
    private static final int[] TIDS = {0, 2, 1, 2};
    private static final int PACKETS_PER_PICTURE = LAYERS * 2;
    /**
     * A template structure for three spatial and three temporal layers, template ids from 5: per spatial layer
     * a key template, a tid-0 delta and one per upper tid (index sid * 4 + kind); 320x180, 640x360, 1280x720.
     * Built with the sfu tests' DependencyDescriptorBytes.keyStructure(3, 3, 5, 1280, 720); the first three bytes
     * (start of frame, template 5, frame 1000) and the flags are part of it.
     */
    private static final byte[] KEY_DESCRIPTOR = HexFormat.of()
            .parseHex("8503e880a8161617aaaaaa0002c000200002aa80a8000b000080000a8002a0002c00024d04104d04104d040c55f8"
                    + "00000000000000000000000000000000000404fc02cc09fc059c13fc0b3c");

    private static final int TEMPLATE_ID_OFFSET = 5;

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
        rig = new ForwardRig(null, subscribers, Codec.AV1);
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

    /**
     * Packet {@code part} (two per spatial layer) of a picture: MID, abs-send-time, transport-cc and the
     * descriptor (two-byte form for the structure), an AV1 aggregation header, then payload bytes.
     */
    static byte[] packet(boolean key, int tid, int part) {
        int sid = part / 2;
        boolean start = part % 2 == 0;
        boolean end = !start;
        byte[] dd;
        if (key && part == 0) {
            dd = KEY_DESCRIPTOR.clone();
            dd[0] = (byte) (0x80 | TEMPLATE_ID_OFFSET); // start of frame, not end: two packets per frame
        } else {
            int index = sid * 4 + (key ? 0 : tid == 0 ? 1 : 1 + tid);
            dd = new byte[] {(byte) ((start ? 0x80 : 0) | (end ? 0x40 : 0) | (TEMPLATE_ID_OFFSET + index)), 0, 1};
        }
        boolean twoByte = dd.length > RtpHeaderExtensions.ONE_BYTE_MAX_LENGTH;
        int elements = twoByte ? (2 + 1) + (2 + 3) + (2 + 2) + (2 + dd.length) : 2 + 4 + 3 + 1 + dd.length;
        int block = (elements + 3) / 4 * 4;
        byte[] b = new byte[12 + 4 + block + BenchPackets.PAYLOAD_LENGTH];
        b[0] = (byte) 0x90;
        b[1] = (byte) (ForwardRig.PUBLISHER_PT | (part == PACKETS_PER_PICTURE - 1 ? 0x80 : 0));
        BigEndian.put32(b, 8, ForwardRig.PUBLISHER_SSRC);
        BigEndian.put16(b, 12, twoByte ? RtpHeaderExtensions.TWO_BYTE_PROFILE : RtpHeaderExtensions.ONE_BYTE_PROFILE);
        BigEndian.put16(b, 14, block / 4);
        int p = 16;
        p = element(b, p, twoByte, BenchPackets.MID_ID, new byte[] {'0'});
        p = element(b, p, twoByte, BenchPackets.ABS_SEND_TIME_ID, new byte[] {0x12, 0x34, 0x56});
        p = element(b, p, twoByte, BenchPackets.TRANSPORT_CC_ID, new byte[] {0, 1});
        element(b, p, twoByte, BenchPackets.DEPENDENCY_DESCRIPTOR_ID, dd);
        int at = 16 + block;
        // Aggregation header: Z on a frame's second packet (it continues the OBU), N on the key frame's first.
        b[at] = (byte) ((end ? 0x80 : 0) | 0x10 | (key && part == 0 ? 0x08 : 0));
        for (int i = at + 1; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    private static int element(byte[] b, int p, boolean twoByte, int id, byte[] data) {
        if (twoByte) {
            b[p++] = (byte) id;
            b[p++] = (byte) data.length;
        } else {
            b[p++] = (byte) ((id << 4) | (data.length - 1));
        }
        System.arraycopy(data, 0, b, p, data.length);
        return p + data.length;
    }

    @Benchmark
    public void forward(Blackhole bh) {
        for (SubscriberSink s : rig.sinks) {
            s.blackhole = bh;
        }
        rig.forwardPlain(cycle[next], nextSeq, picture * 3000L);
        nextSeq = (nextSeq + 1) & 0xFFFF;
        if (++next % PACKETS_PER_PICTURE == 0) {
            picture++;
            next %= cycle.length;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rig.close();
    }
}
