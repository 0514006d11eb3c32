package dev.chorus.sfu.srtp;

/**
 * AEAD_AES_128_GCM for SRTP and SRTCP (RFC 7714 §8, §9): AES-CTR keystream from {@link AesCounter}, tag from
 * {@link Ghash}, IVs from the 12-byte session salt. Allocation-free per packet.
 */
final class GcmCrypto extends PacketCrypto {
    private static final int TAG = 16;

    private final AesCounter rtpAes;
    private final Ghash rtpGhash;
    private final long rtpSalt0;
    private final int rtpSalt1;
    private final AesCounter rtcpAes;
    private final Ghash rtcpGhash;
    private final long rtcpSalt0;
    private final int rtcpSalt1;
    private final byte[] scratch = new byte[16];
    private final byte[] tag = new byte[16];

    GcmCrypto(SrtpKdf kdf) {
        this(
                kdf.derive(SrtpKdf.LABEL_RTP_ENCRYPTION, 16),
                kdf.derive(SrtpKdf.LABEL_RTP_SALT, 12),
                kdf.derive(SrtpKdf.LABEL_RTCP_ENCRYPTION, 16),
                kdf.derive(SrtpKdf.LABEL_RTCP_SALT, 12));
    }

    /** From session keys and salts (the RFC 7714 test vectors are given at this level). */
    GcmCrypto(byte[] rtpKey, byte[] rtpSalt, byte[] rtcpKey, byte[] rtcpSalt) {
        rtpAes = new AesCounter(rtpKey);
        rtpGhash = new Ghash(hashKey(rtpAes), 4);
        rtpSalt0 = Bytes.getLong(rtpSalt, 0);
        rtpSalt1 = Bytes.getInt(rtpSalt, 8);
        rtcpAes = new AesCounter(rtcpKey);
        rtcpGhash = new Ghash(hashKey(rtcpAes), 1);
        rtcpSalt0 = Bytes.getLong(rtcpSalt, 0);
        rtcpSalt1 = Bytes.getInt(rtcpSalt, 8);
    }

    /** H = AES(K, 0^128). */
    private static byte[] hashKey(AesCounter aes) {
        byte[] h = new byte[16];
        aes.encryptBlock(0, 0, 0, h);
        return h;
    }

    @Override
    int protectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index) {
        long iv0 = rtpSalt0 ^ ((ssrc & 0xFFFF_FFFFL) << 16) ^ (index >>> 32);
        int iv1 = rtpSalt1 ^ (int) index;
        int textLength = length - headerLength;
        rtpAes.xor(b, off + headerLength, textLength, iv0, iv1, 2);
        rtpGhash.reset();
        rtpGhash.update(b, off, headerLength);
        rtpGhash.pad();
        rtpGhash.update(b, off + headerLength, textLength);
        writeTag(rtpAes, rtpGhash, headerLength, textLength, iv0, iv1, b, off + length);
        return length + TAG;
    }

    @Override
    boolean unprotectRtp(byte[] b, int off, int headerLength, int length, int ssrc, long index) {
        long iv0 = rtpSalt0 ^ ((ssrc & 0xFFFF_FFFFL) << 16) ^ (index >>> 32);
        int iv1 = rtpSalt1 ^ (int) index;
        int textLength = length - TAG - headerLength;
        rtpGhash.reset();
        rtpGhash.update(b, off, headerLength);
        rtpGhash.pad();
        rtpGhash.update(b, off + headerLength, textLength);
        writeTag(rtpAes, rtpGhash, headerLength, textLength, iv0, iv1, tag, 0);
        if (!Bytes.equalsConstantTime(tag, 0, b, off + length - TAG, TAG)) {
            return false;
        }
        rtpAes.xor(b, off + headerLength, textLength, iv0, iv1, 2);
        return true;
    }

    @Override
    int protectRtcp(byte[] b, int off, int length, int ssrc, int index) {
        int word = E_FLAG | index;
        long iv0 = rtcpSalt0 ^ ((ssrc & 0xFFFF_FFFFL) << 16);
        int iv1 = rtcpSalt1 ^ index;
        int textLength = length - 8;
        rtcpAes.xor(b, off + 8, textLength, iv0, iv1, 2);
        rtcpGhash.reset();
        rtcpAad(b, off, 8, word);
        rtcpGhash.update(b, off + 8, textLength);
        writeTag(rtcpAes, rtcpGhash, 12, textLength, iv0, iv1, b, off + length);
        Bytes.putInt(b, off + length + TAG, word);
        return length + TAG + 4;
    }

    @Override
    int rtcpIndexWord(byte[] b, int off, int length) {
        return Bytes.getInt(b, off + length - 4);
    }

    @Override
    int unprotectRtcp(byte[] b, int off, int length, int ssrc, int indexWord) {
        int index = indexWord & ~E_FLAG;
        boolean encrypted = (indexWord & E_FLAG) != 0;
        long iv0 = rtcpSalt0 ^ ((ssrc & 0xFFFF_FFFFL) << 16);
        int iv1 = rtcpSalt1 ^ index;
        int plainLength = length - TAG - 4;
        rtcpGhash.reset();
        if (encrypted) {
            rtcpAad(b, off, 8, indexWord);
            rtcpGhash.update(b, off + 8, plainLength - 8);
            writeTag(rtcpAes, rtcpGhash, 12, plainLength - 8, iv0, iv1, tag, 0);
        } else { // RFC 7714 §9.2: everything is additional data, nothing is encrypted
            rtcpAad(b, off, plainLength, indexWord);
            writeTag(rtcpAes, rtcpGhash, plainLength + 4L, 0, iv0, iv1, tag, 0);
        }
        if (!Bytes.equalsConstantTime(tag, 0, b, off + plainLength, TAG)) {
            return -1;
        }
        if (encrypted) {
            rtcpAes.xor(b, off + 8, plainLength - 8, iv0, iv1, 2);
        }
        return plainLength;
    }

    private void rtcpAad(byte[] b, int off, int len, int word) {
        rtcpGhash.update(b, off, len);
        Bytes.putInt(scratch, 0, word);
        rtcpGhash.update(scratch, 0, 4);
        rtcpGhash.pad();
    }

    /** tag = GHASH(...) XOR AES(K, J0), J0 = IV || 1. */
    private void writeTag(
            AesCounter aes, Ghash ghash, long aadLength, int textLength, long iv0, int iv1, byte[] out, int outOff) {
        ghash.finish(aadLength, textLength, out, outOff);
        aes.encryptBlock(iv0, iv1, 1, scratch);
        Bytes.xor(out, outOff, scratch, 0, TAG);
    }
}
