package dev.chorus.loadtest.bench;

import dev.chorus.sfu.sctp.SctpAssociation;
import dev.chorus.sfu.sctp.SctpConfig;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The SCTP association's receive path (what runs on the DTLS drain thread for every data-channel packet), on an
 * association established with a real peer association:
 * <ul>
 *   <li>{@code dataIn}: one DATA packet (one whole ordered message of {@code size} bytes, the next TSN and SSN) into
 *       the receiving association: parse, CRC32c, TSN tracking, delivery to the listener, and the SACK it sends
 *       back (discarded). The packet is the peer's own, its TSN and SSN moved on and its checksum redone per op
 *       (java.util.zip.CRC32C, allocation-free).</li>
 *   <li>{@code roundTrip}: a message sent by one association, its DATA packet received by the other, and that
 *       one's SACK received back: both directions' packets in, as a relay of one message costs.</li>
 * </ul>
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is the bytes allocated per op; the delivered message's own array
 * ({@code size} bytes plus a 16-byte header) is the listener's API and counted in it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SctpReceiveBenchmark {
    private static final int PPID_BINARY = 53;

    @Param({"100", "1000"})
    public int size;

    /** Packets in flight each way; handed over synchronously by {@link #pump}. */
    private final ArrayDeque<byte[]> toA = new ArrayDeque<>();

    private final ArrayDeque<byte[]> toB = new ArrayDeque<>();
    private SctpAssociation a;
    private SctpAssociation b;
    private byte[] data;
    private boolean dropSacks;
    private long sacks;
    private byte[] packet;
    private int tsn;
    private int ssn;
    private long now = 1000;
    private final CRC32C crc = new CRC32C();
    private Blackhole blackhole;

    private static final class Quiet implements SctpAssociation.Listener {
        long messages;
        long bytes;

        @Override
        public void onEstablished() {}

        @Override
        public void onMessage(int stream, int ppid, byte[] message) {
            messages++;
            bytes += message.length;
        }

        @Override
        public void onIncomingStreamsReset(int[] streams) {}

        @Override
        public void onMessageTooLarge(int stream, long length) {}

        @Override
        public void onClosed(String reason) {
            throw new IllegalStateException("closed: " + reason);
        }
    }

    @Setup
    public void setUp(Blackhole bh) {
        blackhole = bh;
        a = new SctpAssociation(
                SctpConfig.DEFAULT,
                5000,
                5000,
                (buf, off, len) -> queue(toB, buf, off, len),
                new Quiet(),
                new Random(1));
        b = new SctpAssociation(
                SctpConfig.DEFAULT,
                5000,
                5000,
                (buf, off, len) -> queue(toA, buf, off, len),
                new Quiet(),
                new Random(2));
        a.connect(now);
        pump();
        if (a.state() != SctpAssociation.State.ESTABLISHED || b.state() != SctpAssociation.State.ESTABLISHED) {
            throw new IllegalStateException("not established: " + a.state() + " / " + b.state());
        }
        data = new byte[size];
        new Random(3).nextBytes(data);
        a.send(1, PPID_BINARY, data, false, -1, -1, now);
        packet = toB.peekFirst().clone();
        pump();
        // DATA chunk at 12: type, flags, length, then TSN (16), stream (20), SSN (22), PPID (24).
        tsn = readInt(packet, 16);
        ssn = ((packet[22] & 0xFF) << 8) | (packet[23] & 0xFF);
    }

    /**
     * A packet sent: a copy kept for {@link #pump}, as a link would carry it (the round trip's B/op counts these two
     * copies; the SFU's DTLS encrypts from the association's buffer instead); during {@code dataIn} the SACKs it
     * causes are only counted.
     */
    private void queue(ArrayDeque<byte[]> to, byte[] buf, int off, int len) {
        if (dropSacks && to == toA) {
            sacks++;
            return;
        }
        to.addLast(java.util.Arrays.copyOfRange(buf, off, off + len));
    }

    /** Hands every queued packet to its association until both are quiet. */
    private void pump() {
        while (!toA.isEmpty() || !toB.isEmpty()) {
            byte[] p;
            if ((p = toB.pollFirst()) != null) {
                b.receive(p, 0, p.length, now);
            }
            if ((p = toA.pollFirst()) != null) {
                a.receive(p, 0, p.length, now);
            }
        }
    }

    @Benchmark
    public void dataIn() {
        tsn++;
        ssn = (ssn + 1) & 0xFFFF;
        writeInt(packet, 16, tsn);
        packet[22] = (byte) (ssn >>> 8);
        packet[23] = (byte) ssn;
        writeInt(packet, 8, 0);
        crc.reset();
        crc.update(packet, 0, packet.length);
        int sum = (int) crc.getValue();
        // RFC 9260 Appendix A: the CRC32c goes on the wire least significant byte first.
        packet[8] = (byte) sum;
        packet[9] = (byte) (sum >>> 8);
        packet[10] = (byte) (sum >>> 16);
        packet[11] = (byte) (sum >>> 24);
        dropSacks = true;
        b.receive(packet, 0, packet.length, ++now);
        dropSacks = false;
    }

    @Benchmark
    public void roundTrip() {
        now++;
        a.send(1, PPID_BINARY, data, false, -1, -1, now);
        pump();
        blackhole.consume(b.counters());
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
