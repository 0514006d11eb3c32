package dev.chorus.sfu.transport;

import dev.chorus.sfu.srtp.SrtpCipherSuite;
import dev.chorus.sfu.srtp.SrtpTransformer;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * {@link SrtpSession} on our own SRTP ({@link dev.chorus.sfu.srtp}): one {@link SrtpTransformer} per direction.
 * Protection needs the SRTP overhead as room after the packet in the buffer; a buffer without it is grown first (a
 * copy: the packet path always leaves {@link dev.chorus.sfu.buffer.PacketBuffer#TAIL_ROOM}).
 */
final class ChorusSrtpSession implements SrtpSession {
    private final SrtpProfile profile;
    private final SrtpCipherSuite suite;
    private final SrtpTransformer send;
    private final SrtpTransformer recv;

    ChorusSrtpSession(SrtpProfile profile, byte[] sendKey, byte[] sendSalt, byte[] recvKey, byte[] recvSalt) {
        this.profile = profile;
        this.suite = SrtpSession.suiteOf(profile);
        this.send = new SrtpTransformer(suite, sendKey, sendSalt, true, MAX_SSRCS);
        this.recv = new SrtpTransformer(suite, recvKey, recvSalt, false, MAX_SSRCS);
    }

    @Override
    public SrtpProfile profile() {
        return profile;
    }

    @Override
    public SrtpErrorStatus unprotectRtp(SrtpBuffer pkt) {
        return apply(pkt, recv.unprotectRtp(pkt.getBuffer(), pkt.getOffset(), pkt.getLength()));
    }

    @Override
    public SrtpErrorStatus unprotectRtcp(SrtpBuffer pkt) {
        return apply(pkt, recv.unprotectRtcp(pkt.getBuffer(), pkt.getOffset(), pkt.getLength()));
    }

    @Override
    public SrtpErrorStatus protectRtp(SrtpBuffer pkt) {
        pkt.grow(suite.rtpOverhead());
        return apply(pkt, send.protectRtp(pkt.getBuffer(), pkt.getOffset(), pkt.getLength()));
    }

    @Override
    public SrtpErrorStatus protectRtcp(SrtpBuffer pkt) {
        pkt.grow(suite.rtcpOverhead());
        return apply(pkt, send.protectRtcp(pkt.getBuffer(), pkt.getOffset(), pkt.getLength()));
    }

    private static SrtpErrorStatus apply(SrtpBuffer pkt, int result) {
        if (result >= 0) {
            pkt.setLength(result);
            return SrtpErrorStatus.OK;
        }
        return switch (result) {
            case SrtpTransformer.ERR_AUTH -> SrtpErrorStatus.AUTH_FAIL;
            case SrtpTransformer.ERR_REPLAY -> SrtpErrorStatus.REPLAY_FAIL;
            case SrtpTransformer.ERR_REPLAY_OLD -> SrtpErrorStatus.REPLAY_OLD;
            case SrtpTransformer.ERR_MALFORMED -> SrtpErrorStatus.INVALID_PACKET;
            case SrtpTransformer.ERR_TOO_MANY_SSRCS -> null;
            default -> SrtpErrorStatus.FAIL;
        };
    }

    @Override
    public void close() {
        // Nothing native to release: the JDK ciphers and tables are garbage once the session is.
    }
}
