package dev.chorus.loadtest.bench;

import dev.chorus.sfu.rtcp.ReceiverReportView;
import dev.chorus.sfu.rtcp.ReceiverReportWriter;
import dev.chorus.sfu.rtcp.RembView;
import dev.chorus.sfu.rtcp.RembWriter;
import dev.chorus.sfu.rtcp.ReportBlock;
import dev.chorus.sfu.rtcp.ReportBlocksView;
import dev.chorus.sfu.rtcp.RtcpCompoundReader;
import dev.chorus.sfu.rtcp.RtcpPacketType;
import dev.chorus.sfu.rtcp.RtcpValidity;
import dev.chorus.sfu.rtcp.SdesView;
import dev.chorus.sfu.rtcp.SdesWriter;
import dev.chorus.sfu.rtcp.SenderReportView;
import dev.chorus.sfu.rtcp.SenderReportWriter;
import dev.chorus.sfu.rtcp.TransportCcPacketConsumer;
import dev.chorus.sfu.rtcp.TransportCcView;
import dev.chorus.sfu.rtcp.TransportCcWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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

/**
 * The RTCP parsers on the compounds browsers send, built with the SFU's own writers:
 * <ul>
 *   <li>{@code SR_SDES}: sender report with one report block + SDES CNAME (a publisher's report);</li>
 *   <li>{@code RR_REMB}: receiver report with one block + REMB for one SSRC (a subscriber's report);</li>
 *   <li>{@code TRANSPORT_CC}: one transport-cc feedback for 50 packets, two of them lost.</li>
 * </ul>
 * One operation = {@link RtcpCompoundReader} walks every packet of the compound, wraps each in
 * its view (which validates the body) and reads every field; transport-cc statuses are
 * delivered one by one to a {@link TransportCcPacketConsumer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtcpParseBenchmark {
    public enum Compound {
        SR_SDES,
        RR_REMB,
        TRANSPORT_CC
    }

    static final int OFFSET = 32;
    static final int TCC_PACKETS = 50;

    @Param({"SR_SDES", "RR_REMB", "TRANSPORT_CC"})
    public Compound compound;

    final RtcpCompoundReader reader = new RtcpCompoundReader();
    final SenderReportView sr = new SenderReportView();
    final ReceiverReportView rr = new ReceiverReportView();
    final SdesView sdes = new SdesView();
    final RembView remb = new RembView();
    final TransportCcView tcc = new TransportCcView();
    final TccSum tccSum = new TccSum();
    byte[] buffer;
    int length;

    /** Accumulates the statuses without boxing; a long-lived object as the feedback path would use. */
    static final class TccSum implements TransportCcPacketConsumer {
        long acc;

        @Override
        public void onPacket(int seq, boolean received, int deltaUs) {
            acc += received ? seq + deltaUs : -seq;
        }
    }

    @Setup
    public void setup() {
        buffer = new byte[1500];
        length = build(compound, buffer, OFFSET);
        if (length <= 0) {
            throw new IllegalStateException("could not build " + compound);
        }
    }

    static int build(Compound c, byte[] dst, int off) {
        int limit = dst.length;
        ReportBlock[] blocks = {new ReportBlock().set(0x2222_2222L, 3, 17, 0x0001_1234L, 42, 0x1234_5678L, 6553)};
        switch (c) {
            case SR_SDES -> {
                int n = SenderReportWriter.write(
                        dst,
                        off,
                        limit,
                        0x1111_1111L,
                        0xE5A1_0000_8000_0000L,
                        987_654_321L,
                        1234,
                        1_234_567,
                        blocks,
                        1);
                byte[] cname = "x4Ld9Qp2Rz0KmN7a".getBytes(StandardCharsets.US_ASCII);
                return n + SdesWriter.writeCname(dst, off + n, limit, 0x1111_1111L, cname, 0, cname.length);
            }
            case RR_REMB -> {
                int n = ReceiverReportWriter.write(dst, off, limit, 0x3333_3333L, blocks, 1);
                return n
                        + RembWriter.write(dst, off + n, limit, 0x3333_3333L, 2_500_000L, new long[] {0x2222_2222L}, 1);
            }
            case TRANSPORT_CC -> {
                int[] seqs = new int[TCC_PACKETS - 2];
                long[] arrivals = new long[TCC_PACKETS - 2];
                int k = 0;
                for (int i = 0; i < TCC_PACKETS; i++) {
                    if (i == 17 || i == 33) {
                        continue; // lost
                    }
                    seqs[k] = 1000 + i;
                    arrivals[k] = 5_000_000L + i * 1_250L + (i % 7) * 250L;
                    k++;
                }
                return new TransportCcWriter()
                        .write(dst, off, limit, 0x3333_3333L, 0x2222_2222L, 1000, 7, seqs, arrivals, 0, seqs.length);
            }
            default -> throw new IllegalArgumentException();
        }
    }

    @Benchmark
    public long parseCompound() {
        RtcpCompoundReader r = reader;
        byte[] b = buffer;
        r.reset(b, OFFSET, length);
        long acc = 0;
        while (r.next()) {
            int off = r.packetOffset();
            int len = r.packetLength();
            switch (r.packetType()) {
                case RtcpPacketType.SR -> {
                    if (sr.wrap(b, off, len) == RtcpValidity.OK) {
                        acc += sr.ntpTimestamp() ^ sr.rtpTimestamp() ^ sr.packetCount() ^ sr.octetCount() ^ blocks(sr);
                    }
                }
                case RtcpPacketType.RR -> {
                    if (rr.wrap(b, off, len) == RtcpValidity.OK) {
                        acc += blocks(rr);
                    }
                }
                case RtcpPacketType.SDES -> {
                    if (sdes.wrap(b, off, len) == RtcpValidity.OK) {
                        while (sdes.nextChunk()) {
                            acc += sdes.chunkSsrc();
                            while (sdes.nextItem()) {
                                acc += sdes.itemType() * 31 + sdes.itemOffset() + sdes.itemLength();
                            }
                        }
                    }
                }
                case RtcpPacketType.PSFB -> {
                    if (r.fmt() == RtcpPacketType.FMT_AFB && remb.wrap(b, off, len) == RtcpValidity.OK) {
                        acc += remb.senderSsrc() ^ remb.bitrateBps();
                        for (int i = 0; i < remb.ssrcCount(); i++) {
                            acc += remb.ssrc(i);
                        }
                    }
                }
                case RtcpPacketType.RTPFB -> {
                    if (r.fmt() == RtcpPacketType.FMT_TRANSPORT_CC && tcc.wrap(b, off, len) == RtcpValidity.OK) {
                        acc += tcc.mediaSsrc() ^ tcc.referenceTimeUs() ^ tcc.feedbackPacketCount();
                        acc += tcc.forEachPacket(tccSum);
                        acc += tccSum.acc;
                    }
                }
                default -> acc++;
            }
        }
        return r.error() == RtcpValidity.OK ? acc : -acc;
    }

    private static long blocks(ReportBlocksView v) {
        long acc = v.senderSsrc();
        for (int i = 0; i < v.reportCount(); i++) {
            acc += v.reportSsrc(i)
                    ^ v.fractionLost(i)
                    ^ v.cumulativeLost(i)
                    ^ v.extendedHighestSeq(i)
                    ^ v.jitter(i)
                    ^ v.lastSr(i)
                    ^ v.delaySinceLastSr(i);
        }
        return acc;
    }
}
