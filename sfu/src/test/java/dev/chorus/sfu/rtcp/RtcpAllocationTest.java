package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Allocations;
import dev.chorus.sfu.rtp.Hex;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Parsing and writing RTCP must not allocate: measured over many packets, not timed. */
class RtcpAllocationTest {
    private static final int ROUNDS = 20_000;
    private static final long ALLOWANCE = 4_096;

    private final byte[] compound = RtcpCompoundReaderTest.compound(RtcpFixtures.ALL);
    private final byte[] out = new byte[1500];
    private final RtcpCompoundReader reader = new RtcpCompoundReader();
    private final SenderReportView sr = new SenderReportView();
    private final SdesView sdes = new SdesView();
    private final NackView nack = new NackView();
    private final RembView remb = new RembView();
    private final TransportCcView tcc = new TransportCcView();
    private final TransportCcWriter tccWriter = new TransportCcWriter();
    private final ReportBlock[] blocks = {new ReportBlock().set(1, 2, 3, 4, 5, 6, 7)};
    private final int[] lost = {10, 11, 30, 31, 32, 100};
    private final int[] tccSeqs = {1, 2, 3, 7, 8, 40};
    private final long[] tccArrivals = {1_000, 2_000, 1_500, 90_000, 90_250, 400_000};
    private final byte[] cname = Hex.bytes("75 73 65 72");
    private long sink;
    private final IntConsumer seqSink = seq -> sink += seq;
    private final TransportCcPacketConsumer tccSink = (seq, received, deltaUs) -> sink += seq + deltaUs;

    @Test
    void parsingAndWritingAllocateNothing() {
        Assumptions.assumeTrue(Allocations.supported());
        Runnable work = () -> {
            for (int i = 0; i < ROUNDS; i++) {
                reader.reset(compound, 0, compound.length);
                while (reader.next()) {
                    int at = reader.packetOffset();
                    int len = reader.packetLength();
                    switch (reader.packetType()) {
                        case RtcpPacketType.SR -> {
                            sr.wrap(compound, at, len);
                            sink += sr.ntpTimestamp() + sr.cumulativeLost(0);
                        }
                        case RtcpPacketType.SDES -> {
                            sdes.wrap(compound, at, len);
                            while (sdes.nextChunk()) {
                                while (sdes.nextItem()) {
                                    sink += sdes.itemLength();
                                }
                            }
                        }
                        case RtcpPacketType.RTPFB -> {
                            if (nack.wrap(compound, at, len) == RtcpValidity.OK) {
                                sink += nack.forEachLost(seqSink);
                            } else if (tcc.wrap(compound, at, len) == RtcpValidity.OK) {
                                sink += tcc.forEachPacket(tccSink);
                            }
                        }
                        case RtcpPacketType.PSFB -> {
                            if (remb.wrap(compound, at, len) == RtcpValidity.OK) {
                                sink += remb.bitrateBps();
                            }
                        }
                        default -> sink += len;
                    }
                }
                int pos = SenderReportWriter.write(out, 0, out.length, 1, 2, 3, 4, 5, blocks, 1);
                pos += SdesWriter.writeCname(out, pos, out.length, 1, cname, 0, cname.length);
                pos += NackWriter.write(out, pos, out.length, 1, 2, lost, 0, lost.length);
                pos += PliWriter.write(out, pos, out.length, 1, 2);
                pos += FirWriter.write(out, pos, out.length, 1, 2, i);
                pos += RembWriter.write(out, pos, out.length, 1, 1_000_000L + i, null, 0);
                pos += tccWriter.write(out, pos, out.length, 1, 2, 1, i, tccSeqs, tccArrivals, 0, tccSeqs.length);
                sink += pos;
            }
        };
        long bytes = Allocations.bytesAllocatedBy(work, 3);
        assertTrue(bytes < ALLOWANCE, bytes + " bytes allocated for " + ROUNDS + " rounds");
        assertTrue(sink != 0);
    }
}
