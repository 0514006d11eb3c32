package dev.chorus.sfu.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks shared by the per-type RTCP tests. */
final class ViewAssertions {
    private ViewAssertions() {}

    /** Cutting the available bytes anywhere short of the packet must name the reason. */
    static void assertEveryTruncationNamed(RtcpPacketView view, byte[] packet) {
        for (int len = 0; len < packet.length; len++) {
            RtcpValidity expected = len < RtcpHeader.LENGTH ? RtcpValidity.TOO_SHORT : RtcpValidity.LENGTH_OVERFLOW;
            assertEquals(expected, view.wrap(packet, 0, len), "length " + len);
        }
        assertEquals(RtcpValidity.OK, view.wrap(packet, 0, packet.length));
    }

    /** A copy of {@code packet} cut to {@code words + 1} words with the length field to match. */
    static byte[] shortenedTo(byte[] packet, int words) {
        byte[] b = java.util.Arrays.copyOf(packet, 4 * (words + 1));
        b[2] = (byte) (words >>> 8);
        b[3] = (byte) words;
        return b;
    }

    /** Fills with a sentinel so tests can prove writers stay inside their bounds. */
    static byte[] sentinel(int length) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) 0x5A);
        return b;
    }
}
