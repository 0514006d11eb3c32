package dev.chorus.sfu.transport;

import dev.chorus.sfu.srtp.SrtpCipherSuite;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * SRTP/SRTCP for one transport after DTLS, both directions, every SSRC: protect and unprotect in place on an
 * {@link SrtpBuffer}. Two implementations, chosen by {@code chorus.media.srtp-implementation}: ours
 * ({@link ChorusSrtpSession}, {@link dev.chorus.sfu.srtp}: no allocation per packet) and jitsi-srtp's
 * ({@link JitsiSrtpSession}). Receive methods are called from one thread at a time (the transport's packet thread);
 * send methods must be serialized by the caller.
 *
 * <p>Results: {@link SrtpErrorStatus#OK}, another status naming the failure, or null when the packet's SSRC would be
 * one more than {@link #MAX_SSRCS}.
 */
public interface SrtpSession {
    /** More remote or local SSRCs than this on one transport is abuse, not a conference. */
    int MAX_SSRCS = 256;

    static SrtpSession create(
            SrtpImplementation implementation,
            SrtpProfile profile,
            byte[] sendKey,
            byte[] sendSalt,
            byte[] recvKey,
            byte[] recvSalt) {
        return implementation == SrtpImplementation.CHORUS
                ? new ChorusSrtpSession(profile, sendKey, sendSalt, recvKey, recvSalt)
                : new JitsiSrtpSession(profile, sendKey, sendSalt, recvKey, recvSalt);
    }

    SrtpProfile profile();

    /** Tag bytes appended by SRTP protection. */
    default int rtpOverhead() {
        return profile().tagLength;
    }

    /** Bytes appended by SRTCP protection: the tag and the SRTCP index. */
    default int rtcpOverhead() {
        return profile().tagLength + 4;
    }

    /** {@code pkt} must hold at least 12 bytes. */
    SrtpErrorStatus unprotectRtp(SrtpBuffer pkt) throws GeneralSecurityException;

    /** {@code pkt} must hold at least 8 bytes. */
    SrtpErrorStatus unprotectRtcp(SrtpBuffer pkt) throws GeneralSecurityException;

    SrtpErrorStatus protectRtp(SrtpBuffer pkt) throws GeneralSecurityException;

    SrtpErrorStatus protectRtcp(SrtpBuffer pkt) throws GeneralSecurityException;

    void close();

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

    /** The suite of {@link dev.chorus.sfu.srtp} that implements {@code profile}. */
    static SrtpCipherSuite suiteOf(SrtpProfile profile) {
        return switch (profile) {
            case AEAD_AES_128_GCM -> SrtpCipherSuite.AEAD_AES_128_GCM;
            case AES_CM_128_HMAC_SHA1_80 -> SrtpCipherSuite.AES_CM_128_HMAC_SHA1_80;
        };
    }
}
