package dev.chorus.sfu.srtp;

/**
 * The SRTP key derivation function (RFC 3711 §4.3, AES-CM PRF, key derivation rate 0), also used by AES-GCM (RFC 7714
 * §11, whose 12-byte master salt is zero-padded on the right to the 14 bytes the PRF takes). Runs once per session and
 * direction, never per packet.
 */
final class SrtpKdf {
    static final int LABEL_RTP_ENCRYPTION = 0;
    static final int LABEL_RTP_AUTH = 1;
    static final int LABEL_RTP_SALT = 2;
    static final int LABEL_RTCP_ENCRYPTION = 3;
    static final int LABEL_RTCP_AUTH = 4;
    static final int LABEL_RTCP_SALT = 5;

    private final AesCounter prf;
    private final byte[] salt14 = new byte[14];

    SrtpKdf(byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != 16) {
            throw new IllegalArgumentException("AES-128 master key expected, got " + masterKey.length + " bytes");
        }
        if (masterSalt.length > 14) {
            throw new IllegalArgumentException("master salt longer than 14 bytes");
        }
        prf = new AesCounter(masterKey);
        System.arraycopy(masterSalt, 0, salt14, 0, masterSalt.length);
    }

    /** The first {@code length} bytes of PRF(master key, (label || 0^48) XOR master salt). */
    byte[] derive(int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(salt14, 0, iv, 0, 14);
        iv[7] ^= (byte) label;
        byte[] out = new byte[length];
        prf.xor(out, 0, length, Bytes.getLong(iv, 0), Bytes.getInt(iv, 8), Bytes.getInt(iv, 12));
        return out;
    }
}
