package dev.chorus.sfu.srtp;

import java.util.Arrays;

/**
 * AES_CM_128_HMAC_SHA1_80 for SRTP and SRTCP (RFC 3711 §4.1.1, §4.2, §3.4): AES counter mode from {@link AesCounter},
 * HMAC-SHA1 from {@link HmacSha1} truncated to 80 bits, IVs from the 14-byte session salt. Allocation-free per packet.
 */
final class CmHmacCrypto extends PacketCrypto {
    private static final int TAG = 10;

    private final AesCounter rtpAes;
    private final HmacSha1 rtpMac;
    private final long rtpSalt0;
    private final int rtpSalt1;
    private final int rtpSalt2;
    private final AesCounter rtcpAes;
    private final HmacSha1 rtcpMac;
    private final long rtcpSalt0;
    private final int rtcpSalt1;
    private final int rtcpSalt2;

    CmHmacCrypto(SrtpKdf kdf) {
        this(
                kdf.derive(SrtpKdf.LABEL_RTP_ENCRYPTION, 16),
                kdf.derive(SrtpKdf.LABEL_RTP_AUTH, 20),
                kdf.derive(SrtpKdf.LABEL_RTP_SALT, 14),
                kdf.derive(SrtpKdf.LABEL_RTCP_ENCRYPTION, 16),
                kdf.derive(SrtpKdf.LABEL_RTCP_AUTH, 20),
                kdf.derive(SrtpKdf.LABEL_RTCP_SALT, 14));
    }

    /** From session keys (encryption, authentication) and 14-byte salts. */
    CmHmacCrypto(byte[] rtpKey, byte[] rtpAuth, byte[] rtpSalt, byte[] rtcpKey, byte[] rtcpAuth, byte[] rtcpSalt) {
        rtpAes = new AesCounter(rtpKey);
        rtpMac = new HmacSha1(rtpAuth);
        byte[] salt = Arrays.copyOf(rtpSalt, 16);
        rtpSalt0 = Bytes.getLong(salt, 0);
        rtpSalt1 = Bytes.getInt(salt, 8);
        rtpSalt2 = Bytes.getInt(salt, 12);
        rtcpAes = new AesCounter(rtcpKey);
        rtcpMac = new HmacSha1(rtcpAuth);
        salt = Arrays.copyOf(rtcpSalt, 16);
        rtcpSalt0 = Bytes.getLong(salt, 0);
        rtcpSalt1 = Bytes.getInt(salt, 8);
        rtcpSalt2 = Bytes.getInt(salt, 12);
    }

    /** IV = salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16; the low 16 bits count blocks. */
    private static void crypt(
            AesCounter aes, long salt0, int salt1, int salt2, byte[] b, int off, int len, int ssrc, long index) {
        long w0 = salt0 ^ (ssrc & 0xFFFF_FFFFL);
        int w1 = salt1 ^ (int) (index >>> 16);
        int w2 = salt2 ^ (int) (index << 16);
        aes.xor(b, off, len, w0, w1, w2);
    }

    @Override
    int protectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index) {
        crypt(rtpAes, rtpSalt0, rtpSalt1, rtpSalt2, b, off + headerLength, length - headerLength, ssrc, index);
        rtpMac.start();
        rtpMac.update(b, off, length);
        rtpMac.updateInt((int) (index >>> 16));
        rtpMac.finish(b, off + length, TAG);
        return length + TAG;
    }

    @Override
    boolean unprotectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index) {
        int authenticated = length - TAG;
        rtpMac.start();
        rtpMac.update(b, off, authenticated);
        rtpMac.updateInt((int) (index >>> 16));
        if (!rtpMac.finishAndCheck(b, off + authenticated, TAG)) {
            return false;
        }
        crypt(rtpAes, rtpSalt0, rtpSalt1, rtpSalt2, b, off + headerLength, authenticated - headerLength, ssrc, index);
        return true;
    }

    @Override
    int protectRtcp(byte[] b, int off, int length, int ssrc, int index) {
        crypt(rtcpAes, rtcpSalt0, rtcpSalt1, rtcpSalt2, b, off + 8, length - 8, ssrc, index);
        Bytes.putInt(b, off + length, E_FLAG | index);
        rtcpMac.start();
        rtcpMac.update(b, off, length + 4);
        rtcpMac.finish(b, off + length + 4, TAG);
        return length + 4 + TAG;
    }

    @Override
    int rtcpIndexWord(byte[] b, int off, int length) {
        return Bytes.getInt(b, off + length - TAG - 4);
    }

    @Override
    int unprotectRtcp(byte[] b, int off, int length, int ssrc, int indexWord) {
        int authenticated = length - TAG;
        rtcpMac.start();
        rtcpMac.update(b, off, authenticated);
        if (!rtcpMac.finishAndCheck(b, off + authenticated, TAG)) {
            return -1;
        }
        int plainLength = authenticated - 4;
        if ((indexWord & E_FLAG) != 0) {
            crypt(rtcpAes, rtcpSalt0, rtcpSalt1, rtcpSalt2, b, off + 8, plainLength - 8, ssrc, indexWord & ~E_FLAG);
        }
        return plainLength;
    }
}
