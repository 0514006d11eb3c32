package dev.chorus.sfu.forward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.sfu.rtp.RtpPacket;
import dev.chorus.sfu.rtp.RtpValidity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Fake transport: keeps a copy of everything sent and checks the SRTP tail-room promise. */
final class RecordingSender implements PacketEgress {
    final List<byte[]> rtp = new ArrayList<>();
    final List<byte[]> rtcp = new ArrayList<>();

    @Override
    public boolean sendRtp(byte[] buf, int off, int len) {
        assertTrue(buf.length - (off + len) >= 16, "tail room for the SRTP tag");
        rtp.add(Arrays.copyOfRange(buf, off, off + len));
        return true;
    }

    @Override
    public boolean sendRtcp(byte[] buf, int off, int len) {
        assertTrue(buf.length - (off + len) >= 16, "tail room for the SRTCP tag");
        rtcp.add(Arrays.copyOfRange(buf, off, off + len));
        return true;
    }

    RtpPacket rtpAt(int i) {
        RtpPacket p = new RtpPacket();
        byte[] bytes = rtp.get(i);
        if (p.wrap(bytes, 0, bytes.length) != RtpValidity.OK) {
            throw new AssertionError("sent invalid RTP");
        }
        return p;
    }

    int[] sequenceNumbers() {
        int[] out = new int[rtp.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rtpAt(i).sequenceNumber();
        }
        return out;
    }

    void clear() {
        rtp.clear();
        rtcp.clear();
    }
}
