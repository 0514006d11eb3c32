package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private final SenderReportView sr = new SenderReportView();
    private final ReceiverReportView rr = new ReceiverReportView();

    @Test
    void parsesSenderReport() {
        byte[] b = Hex.bytes(RtcpFixtures.SR);
        assertEquals(RtcpValidity.OK, sr.wrap(b, 0, b.length));
        assertEquals(0x12345678L, sr.senderSsrc());
        assertEquals(0xe88f1a2bL, sr.ntpSeconds());
        assertEquals(0x40000000L, sr.ntpFraction());
        assertEquals(0xe88f1a2b_40000000L, sr.ntpTimestamp());
        assertEquals(0x1a2b4000L, sr.compactNtp());
        assertEquals(123456L, sr.rtpTimestamp());
        assertEquals(1000L, sr.packetCount());
        assertEquals(1_000_000L, sr.octetCount());
        assertEquals(1, sr.reportCount());
        assertEquals(0x9abcdef0L, sr.reportSsrc(0));
        assertEquals(25, sr.fractionLost(0));
        assertEquals(-2, sr.cumulativeLost(0));
        assertEquals(0x10064L, sr.extendedHighestSeq(0));
        assertEquals(42L, sr.jitter(0));
        assertEquals(0x1a2b4000L, sr.lastSr(0));
        assertEquals(0x18000L, sr.delaySinceLastSr(0));
        assertEquals(52, sr.packetLength());
        assertEquals(52, sr.contentLength());
    }

    @Test
    void parsesReceiverReportWithExtremeValues() {
        byte[] b = Hex.bytes(RtcpFixtures.RR);
        assertEquals(RtcpValidity.OK, rr.wrap(b, 0, b.length));
        assertEquals(0x0a0b0c0dL, rr.senderSsrc());
        assertEquals(2, rr.reportCount());
        assertEquals(1L, rr.reportSsrc(0));
        assertEquals(0, rr.cumulativeLost(0));
        assertEquals(65535L, rr.extendedHighestSeq(0));
        assertEquals(0xFFFF_FFFFL, rr.reportSsrc(1));
        assertEquals(255, rr.fractionLost(1));
        assertEquals(0x7FFFFF, rr.cumulativeLost(1));
        assertEquals(0xFFFF_FFFFL, rr.extendedHighestSeq(1));
        assertEquals(0x10000L, rr.jitter(1));
        assertEquals(0x12345678L, rr.lastSr(1));
        assertEquals(1L, rr.delaySinceLastSr(1));
    }

    @Test
    void writersReproduceTheFixturesByteForByte() {
        ReportBlock[] blocks = {new ReportBlock(), new ReportBlock()};
        blocks[0].set(0x9abcdef0L, 25, -2, 0x10064L, 42, 0x1a2b4000L, 0x18000L);
        byte[] out = ViewAssertions.sentinel(60);
        int n = SenderReportWriter.write(
                out, 0, out.length, 0x12345678L, 0xe88f1a2b_40000000L, 123456, 1000, 1_000_000, blocks, 1);
        assertEquals(52, n);
        assertArrayEquals(Hex.bytes(RtcpFixtures.SR), Arrays.copyOf(out, n));
        assertEquals(0x5A, out[52], "nothing written past the packet");

        blocks[0].set(1, 0, 0, 65535, 0, 0, 0);
        blocks[1].set(0xFFFF_FFFFL, 255, 0x7FFFFF, 0xFFFF_FFFFL, 0x10000, 0x12345678L, 1);
        n = ReceiverReportWriter.write(out, 0, out.length, 0x0a0b0c0dL, blocks, 2);
        assertEquals(56, n);
        assertArrayEquals(Hex.bytes(RtcpFixtures.RR), Arrays.copyOf(out, n));
    }

    @Test
    void roundTripsAtAnOffsetAndClampsCumulativeLoss() {
        ReportBlock[] blocks = new ReportBlock[31];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new ReportBlock()
                    .set(1000 + i, i, i % 2 == 0 ? 50_000_000 : -50_000_000, 70_000 + i, i * 3, i * 5, i * 7);
        }
        byte[] out = new byte[1000];
        int n = ReceiverReportWriter.write(out, 17, out.length, 77, blocks, 31);
        assertEquals(8 + 31 * 24, n);
        assertEquals(RtcpValidity.OK, rr.wrap(out, 17, n));
        assertEquals(31, rr.reportCount());
        for (int i = 0; i < 31; i++) {
            assertEquals(1000 + i, rr.reportSsrc(i));
            assertEquals(i, rr.fractionLost(i));
            assertEquals(i % 2 == 0 ? 0x7FFFFF : -0x800000, rr.cumulativeLost(i));
            assertEquals(70_000 + i, rr.extendedHighestSeq(i));
            assertEquals(i * 3, rr.jitter(i));
            assertEquals(i * 5, rr.lastSr(i));
            assertEquals(i * 7, rr.delaySinceLastSr(i));
        }
        n = SenderReportWriter.write(out, 3, out.length, 0xFFFF_FFFFL, -1L, 0xFFFF_FFFFL, 0, 0, null, 0);
        assertEquals(28, n);
        assertEquals(RtcpValidity.OK, sr.wrap(out, 3, n));
        assertEquals(0, sr.reportCount());
        assertEquals(0xFFFF_FFFFL, sr.ntpSeconds());
        assertEquals(0xFFFF_FFFFL, sr.ntpFraction());
        assertEquals(0xFFFF_FFFFL, sr.rtpTimestamp());
    }

    @Test
    void writersRefuseWhatDoesNotFitOrMakesNoSense() {
        ReportBlock[] blocks = {new ReportBlock()};
        byte[] out = ViewAssertions.sentinel(100);
        assertEquals(-1, SenderReportWriter.write(out, 0, 51, 1, 0, 0, 0, 0, blocks, 1));
        assertEquals(-1, SenderReportWriter.write(out, 60, out.length, 1, 0, 0, 0, 0, blocks, 1));
        assertEquals(-1, SenderReportWriter.write(out, 0, out.length, 1, 0, 0, 0, 0, blocks, 2), "too few blocks");
        assertEquals(-1, SenderReportWriter.write(out, 0, out.length, 1, 0, 0, 0, 0, new ReportBlock[32], 32));
        assertEquals(-1, ReceiverReportWriter.write(out, 0, 31, 1, blocks, 1));
        assertEquals(-1, ReceiverReportWriter.write(out, 0, out.length, 1, new ReportBlock[1], 1), "null block");
        assertEquals(-1, ReceiverReportWriter.write(out, 0, 200, 1, blocks, 1), "limit past the array");
        assertEquals(-1, ReceiverReportWriter.write(null, 0, 0, 1, blocks, 0));
        for (byte x : out) {
            assertEquals(0x5A, x);
        }
        assertEquals(8, ReceiverReportWriter.write(out, 0, 8, 1, null, 0), "an empty RR is legal");
    }

    @Test
    void malformedReportsNameTheirReason() {
        byte[] srBytes = Hex.bytes(RtcpFixtures.SR);
        ViewAssertions.assertEveryTruncationNamed(sr, srBytes);
        ViewAssertions.assertEveryTruncationNamed(rr, Hex.bytes(RtcpFixtures.RR));

        assertEquals(RtcpValidity.TRUNCATED, sr.wrap(ViewAssertions.shortenedTo(srBytes, 1), 0, 8));
        byte[] noBlockRoom = ViewAssertions.shortenedTo(srBytes, 6); // sender info only, RC still 1
        assertEquals(RtcpValidity.REPORT_BLOCKS_OVERFLOW, sr.wrap(noBlockRoom, 0, noBlockRoom.length));
        byte[] rc2 = srBytes.clone();
        rc2[0] = (byte) 0x82;
        assertEquals(RtcpValidity.REPORT_BLOCKS_OVERFLOW, sr.wrap(rc2, 0, rc2.length));

        byte[] rrBytes = Hex.bytes(RtcpFixtures.RR);
        assertEquals(RtcpValidity.TRUNCATED, rr.wrap(ViewAssertions.shortenedTo(rrBytes, 0), 0, 4));
        assertEquals(RtcpValidity.WRONG_TYPE, rr.wrap(srBytes, 0, srBytes.length));
        assertEquals(RtcpValidity.WRONG_TYPE, sr.wrap(rrBytes, 0, rrBytes.length));
        assertEquals(RtcpValidity.OUT_OF_BOUNDS, sr.wrap(srBytes, 1, srBytes.length));
        assertTrue(!sr.isValid());
    }

    @Test
    void profileExtensionAfterBlocksIsTolerated() {
        byte[] b = Arrays.copyOf(Hex.bytes(RtcpFixtures.SR), 56);
        b[3] = 13; // one more word: an opaque profile-specific extension
        assertEquals(RtcpValidity.OK, sr.wrap(b, 0, b.length));
        assertEquals(1, sr.reportCount());
        assertEquals(-2, sr.cumulativeLost(0));
    }
}
