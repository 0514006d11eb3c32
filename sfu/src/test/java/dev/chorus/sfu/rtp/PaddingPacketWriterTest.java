package dev.chorus.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Padding probes parse as valid RTP with their transport-cc slot, their MID if any, and only padding after. */
class PaddingPacketWriterTest {

    @ParameterizedTest(name = "transport-cc id {0}, MID id {1}, MID \"{2}\"")
    @CsvSource({
        "3, 0, ''", // no MID: one element, as before
        "3, 1, 1", // one-byte form, 1-byte MID: both elements in one word
        "5, 4, video-camera-12", // one-byte form, 15-byte MID
        "20, 4, 2", // two-byte form forced by the transport-cc id
        "3, 15, 2", // two-byte form forced by the MID id
    })
    void writesAValidPaddingOnlyPacket(int tccId, int midId, String midText) {
        byte[] mid = midText.getBytes(StandardCharsets.UTF_8);
        int length = PaddingPacketWriter.length(tccId, midId, mid.length);
        byte[] b = new byte[length + 8];
        Arrays.fill(b, (byte) 0x55); // what was in the pooled buffer before
        int tccOffset = PaddingPacketWriter.write(b, 4, 97, 0xFFFE, 0x12345678L, 0xCAFEBABEL, tccId, midId, mid);

        RtpPacket p = new RtpPacket();
        assertEquals(RtpValidity.OK, p.wrap(b, 4, length));
        assertEquals(97, p.payloadType());
        assertEquals(0xFFFE, p.sequenceNumber());
        assertEquals(0x12345678L, p.timestamp());
        assertEquals(0xCAFEBABEL, p.ssrc());
        assertTrue(p.hasPadding());
        assertEquals(PaddingPacketWriter.PADDING_BYTES, p.paddingSize());
        assertEquals(0, p.payloadLength(), "padding only");
        assertEquals(tccOffset, p.extensionOffset(tccId));
        assertEquals(2, p.extensionLength(tccId));
        if (midId == 0) {
            assertEquals(1, p.forEachExtension((id, off, len) -> {}), "only transport-cc");
        } else {
            assertEquals(mid.length, p.extensionLength(midId));
            int at = p.extensionOffset(midId);
            assertArrayEquals(mid, Arrays.copyOfRange(b, at, at + mid.length));
            assertEquals(2, p.forEachExtension((id, off, len) -> {}), "transport-cc and MID");
        }
        assertEquals(0x55, b[4 + length] & 0xFF, "nothing written past the packet");
    }
}
