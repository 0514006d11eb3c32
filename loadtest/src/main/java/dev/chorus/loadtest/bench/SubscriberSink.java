package dev.chorus.loadtest.bench;

import dev.chorus.sfu.forward.PacketEgress;
import dev.chorus.sfu.rtp.BigEndian;
import dev.chorus.sfu.transport.SrtpBuffer;
import dev.chorus.sfu.transport.SrtpSession;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtpErrorStatus;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Stands in for one subscriber's transport: SRTP-protects each packet in place with the SFU's
 * real send session for that subscriber (what {@code WebRtcTransport.sendRtp} does before the
 * socket write) and drops the result into a {@link Blackhole}. No socket, no lock. Without a
 * session (the no-SRTP benchmark) it only consumes the plain packet.
 *
 * <p>Counts what it saw so tests can check that packets really arrived; can optionally keep a
 * copy of the last protected packet (tests only: copying allocates).
 */
public final class SubscriberSink implements PacketEgress {
    private final SrtpSession session;
    private final SrtpBuffer view = new SrtpBuffer();
    /** Set by the benchmark before each batch; null in tests without JMH. */
    Blackhole blackhole;
    /** Tests only: when true every protected packet (without SRTP: every packet) is copied to {@link #lastProtected}. */
    boolean capture;

    byte[] lastProtected;

    long rtpPackets;
    long rtcpPackets;
    long protectFailures;
    long lastSsrc = -1;
    int lastSequence = -1;

    public SubscriberSink(SrtpSession session) {
        this.session = session;
    }

    @Override
    public boolean sendRtp(byte[] buf, int off, int len) {
        lastSsrc = BigEndian.u32(buf, off + 8);
        lastSequence = BigEndian.u16(buf, off + 2);
        if (session == null) {
            rtpPackets++;
            if (capture) {
                lastProtected = java.util.Arrays.copyOfRange(buf, off, off + len);
            }
            if (blackhole != null) {
                blackhole.consume(buf[off + len - 1]);
                blackhole.consume(len);
            }
            return true;
        }
        SrtpErrorStatus st;
        try {
            st = session.protectRtp(view.wrap(buf, off, len));
        } catch (GeneralSecurityException e) {
            protectFailures++;
            return false;
        }
        if (st != SrtpErrorStatus.OK) {
            protectFailures++;
            return false;
        }
        rtpPackets++;
        byte[] out = view.getBuffer();
        int end = view.getOffset() + view.getLength();
        if (blackhole != null) {
            // The last byte of the auth tag depends on every byte protected: nothing is dead code.
            blackhole.consume(out[end - 1]);
            blackhole.consume(end);
        }
        if (capture) {
            lastProtected = java.util.Arrays.copyOfRange(out, view.getOffset(), end);
        }
        return true;
    }

    @Override
    public boolean sendRtcp(byte[] buf, int off, int len) {
        // Keyframe requests and reports; the benchmark's clock does not move, so only the PLI
        // sent when consumers are added ever gets here.
        rtcpPackets++;
        return true;
    }

    void close() {
        if (session != null) {
            session.close();
        }
    }

    public long rtpPackets() {
        return rtpPackets;
    }
}
