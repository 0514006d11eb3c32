package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The forwarding path must not allocate. A per-packet allocation over 100k packets would show
 * as megabytes; the small allowance only absorbs the measuring call itself.
 */
class RtpAllocationTest {
    private static final int PACKETS = 100_000;
    private static final long ALLOWANCE = 4_096;

    private final RtpPacket packet = new RtpPacket();
    private final byte[] chrome = Hex.bytes(RtpPacketParseTest.CHROME_VIDEO);
    private final byte[] egress = new byte[chrome.length + 32];
    private final SeqUnwrapper seqs = new SeqUnwrapper();
    private final TimestampUnwrapper timestamps = new TimestampUnwrapper();
    private long sink;
    private final RtpHeaderExtensions.ElementVisitor visitor = (id, offset, length) -> sink += id + offset + length;

    @Test
    void parsingRewritingAndStampingAllocateNothing() {
        Assumptions.assumeTrue(Allocations.supported());
        Runnable forward = () -> {
            for (int i = 0; i < PACKETS; i++) {
                packet.wrap(chrome, 0, chrome.length);
                sink += packet.sequenceNumber() + packet.timestamp() + packet.ssrc() + packet.payloadLength();
                sink += packet.findExtension(4) + packet.extensionOffset(2) + packet.forEachExtension(visitor);
                sink += seqs.unwrap(packet.sequenceNumber() + i) + timestamps.unwrap(packet.timestamp() + 90L * i);
                sink += RtpSeq.delta(i, 7) + (RtpSeq.isNewer(i, 9) ? 1 : 0);

                System.arraycopy(chrome, 0, egress, 0, chrome.length);
                packet.wrap(egress, 0, chrome.length);
                packet.setSsrc(0xCAFEL);
                packet.setSequenceNumber(i);
                packet.setTimestamp(i * 3000L);
                packet.setPayloadType(100);
                BigEndian.put16(egress, packet.reserveExtension(4, 2, egress.length), i);
                sink += packet.reserveExtension(12, 3, egress.length);
            }
        };
        long bytes = Allocations.bytesAllocatedBy(forward, 3);
        assertTrue(bytes < ALLOWANCE, bytes + " bytes allocated for " + PACKETS + " packets");
        assertTrue(sink != 0);
    }
}
