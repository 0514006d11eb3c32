package dev.chorus.sfu.transport;

import dev.chorus.sfu.collect.LongObjectMap;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * {@link SrtpSession} on jitsi-srtp ({@code chorus.media.srtp-implementation = jitsi}, the fallback): one jitsi-srtp
 * factory per direction, one crypto context per SSRC and direction, created on first use.
 */
final class JitsiSrtpSession implements SrtpSession {
    private static final Logger LOGGER = new LoggerImpl(JitsiSrtpSession.class.getName());

    private final SrtpProfile profile;
    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory recvFactory;
    private final LongObjectMap<SrtpCryptoContext> sendRtp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtcpCryptoContext> sendRtcp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtpCryptoContext> recvRtp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtcpCryptoContext> recvRtcp = new LongObjectMap<>(MAX_SSRCS);

    JitsiSrtpSession(SrtpProfile profile, byte[] sendKey, byte[] sendSalt, byte[] recvKey, byte[] recvSalt) {
        this.profile = profile;
        this.sendFactory = new SrtpContextFactory(
                true, sendKey, sendSalt, profile.newPolicy(true), profile.newPolicy(true), LOGGER);
        this.recvFactory = new SrtpContextFactory(
                false, recvKey, recvSalt, profile.newPolicy(false), profile.newPolicy(false), LOGGER);
    }

    @Override
    public SrtpProfile profile() {
        return profile;
    }

    @Override
    public SrtpErrorStatus unprotectRtp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = SrtpSession.rtpSsrc(pkt.getBuffer(), pkt.getOffset());
        long key = ssrc & 0xFFFF_FFFFL;
        SrtpCryptoContext ctx = recvRtp.get(key);
        boolean fresh = ctx == null;
        if (fresh) {
            if (recvRtp.size() >= MAX_SSRCS) {
                return null;
            }
            ctx = recvFactory.deriveContext(ssrc, 0);
        }
        SrtpErrorStatus st = ctx.reverseTransformPacket(pkt, false);
        if (fresh && st == SrtpErrorStatus.OK) {
            recvRtp.put(key, ctx); // keep contexts only for SSRCs that authenticated
        }
        return st;
    }

    @Override
    public SrtpErrorStatus unprotectRtcp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = SrtpSession.rtcpSsrc(pkt.getBuffer(), pkt.getOffset());
        long key = ssrc & 0xFFFF_FFFFL;
        SrtcpCryptoContext ctx = recvRtcp.get(key);
        boolean fresh = ctx == null;
        if (fresh) {
            if (recvRtcp.size() >= MAX_SSRCS) {
                return null;
            }
            ctx = recvFactory.deriveControlContext(ssrc);
        }
        SrtpErrorStatus st = ctx.reverseTransformPacket(pkt);
        if (fresh && st == SrtpErrorStatus.OK) {
            recvRtcp.put(key, ctx);
        }
        return st;
    }

    @Override
    public SrtpErrorStatus protectRtp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = SrtpSession.rtpSsrc(pkt.getBuffer(), pkt.getOffset());
        long key = ssrc & 0xFFFF_FFFFL;
        SrtpCryptoContext ctx = sendRtp.get(key);
        if (ctx == null) {
            if (sendRtp.size() >= MAX_SSRCS) {
                return null;
            }
            ctx = sendFactory.deriveContext(ssrc, 0);
            sendRtp.put(key, ctx);
        }
        return ctx.transformPacket(pkt);
    }

    @Override
    public SrtpErrorStatus protectRtcp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = SrtpSession.rtcpSsrc(pkt.getBuffer(), pkt.getOffset());
        long key = ssrc & 0xFFFF_FFFFL;
        SrtcpCryptoContext ctx = sendRtcp.get(key);
        if (ctx == null) {
            if (sendRtcp.size() >= MAX_SSRCS) {
                return null;
            }
            ctx = sendFactory.deriveControlContext(ssrc);
            sendRtcp.put(key, ctx);
        }
        return ctx.transformPacket(pkt);
    }

    @Override
    public void close() {
        sendFactory.close();
        recvFactory.close();
    }
}
