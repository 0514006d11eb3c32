package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.Hex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdesByeTest {
    private final SdesView sdes = new SdesView();
    private final ByeView bye = new ByeView();

    private static List<String> describe(SdesView v) {
        List<String> items = new ArrayList<>();
        v.rewind();
        while (v.nextChunk()) {
            items.add(Long.toHexString(v.chunkSsrc()));
            while (v.nextItem()) {
                items.add(v.itemType() + "="
                        + new String(v.buffer(), v.itemOffset(), v.itemLength(), StandardCharsets.UTF_8));
            }
        }
        return items;
    }

    @Test
    void iteratesChunksAndItems() {
        byte[] b = Hex.bytes(RtcpFixtures.SDES);
        assertEquals(RtcpValidity.OK, sdes.wrap(b, 0, b.length));
        assertEquals(2, sdes.chunkCount());
        assertEquals(List.of("12345678", "1=user@host", "2=bob", "9abcdef0", "1=x"), describe(sdes));
        assertEquals(
                List.of("12345678", "1=user@host", "2=bob", "9abcdef0", "1=x"),
                describe(sdes),
                "rewind restarts the cursor");
    }

    @Test
    void skippingItemsStillFindsTheNextChunk() {
        byte[] b = Hex.bytes(RtcpFixtures.SDES);
        sdes.wrap(b, 0, b.length);
        assertTrue(sdes.nextChunk());
        assertTrue(sdes.nextChunk());
        assertEquals(0x9abcdef0L, sdes.chunkSsrc());
        assertTrue(sdes.nextItem());
        assertEquals(SdesView.CNAME, sdes.itemType());
        assertFalse(sdes.nextItem());
        assertFalse(sdes.nextChunk());
    }

    @Test
    void cnameWriterProducesExpectedBytesAndRoundTrips() {
        byte[] cname = "user@host".getBytes(StandardCharsets.US_ASCII);
        byte[] out = ViewAssertions.sentinel(40);
        int n = SdesWriter.writeCname(out, 0, out.length, 0x12345678L, cname, 0, cname.length);
        assertEquals(20, n);
        assertArrayEquals(Hex.bytes("""
                81 ca 00 04  // SC=1 PT=202 length=4 words (20 bytes)
                12 34 56 78  // SSRC
                01 09 75 73 65 72 40 68 6f 73 74  // CNAME (9) "user@host"
                00           // end of items, which lands on the 32-bit boundary
                """), Arrays.copyOf(out, n));
        assertEquals(0x5A, out[n]);
        assertEquals(RtcpValidity.OK, sdes.wrap(out, 0, n));
        assertEquals(List.of("12345678", "1=user@host"), describe(sdes));
    }

    @Test
    void cnameLengthsAroundTheAlignmentBoundary() {
        for (int len = 0; len <= 255; len++) {
            byte[] cname = new byte[len];
            Arrays.fill(cname, (byte) 'a');
            byte[] out = new byte[300];
            int n = SdesWriter.writeCname(out, 0, out.length, 7, cname, 0, len);
            assertEquals(0, n % 4, "aligned for " + len);
            assertTrue(n >= 4 + 4 + 2 + len + 1, "room for the terminator for " + len);
            assertEquals(RtcpValidity.OK, sdes.wrap(out, 0, n), "length " + len);
            assertTrue(sdes.nextChunk());
            assertTrue(sdes.nextItem());
            assertEquals(len, sdes.itemLength());
            assertFalse(sdes.nextItem());
        }
        byte[] out = new byte[300];
        assertEquals(-1, SdesWriter.writeCname(out, 0, out.length, 7, new byte[256], 0, 256));
        assertEquals(-1, SdesWriter.writeCname(out, 0, 15, 7, new byte[4], 0, 4));
        assertEquals(-1, SdesWriter.writeCname(out, 0, out.length, 7, new byte[4], 2, 4));
        assertEquals(-1, SdesWriter.writeCname(out, 0, out.length, 7, null, 0, 0));
    }

    @Test
    void malformedSdesNamesTheReason() {
        byte[] good = Hex.bytes(RtcpFixtures.SDES);
        ViewAssertions.assertEveryTruncationNamed(sdes, good);
        byte[] itemTooLong = good.clone();
        itemTooLong[9] = (byte) 200; // CNAME length runs past the packet
        assertEquals(RtcpValidity.SDES_CHUNK_OVERFLOW, sdes.wrap(itemTooLong, 0, itemTooLong.length));
        byte[] threeChunks = good.clone();
        threeChunks[0] = (byte) 0x83;
        assertEquals(RtcpValidity.SDES_CHUNK_OVERFLOW, sdes.wrap(threeChunks, 0, threeChunks.length));
        byte[] noTerminator = Hex.bytes("""
                81 ca 00 02  // SC=1, 12 bytes
                00 00 00 01  // SSRC
                01 02 61 62  // CNAME "ab" and then the packet ends: no null item
                """);
        assertEquals(RtcpValidity.SDES_CHUNK_OVERFLOW, sdes.wrap(noTerminator, 0, noTerminator.length));
        byte[] itemHeaderSplit = Hex.bytes("""
                81 ca 00 02  // SC=1, 12 bytes
                00 00 00 01  // SSRC
                01 01 61     // CNAME "a"
                09           // type byte of another item, but its length byte is missing
                """);
        assertEquals(RtcpValidity.SDES_CHUNK_OVERFLOW, sdes.wrap(itemHeaderSplit, 0, itemHeaderSplit.length));
        byte[] empty = Hex.bytes("80 ca 00 00"); // SC=0: legal, nothing to iterate
        assertEquals(RtcpValidity.OK, sdes.wrap(empty, 0, empty.length));
        assertFalse(sdes.nextChunk());
    }

    @Test
    void parsesByeWithReason() {
        byte[] b = Hex.bytes(RtcpFixtures.BYE);
        assertEquals(RtcpValidity.OK, bye.wrap(b, 0, b.length));
        assertEquals(2, bye.ssrcCount());
        assertEquals(0x12345678L, bye.ssrc(0));
        assertEquals(0x9abcdef0L, bye.ssrc(1));
        assertTrue(bye.hasReason());
        assertEquals("closed", new String(b, bye.reasonOffset(), bye.reasonLength(), StandardCharsets.UTF_8));
    }

    @Test
    void byeWriterReproducesFixtureAndHandlesNoReason() {
        byte[] out = ViewAssertions.sentinel(32);
        byte[] reason = "closed".getBytes(StandardCharsets.US_ASCII);
        int n = ByeWriter.write(out, 0, out.length, new long[] {0x12345678L, 0x9abcdef0L}, 2, reason, 0, 6);
        assertEquals(20, n);
        assertArrayEquals(Hex.bytes(RtcpFixtures.BYE), Arrays.copyOf(out, n));
        assertEquals(0x5A, out[20]);

        n = ByeWriter.write(out, 4, out.length, new long[] {0xFFFF_FFFFL}, 1, null, 0, 0);
        assertEquals(8, n);
        assertEquals(RtcpValidity.OK, bye.wrap(out, 4, n));
        assertEquals(0xFFFF_FFFFL, bye.ssrc(0));
        assertFalse(bye.hasReason());
        assertEquals(0, bye.reasonLength());

        n = ByeWriter.write(out, 0, out.length, new long[] {1}, 1, reason, 0, 0);
        assertEquals(12, n, "empty reason still takes its length byte");
        assertEquals(RtcpValidity.OK, bye.wrap(out, 0, n));
        assertTrue(bye.hasReason());
        assertEquals(0, bye.reasonLength());

        assertEquals(-1, ByeWriter.write(out, 0, out.length, new long[32], 32, null, 0, 0));
        assertEquals(-1, ByeWriter.write(out, 0, out.length, new long[1], 2, null, 0, 0));
        assertEquals(-1, ByeWriter.write(out, 0, 19, new long[2], 2, reason, 0, 6));
        assertEquals(-1, ByeWriter.write(out, 0, out.length, new long[1], 1, reason, 3, 6));
    }

    @Test
    void malformedByeNamesTheReason() {
        byte[] good = Hex.bytes(RtcpFixtures.BYE);
        ViewAssertions.assertEveryTruncationNamed(bye, good);
        byte[] tooManySsrcs = good.clone();
        tooManySsrcs[0] = (byte) 0x85;
        assertEquals(RtcpValidity.SSRC_LIST_OVERFLOW, bye.wrap(tooManySsrcs, 0, tooManySsrcs.length));
        byte[] reasonTooLong = good.clone();
        reasonTooLong[12] = 9;
        assertEquals(RtcpValidity.BYE_REASON_OVERFLOW, bye.wrap(reasonTooLong, 0, reasonTooLong.length));
        assertEquals(RtcpValidity.WRONG_TYPE, sdes.wrap(good, 0, good.length));
    }
}
