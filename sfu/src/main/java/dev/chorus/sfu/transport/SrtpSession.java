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
 * SRTP/SRTCP for one transport after DTLS: one jitsi-srtp factory per direction, one crypto context per
 * SSRC and direction, created on first use. Receive methods are called from the one reader thread of the
 * transport's port; send methods must be serialized by the caller.
 */
public final class SrtpSession {
    /** More remote or local SSRCs than this on one transport is abuse, not a conference. */
    static final int MAX_SSRCS = 256;

    private static final Logger LOGGER = new LoggerImpl(SrtpSession.class.getName());

    final SrtpProfile profile;
    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory recvFactory;
    private final LongObjectMap<SrtpCryptoContext> sendRtp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtcpCryptoContext> sendRtcp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtpCryptoContext> recvRtp = new LongObjectMap<>(MAX_SSRCS);
    private final LongObjectMap<SrtcpCryptoContext> recvRtcp = new LongObjectMap<>(MAX_SSRCS);

    public SrtpSession(SrtpProfile profile, byte[] sendKey, byte[] sendSalt, byte[] recvKey, byte[] recvSalt) {
        this.profile = profile;
        this.sendFactory = new SrtpContextFactory(
                true, sendKey, sendSalt, profile.newPolicy(true), profile.newPolicy(true), LOGGER);
        this.recvFactory = new SrtpContextFactory(
                false, recvKey, recvSalt, profile.newPolicy(false), profile.newPolicy(false), LOGGER);
    }

    /** Tag bytes appended by SRTP protection (and 4 more for the SRTCP index on RTCP). */
    public int rtpOverhead() {
        return profile.tagLength;
    }

    int rtcpOverhead() {
        return profile.tagLength + 4;
    }

    static int rtpSsrc(byte[] b, int off) {
        return ((b[off + 8] & 0xFF) << 24)
                | ((b[off + 9] & 0xFF) << 16)
                | ((b[off + 10] & 0xFF) << 8)
                | (b[off + 11] & 0xFF);
    }

    static int rtcpSsrc(byte[] b, int off) {
        return ((b[off + 4] & 0xFF) << 24)
                | ((b[off + 5] & 0xFF) << 16)
                | ((b[off + 6] & 0xFF) << 8)
                | (b[off + 7] & 0xFF);
    }

    /** Returns null (meaning: too many SSRCs) or the status. {@code pkt} must hold at least 12 bytes. */
    public SrtpErrorStatus unprotectRtp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = rtpSsrc(pkt.getBuffer(), pkt.getOffset());
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

    SrtpErrorStatus unprotectRtcp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = rtcpSsrc(pkt.getBuffer(), pkt.getOffset());
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

    public SrtpErrorStatus protectRtp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = rtpSsrc(pkt.getBuffer(), pkt.getOffset());
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

    SrtpErrorStatus protectRtcp(SrtpBuffer pkt) throws GeneralSecurityException {
        int ssrc = rtcpSsrc(pkt.getBuffer(), pkt.getOffset());
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

    public void close() {
        sendFactory.close();
        recvFactory.close();
    }
}
