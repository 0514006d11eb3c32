package dev.chorus.testkit.peer;

import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link PacketEgress} that keeps plaintext copies of what a {@link SendStream} sends, instead of a network. */
final class CapturedPackets implements PacketEgress {
    final List<byte[]> rtp = new ArrayList<>();
    final List<byte[]> rtcp = new ArrayList<>();

    @Override
    public boolean sendRtp(byte[] buf, int off, int len) {
        rtp.add(Arrays.copyOfRange(buf, off, off + len));
        return true;
    }

    @Override
    public boolean sendRtcp(byte[] buf, int off, int len) {
        rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        return true;
    }

    /** Every captured RTP packet, parsed; clears the capture. */
    List<RtpPacket> takeRtp() {
        List<RtpPacket> out = new ArrayList<>();
        for (byte[] b : rtp) {
            RtpPacket p = new RtpPacket();
            if (p.wrap(b, 0, b.length) != RtpValidity.OK) {
                throw new AssertionError("invalid RTP packet sent");
            }
            out.add(p);
        }
        rtp.clear();
        return out;
    }

    /** The value of one-byte header extension element {@code id}, or null. */
    static String extension(RtpPacket p, int id) {
        int at = p.extensionOffset(id);
        return at < 0 ? null : new String(p.buffer(), at, p.extensionLength(id), StandardCharsets.US_ASCII);
    }
}
